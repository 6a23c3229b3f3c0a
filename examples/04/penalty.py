"""Section 04 challenge 2: the same list without and with a frequency_penalty, and how many words repeat."""

import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)
PROMPT = "Suggest ten names for a cat cafe, as a comma-separated list."

for penalty in (0.0, 1.0):
    response = client.chat.completions.create(
        model=os.environ["MODEL"],
        messages=[{"role": "user", "content": PROMPT}],
        frequency_penalty=penalty,
    )
    reply = response.choices[0].message.content
    words = reply.replace(",", " ").lower().split()
    print(f"frequency_penalty={penalty}: {reply}")
    print("    words used more than once:", len(words) - len(set(words)))
