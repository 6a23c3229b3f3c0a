"""Section 02 reference: every field of a chat completion, read from the raw JSON."""

import os
from datetime import datetime, timezone

import requests

base_url = os.environ["OPENAI_BASE_URL"].rstrip("/")
headers = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}
payload = {
    "model": os.environ["MODEL"],
    "messages": [
        {"role": "system", "content": "You are a concise science tutor."},
        {"role": "user", "content": "What is a light-year, in one or two sentences?"},
    ],
}

response = requests.post(f"{base_url}/chat/completions", headers=headers, json=payload, timeout=30)
response.raise_for_status()
data = response.json()

print("== top level ==")
for key, value in data.items():
    if key not in ("choices", "usage"):
        print(f"{key}: {value}")
print("created as a date:", datetime.fromtimestamp(data["created"], tz=timezone.utc))

print("== choices ==")
for choice in data["choices"]:
    message = choice["message"]
    print(f"choice {choice['index']}: finish_reason={choice['finish_reason']}")
    print("  reasoning:", message.get("reasoning"))
    print("  content:", message["content"])

print("== usage ==")
usage = data["usage"]
print("prompt_tokens:", usage["prompt_tokens"])
print("completion_tokens:", usage["completion_tokens"])
print("total_tokens:", usage["total_tokens"])
details = usage.get("completion_tokens_details") or {}
print("  of which reasoning:", details.get("reasoning_tokens"))
