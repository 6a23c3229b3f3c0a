"""Section 06 challenge 3: show a dot for every reasoning delta, then stream the answer."""

import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)

stream = client.chat.completions.create(
    model=os.environ["MODEL"],
    messages=[{"role": "user", "content": "Should I learn Rust or Go next? Keep it short."}],
    stream=True,
)

print("thinking", end="", flush=True)
answering = False
for chunk in stream:
    if not chunk.choices:
        continue
    delta = chunk.choices[0].delta
    if getattr(delta, "reasoning", None):  # reasoning deltas: show progress, never the text
        print(".", end="", flush=True)
    if delta.content:
        if not answering:
            print("\n")
            answering = True
        print(delta.content, end="", flush=True)
print()
