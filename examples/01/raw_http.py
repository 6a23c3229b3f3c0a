"""Section 01 reference: one chat call by hand, with nothing but requests."""

import json
import os

import requests

base_url = os.environ["OPENAI_BASE_URL"].rstrip("/")
api_key = os.environ["OPENAI_API_KEY"]
model = os.environ["MODEL"]

payload = {
    "model": model,
    "messages": [
        {"role": "system", "content": "You are a concise, friendly assistant."},
        {"role": "user", "content": "Say hello in one short sentence."},
    ],
}
headers = {
    "Authorization": f"Bearer {api_key}",
    "Content-Type": "application/json",
}

response = requests.post(f"{base_url}/chat/completions", headers=headers, json=payload, timeout=30)
response.raise_for_status()
data = response.json()

print(json.dumps(data, indent=2))
print()
print("Reply:", data["choices"][0]["message"]["content"])
usage = data["usage"]
print(f"Usage: {usage['prompt_tokens']} prompt + {usage['completion_tokens']} completion "
      f"= {usage['total_tokens']} tokens")
