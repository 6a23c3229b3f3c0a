"""Section 06 reference: time to the first token, to the first token of the answer, and to the end."""

import os
import time

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)

start = time.perf_counter()
stream = client.chat.completions.create(
    model=os.environ["MODEL"],
    messages=[{"role": "user", "content": "Write a haiku about waiting."}],
    stream=True,
)

first_token = first_answer = None
for chunk in stream:
    if not chunk.choices:
        continue
    delta = chunk.choices[0].delta
    if first_token is None and (delta.content or getattr(delta, "reasoning", None)):
        first_token = time.perf_counter() - start  # the first generated token, reasoning included
    if delta.content:
        if first_answer is None:
            first_answer = time.perf_counter() - start  # the first token the user can read
        print(delta.content, end="", flush=True)
total = time.perf_counter() - start
print()

print(f"first token (reasoning included) after {first_token:.2f} s")
print(f"first token of the answer after {first_answer:.2f} s")
print(f"whole reply after {total:.2f} s")
