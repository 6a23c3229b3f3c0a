"""Section 06 reference: ask for the usage chunk at the end of a stream and print its numbers."""

import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)

stream = client.chat.completions.create(
    model=os.environ["MODEL"],
    messages=[{"role": "user", "content": "Give me three tips for writing good commit messages."}],
    stream=True,
    stream_options={"include_usage": True},
)

usage = None
for chunk in stream:
    if chunk.choices:  # the usage chunk has an empty choices list
        content = chunk.choices[0].delta.content
        if content:
            print(content, end="", flush=True)
    if chunk.usage:
        usage = chunk.usage
print()

print(f"prompt tokens:     {usage.prompt_tokens}")
print(f"completion tokens: {usage.completion_tokens} "
      f"({usage.completion_tokens_details.reasoning_tokens} of them reasoning)")
print(f"total tokens:      {usage.total_tokens}")
