"""Section 06 challenge 1: notice an error event that arrives in the middle of a stream."""

import json
import os
import sys

import requests

base_url = os.environ["OPENAI_BASE_URL"].rstrip("/")
headers = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}
payload = {
    "model": os.environ["MODEL"],
    "messages": [{"role": "user", "content": "Tell me a short story about a lighthouse keeper."}],
    "stream": True,
}

response = requests.post(f"{base_url}/chat/completions", headers=headers, json=payload, stream=True, timeout=30)
response.raise_for_status()  # passes: the status was 200 before the error happened

done = False
for line in response.iter_lines():
    text = line.decode("utf-8")
    if not text.startswith("data: "):
        continue
    data = text.removeprefix("data: ")
    if data == "[DONE]":
        done = True
        break
    event = json.loads(data)
    if "error" in event:  # an error event has no choices, only the error
        print()
        sys.exit(f"The stream broke: {event['error']['message']}")
    content = event["choices"][0]["delta"].get("content")
    if content:
        print(content, end="", flush=True)
print()
if not done:
    sys.exit("The stream stopped before data: [DONE]; the story above is incomplete.")
