"""Section 01 reference: one chat call by hand, with nothing but requests."""

import json
import os

import requests

endpoint = os.environ["OPENAI_BASE_URL"].rstrip("/")
token = os.environ["OPENAI_API_KEY"]
model = os.environ["MODEL"]

greeting = [
    {"role": "system", "content": "You are a concise, friendly assistant."},
    {"role": "user", "content": "Say hello in one short sentence."},
]

answer = requests.post(
    endpoint + "/chat/completions",
    json={"model": model, "messages": greeting},  # json= also sets Content-Type: application/json
    headers={"Authorization": "Bearer " + token},
    timeout=30,
)
answer.raise_for_status()  # a 4xx or 5xx status stops the script here
body = answer.json()

print(json.dumps(body, indent=2))
print()
print("Reply:", body["choices"][0]["message"]["content"])
counts = body["usage"]
print("Usage:", counts["prompt_tokens"], "prompt +", counts["completion_tokens"], "completion =",
      counts["total_tokens"], "tokens")
