"""Section 04 reference: the same seed twice gives the same text; no seed gives a new one each time."""

import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)
PROMPT = "Write a one-sentence opening line for a mystery story."


def opening_line(seed: int | None) -> str:
    response = client.chat.completions.create(
        model=os.environ["MODEL"],
        messages=[{"role": "user", "content": PROMPT}],
        temperature=1.0,
        seed=seed,  # None is sent as "seed": null, which means no seed
    )
    print("system_fingerprint:", response.system_fingerprint)
    return response.choices[0].message.content


first = opening_line(42)
second = opening_line(42)
print(first)
print(second)
print("same text:", first == second)

print("Without a seed:")
for _ in range(2):
    print(opening_line(None))
