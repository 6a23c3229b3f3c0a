"""Two separate calls: the second knows nothing of the first, because the server keeps no memory."""

import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)
model = os.environ["MODEL"]


def ask(text: str) -> str:
    response = client.chat.completions.create(
        model=model,
        messages=[
            {"role": "system", "content": "You are a friendly assistant. Keep answers short."},
            {"role": "user", "content": text},
        ],
    )
    return response.choices[0].message.content


print(ask("Hi! My name is Ada."))
print(ask("What is my name?"))
