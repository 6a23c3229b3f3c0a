"""Section 08 challenge: read the rate-limit headers and pause when the window is used up."""

import os
import time

import requests

base_url = os.environ["OPENAI_BASE_URL"].rstrip("/")
headers = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}
model = os.environ["MODEL"]

for question in ["Name a colour.", "Name a fruit.", "Name a tree."]:
    payload = {"model": model, "messages": [{"role": "user", "content": f"drill:quota {question}"}]}
    response = requests.post(f"{base_url}/chat/completions", headers=headers, json=payload, timeout=30)
    response.raise_for_status()
    print(response.json()["choices"][0]["message"]["content"])

    remaining = int(response.headers["x-ratelimit-remaining-requests"])
    reset = response.headers["x-ratelimit-reset-requests"]  # the drill sends whole seconds, such as "1s"
    print(f"  requests left in this window: {remaining} (it resets in {reset})")
    if remaining == 0:
        time.sleep(float(reset.removesuffix("s")))
