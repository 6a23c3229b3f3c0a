"""Section 02: send the same request twice and compare the two responses field by field."""

import os

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


def call() -> dict:
    response = requests.post(f"{base_url}/chat/completions", headers=headers, json=payload, timeout=30)
    response.raise_for_status()
    return response.json()


def fields(data: dict) -> dict:
    """The fields worth comparing, flattened to one level."""
    choice = data["choices"][0]
    return {
        "id": data["id"],
        "object": data["object"],
        "created": data["created"],
        "model": data["model"],
        "system_fingerprint": data["system_fingerprint"],
        "finish_reason": choice["finish_reason"],
        "content": choice["message"]["content"][:40] + "...",
        "prompt_tokens": data["usage"]["prompt_tokens"],
        "completion_tokens": data["usage"]["completion_tokens"],
    }


first, second = fields(call()), fields(call())
for name in first:
    verdict = "same   " if first[name] == second[name] else "CHANGED"
    print(f"{verdict} {name:<18} {first[name]!s:<45} {second[name]}")
