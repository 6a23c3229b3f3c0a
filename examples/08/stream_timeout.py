"""Section 08 challenge: the same 1-second read timeout survives a slow answer when it is streamed."""

import os
import time

from openai import OpenAI, Timeout

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
    timeout=Timeout(1.0, connect=5.0),
    max_retries=0,
)

started = time.monotonic()
stream = client.chat.completions.create(
    model=os.environ["MODEL"],
    messages=[{"role": "user", "content": "drill:slow-stream Tell me something calm."}],
    stream=True,
)
for chunk in stream:
    if chunk.choices and chunk.choices[0].delta.content:
        print(chunk.choices[0].delta.content, end="", flush=True)
print()
print(f"The whole answer took {time.monotonic() - started:.1f} s, with a 1 s read timeout.")
