"""Section 01 challenge 2: the SDK greeting with nothing changed but the system message."""

import os

from openai import OpenAI

client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])

greeting = [
    {"role": "system", "content": "You are a cheerful pirate. Answer like one, arr."},
    {"role": "user", "content": "Say hello in one short sentence."},
]
completion = client.chat.completions.create(model=os.environ["MODEL"], messages=greeting)
print(completion.choices[0].message.content)
