"""A conversation rendered by /tokenize, turned back into text by /detokenize, and that text tokenized again."""

import os
import sys

import requests

SERVER = os.environ["OPENAI_BASE_URL"].rstrip("/").removesuffix("/v1")
MODEL = os.environ["MODEL"]
HEADERS = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}


def post(route: str, body: dict) -> dict:
    """POST to one of vLLM's helpers at the server's root."""
    response = requests.post(f"{SERVER}/{route}", headers=HEADERS, json={"model": MODEL, **body}, timeout=30)
    response.raise_for_status()
    return response.json()


question = sys.stdin.read().strip()
messages = [{"role": "system", "content": "Answer in one sentence."}, {"role": "user", "content": question}]

rendered = post("tokenize", {"messages": messages, "return_token_strs": True})
ids, names = rendered["tokens"], rendered["token_strs"]
print("tokens:", rendered["count"])

text = post("detokenize", {"tokens": ids})["prompt"]
print("prompt text:")
print(text)

again = post("tokenize", {"prompt": text})["tokens"]
if again == ids:
    print("round trip: the same", len(ids), "ids came back")
else:
    print("round trip: the ids differ:", len(ids), "rendered,", len(again), "from the text")

print("special tokens:")
for token, name in zip(ids, names):
    if token >= 200000:
        print(" ", token, name)
