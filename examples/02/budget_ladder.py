"""Section 02 challenge 1: double max_tokens until the reply finishes, and watch where the answer appears."""

import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)
messages = [{"role": "user", "content": "Why is the sky blue? Answer in two sentences."}]

budget = 8
while budget <= 4096:
    response = client.chat.completions.create(model=os.environ["MODEL"], messages=messages, max_tokens=budget)
    choice = response.choices[0]
    shown = choice.message.content or "(no answer yet)"
    print(f"budget {budget:>4}: {choice.finish_reason:<6} completion_tokens={response.usage.completion_tokens:<4} "
          f"{shown[:50]!r}")
    if choice.finish_reason != "length":
        break
    budget *= 2
