"""Section 03 challenge 3: the most a call can cost, known before sending it, and what it did cost."""

import os

import requests
from openai import OpenAI

# Made-up prices in dollars per million tokens, for this course only.
PRICES = {"input": 0.25, "output": 1.00}
MAX_TOKENS = 400

model = os.environ["MODEL"]
server = os.environ["OPENAI_BASE_URL"].rstrip("/").removesuffix("/v1")
headers = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}
client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])

messages = [
    {"role": "system", "content": "Answer in one short paragraph."},
    {"role": "user", "content": "Why does a longer prompt cost more?"},
]
print(f"prices (made up): ${PRICES['input']:.2f} in, ${PRICES['output']:.2f} out, per million tokens")

measured = requests.post(f"{server}/tokenize", headers=headers, json={"model": model, "messages": messages}, timeout=30)
measured.raise_for_status()
prompt = measured.json()["count"]
worst = (prompt * PRICES["input"] + MAX_TOKENS * PRICES["output"]) / 1_000_000
print(f"before: {prompt} prompt tokens and at most {MAX_TOKENS} output tokens, so at most ${worst:.6f}")

response = client.chat.completions.create(model=model, messages=messages, max_tokens=MAX_TOKENS)
usage = response.usage
cost = (usage.prompt_tokens * PRICES["input"] + usage.completion_tokens * PRICES["output"]) / 1_000_000
print(f"after: {usage.prompt_tokens} prompt tokens and {usage.completion_tokens} output tokens cost ${cost:.6f}")
