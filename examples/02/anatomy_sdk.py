"""Section 02 reference: the same fields through the SDK's typed objects, then the whole response as JSON."""

import os
from datetime import datetime, timezone

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)

response = client.chat.completions.create(
    model=os.environ["MODEL"],
    messages=[
        {"role": "system", "content": "You are a concise science tutor."},
        {"role": "user", "content": "What is a light-year, in one or two sentences?"},
    ],
)

print("id:", response.id)
print("object:", response.object)
print("created:", datetime.fromtimestamp(response.created, tz=timezone.utc))
print("model:", response.model)
print("system_fingerprint:", response.system_fingerprint)

for choice in response.choices:
    message = choice.message
    print(f"choice {choice.index}: finish_reason={choice.finish_reason}")
    print("  reasoning:", getattr(message, "reasoning", None))  # vLLM's extra field
    print("  content:", message.content)

usage = response.usage
print(f"usage: {usage.prompt_tokens} prompt + {usage.completion_tokens} completion = {usage.total_tokens} total")
print("vLLM's extra top-level fields:", response.model_extra)

print(response.to_json())
