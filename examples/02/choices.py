"""Section 02 reference: ask for three answers in one call with n=3."""

import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)

response = client.chat.completions.create(
    model=os.environ["MODEL"],
    messages=[
        {"role": "system", "content": "You are a playful naming assistant."},
        {"role": "user", "content": "Suggest one name for a friendly kitchen robot."},
    ],
    n=3,
)

for choice in response.choices:
    print(f"[{choice.index}] {choice.finish_reason}: {choice.message.content}")

usage = response.usage
print(f"prompt_tokens: {usage.prompt_tokens} (once), completion_tokens: {usage.completion_tokens} (all three)")
