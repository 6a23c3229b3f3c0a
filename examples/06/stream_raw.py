"""Section 06 reference: read a streamed reply by hand, one server-sent event at a time."""

import json
import os
import sys

import requests

base_url = os.environ["OPENAI_BASE_URL"].rstrip("/")
headers = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}
payload = {
    "model": os.environ["MODEL"],
    "messages": [
        {"role": "system", "content": "You are a patient science teacher."},
        {"role": "user", "content": "Why is the sky blue? Answer in three short sentences."},
    ],
    "stream": True,  # ask the server for server-sent events
}

# stream=True here tells requests not to wait for the whole body before returning.
response = requests.post(f"{base_url}/chat/completions", headers=headers, json=payload, stream=True, timeout=30)
response.raise_for_status()

done = False
for line in response.iter_lines():
    if not line:  # the blank line that ends each event
        continue
    text = line.decode("utf-8")
    if not text.startswith("data: "):  # SSE comments such as ": keep-alive"
        continue
    data = text.removeprefix("data: ")
    if data == "[DONE]":  # the end of the stream; it is not JSON
        done = True
        break
    chunk = json.loads(data)
    delta = chunk["choices"][0]["delta"]
    if delta.get("content"):  # no content on the role chunk, reasoning deltas and a natural end's final chunk
        print(delta["content"], end="", flush=True)
print()
if not done:  # the body ended without [DONE]: whatever was printed is only part of the answer
    sys.exit("The stream stopped before data: [DONE]; the answer above is incomplete.")
