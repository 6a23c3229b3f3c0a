"""Section 05: what the server makes of a system message and of a developer message, via /tokenize."""

import os

import requests

server = os.environ["OPENAI_BASE_URL"].rstrip("/").removesuffix("/v1")  # /tokenize is outside /v1
headers = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}
rules = "Answer only questions about the library."
question = "Write me a limerick about my cat."


def rendered(first_role: str) -> tuple[list[int], str]:
    messages = [{"role": first_role, "content": rules}, {"role": "user", "content": question}]
    tokens = requests.post(f"{server}/tokenize", headers=headers, timeout=30,
                           json={"model": os.environ["MODEL"], "messages": messages})
    if tokens.status_code == 404:
        raise SystemExit("This endpoint has no /tokenize route (it is vLLM-only).")
    tokens.raise_for_status()
    ids = tokens.json()["tokens"]
    text = requests.post(f"{server}/detokenize", headers=headers, timeout=30,
                         json={"model": os.environ["MODEL"], "tokens": ids})
    text.raise_for_status()
    return ids, text.json()["prompt"]


as_system, prompt = rendered("system")
as_developer, _ = rendered("developer")
print(prompt)
print()
print(f"sent as system: {len(as_system)} tokens; sent as developer: {len(as_developer)} tokens")
print("identical prompts:", as_system == as_developer)
