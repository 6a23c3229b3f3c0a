"""Section 03 challenge 1: a prompt that fits the window but leaves the answer almost no room."""

import os

import requests
from openai import OpenAI

ROOM = 20  # tokens the window should leave for the answer

base_url = os.environ["OPENAI_BASE_URL"].rstrip("/")
server = base_url.removesuffix("/v1")
headers = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}
model = os.environ["MODEL"]

listing = requests.get(f"{base_url}/models", headers=headers, timeout=30)
listing.raise_for_status()
limit = next(m for m in listing.json()["data"] if m["id"] == model)["max_model_len"]


def prompt_size(text: str) -> int:
    """The prompt a one-message conversation makes, counted by /tokenize (free: nothing is generated)."""
    body = {"model": model, "messages": [{"role": "user", "content": text}]}
    response = requests.post(f"{server}/tokenize", headers=headers, json=body, timeout=60)
    response.raise_for_status()
    return response.json()["count"]


frame = prompt_size("hello")  # the template around a one-word message
filler = "hello" + " hello" * (limit - ROOM - frame)  # each " hello" adds one token
prompt = prompt_size(filler)
print(f"prompt: {prompt} tokens, leaving {limit - prompt} of the {limit}")

client = OpenAI(base_url=base_url, api_key=os.environ["OPENAI_API_KEY"])
response = client.chat.completions.create(
    model=model,
    messages=[{"role": "user", "content": filler}],
    max_tokens=500,  # far more than the window leaves
)
print("max_tokens asked: 500")
print("finish_reason:", response.choices[0].finish_reason)
print("completion_tokens:", response.usage.completion_tokens)
