"""Section 01 reference: measure a prompt's size with usage.prompt_tokens."""

import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)


def prompt_tokens(text: str) -> int:
    response = client.chat.completions.create(
        model=os.environ["MODEL"],
        messages=[{"role": "user", "content": text}],
        max_tokens=1,  # we only want the size of the input
    )
    return response.usage.prompt_tokens  # counted after the chat template


print(prompt_tokens("hi"))
print(prompt_tokens("hi " * 50))
