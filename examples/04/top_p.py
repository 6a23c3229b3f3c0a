"""Section 04 challenge 1: the same three answers with the whole pool (top_p=1) and a narrow one (top_p=0.1)."""

import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)
PROMPT = "Invent a name for a bakery on the moon. Reply with the name only."

for top_p in (1.0, 0.1):
    response = client.chat.completions.create(
        model=os.environ["MODEL"],
        messages=[{"role": "user", "content": PROMPT}],
        temperature=1.0,
        top_p=top_p,
        n=3,
    )
    print(f"top_p={top_p}:")
    for choice in response.choices:
        print("   ", choice.message.content)
