"""Section 01: print the prompt string the model really sees, using vLLM's /tokenize."""

import os

import requests

# /tokenize lives at the server's root, not under /v1.
server = os.environ["OPENAI_BASE_URL"].rstrip("/").removesuffix("/v1")
headers = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}

payload = {
    "model": os.environ["MODEL"],
    "messages": [
        {"role": "system", "content": "You are a concise, friendly assistant."},
        {"role": "user", "content": "Say hello in one short sentence."},
    ],
    "return_token_strs": True,
}

response = requests.post(f"{server}/tokenize", headers=headers, json=payload, timeout=30)
if response.status_code == 404:
    raise SystemExit("This endpoint has no /tokenize route (it is vLLM-only), so the template cannot be shown.")
response.raise_for_status()
data = response.json()

detok = requests.post(f"{server}/detokenize", headers=headers,
                      json={"model": os.environ["MODEL"], "tokens": data["tokens"]}, timeout=30)
detok.raise_for_status()

print("The rendered prompt (harmony format):")
print(detok.json()["prompt"])
print()
print(f"{data['count']} tokens; the first ten ids and pieces:")
for token_id, piece in list(zip(data["tokens"], data["token_strs"]))[:10]:
    print(f"  {token_id:>7}  {piece}")
