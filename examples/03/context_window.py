"""Section 03: read the context window from /v1/models, then overflow it on purpose."""

import os

import openai
import requests
from openai import OpenAI

base_url = os.environ["OPENAI_BASE_URL"].rstrip("/")
headers = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}
model = os.environ["MODEL"]

listing = requests.get(f"{base_url}/models", headers=headers, timeout=30)
listing.raise_for_status()
card = next(m for m in listing.json()["data"] if m["id"] == model)
limit = card["max_model_len"]
print(f"{model} has a context window of {limit} tokens")

# " hello" is one token, so `limit` of them overflow the window before the template adds any.
too_long = "hello " * limit
print(f"sending {len(too_long)} characters...")

client = OpenAI(base_url=base_url, api_key=os.environ["OPENAI_API_KEY"])
try:
    client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": too_long}],
        max_tokens=100,
    )
except openai.BadRequestError as error:
    print("the SDK raised BadRequestError, status", error.status_code)
    print(error.body["message"])

# With requests there is nothing to catch: the 400 is an ordinary response.
response = requests.post(
    f"{base_url}/chat/completions",
    headers=headers,
    json={"model": model, "messages": [{"role": "user", "content": too_long}], "max_tokens": 100},
    timeout=60,
)
if response.status_code == 400:
    print("requests got status 400:")
    print(response.json()["error"]["message"])
else:
    response.raise_for_status()
