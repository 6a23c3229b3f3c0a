"""Section 02 challenge 3: log one call, request and response, as a single JSON line without the key."""

import json
import os
import time

import requests

url = os.environ["OPENAI_BASE_URL"].rstrip("/") + "/chat/completions"
headers = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}", "Content-Type": "application/json"}
payload = {
    "model": os.environ["MODEL"],
    "messages": [{"role": "user", "content": "Give me one tip for naming variables."}],
}


def redacted(sent: dict) -> dict:
    return {name: "[redacted]" if name.lower() == "authorization" else value for name, value in sent.items()}


started = time.time()
response = requests.post(url, headers=headers, json=payload, timeout=30)
record = {
    "request": {"method": "POST", "url": url, "headers": redacted(headers), "body": payload},
    "response": {"status": response.status_code, "headers": dict(response.headers), "body": response.json()},
    "seconds": round(time.time() - started, 3),
}
print(json.dumps(record))  # one line: newlines inside the reply are escaped as \n
