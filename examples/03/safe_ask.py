"""Section 03 challenge 2: a wallet guard. Refuse oversized input before it costs anything, cap the answer."""

import os
import sys

import requests
from openai import OpenAI

MAX_CHARS = 4000  # a first, free check: no request at all for a huge paste
MAX_PROMPT_TOKENS = 500  # the whole prompt, measured by /tokenize (which runs no model)
MAX_ANSWER_TOKENS = 300  # max_tokens: the most one answer can cost

model = os.environ["MODEL"]
server = os.environ["OPENAI_BASE_URL"].rstrip("/").removesuffix("/v1")
headers = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}

question = sys.stdin.read().strip()
if len(question) > MAX_CHARS:
    sys.exit(f"refused: your question is {len(question)} characters long; the limit is {MAX_CHARS}.")

messages = [{"role": "user", "content": question}]
measured = requests.post(f"{server}/tokenize", headers=headers, json={"model": model, "messages": messages}, timeout=30)
measured.raise_for_status()
if measured.json()["count"] > MAX_PROMPT_TOKENS:
    sys.exit(f"refused: your question makes a {measured.json()['count']}-token prompt; the limit is {MAX_PROMPT_TOKENS}.")

client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
response = client.chat.completions.create(model=model, messages=messages, max_tokens=MAX_ANSWER_TOKENS)
print(response.choices[0].message.content)
