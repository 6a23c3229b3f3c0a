"""Section 01 challenge 1: a conversation with an earlier turn the model must use."""

import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)

messages = [
    {"role": "system", "content": "You are a concise geography tutor."},
    {"role": "user", "content": "Which country is Lyon in?"},
    {"role": "assistant", "content": "Lyon is in France."},
    {"role": "user", "content": "And what about its capital?"},
]

response = client.chat.completions.create(model=os.environ["MODEL"], messages=messages)
print(response.choices[0].message.content)
