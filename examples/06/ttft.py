"""Section 06 reference: time to the first token of the answer, and to the end of the stream."""

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

first_token = None
for chunk in stream:
    if chunk.choices and chunk.choices[0].delta.content:
        if first_token is None:
            first_token = time.perf_counter() - start
        print(chunk.choices[0].delta.content, end="", flush=True)
total = time.perf_counter() - start
print()

print(f"first token of the answer after {first_token:.2f} s")
print(f"whole reply after {total:.2f} s")
