"""Section 01 reference: the same greeting, sent by the official openai SDK."""

import os

from openai import OpenAI

client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])

greeting = [
    {"role": "system", "content": "You are a concise, friendly assistant."},
    {"role": "user", "content": "Say hello in one short sentence."},
]
completion = client.chat.completions.create(model=os.environ["MODEL"], messages=greeting)
print(completion.choices[0].message.content)
