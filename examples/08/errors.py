"""Section 08 reference: three requests the server refuses (400, 401, 404), each sent once and reported."""

import os

import requests

base_url = os.environ["OPENAI_BASE_URL"].rstrip("/")
api_key = os.environ["OPENAI_API_KEY"]
model = os.environ["MODEL"]


def send(payload, key):
    return requests.post(
        f"{base_url}/chat/completions",
        headers={"Authorization": f"Bearer {key}"},
        json=payload,
        timeout=30,
    )


def report(label, response):
    """Print the status and the server's own message; nothing from the request."""
    try:
        body = response.json()
    except ValueError:  # not every error body is JSON
        body = response.text
    error = body.get("error", body) if isinstance(body, dict) else body
    message = error.get("message", error) if isinstance(error, dict) else error
    print(f"{label}: {response.status_code} {message}")


hello = [{"role": "user", "content": "Say hello."}]
too_long = [{"role": "user", "content": "word " * 140_000}]

report("prompt too long", send({"model": model, "messages": too_long}, api_key))
report("wrong key", send({"model": model, "messages": hello}, "not-my-key"))
report("unknown model", send({"model": "no-such-model", "messages": hello}, api_key))
