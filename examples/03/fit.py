"""Section 03: trim a long text to a token budget, measured and cut by the server's tokenizer."""

import os

import requests
from openai import OpenAI

PROMPT_BUDGET = 1000  # tokens the whole prompt may use
ANSWER_BUDGET = 300  # max_tokens: the most the answer may use

model = os.environ["MODEL"]
server = os.environ["OPENAI_BASE_URL"].rstrip("/").removesuffix("/v1")
headers = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}
client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])


def post(route: str, body: dict) -> dict:
    """POST to one of vLLM's helpers at the server's root (/tokenize, /detokenize)."""
    response = requests.post(f"{server}/{route}", headers=headers, json={"model": model, **body}, timeout=30)
    response.raise_for_status()
    return response.json()


def conversation(document: str) -> list[dict]:
    return [
        {"role": "system", "content": "Summarise the log the user sends in three short bullet points."},
        {"role": "user", "content": document},
    ]


# A long document: a worker log, made up here so there is nothing to download.
document = "\n".join(
    f"2026-11-21 09:{n // 60:02d}:{n % 60:02d} INFO worker-{n % 7} finished job {4000 + n} in {n * 37 % 900} ms"
    for n in range(400)
)

frame = post("tokenize", {"messages": conversation("")})["count"]
room = PROMPT_BUDGET - frame
print(f"template and instructions: {frame} tokens, leaving {room} for the document")

tokens = post("tokenize", {"prompt": document})["tokens"]
print(f"the document: {len(document)} characters, {len(tokens)} tokens")

fitted = post("detokenize", {"tokens": tokens[:room]})["prompt"]
print(f"the fitted part: {len(fitted)} characters")

response = client.chat.completions.create(model=model, messages=conversation(fitted), max_tokens=ANSWER_BUDGET)
print(response.choices[0].message.content)
print(f"prompt_tokens: {response.usage.prompt_tokens} of a budget of {PROMPT_BUDGET}")
