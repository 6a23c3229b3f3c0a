"""Section 03: the tokens the chat template adds around your messages."""

import os

import requests
from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)


def prompt_tokens(messages: list[dict]) -> int:
    """usage.prompt_tokens for a whole conversation, with a one-token reply."""
    response = client.chat.completions.create(model=os.environ["MODEL"], messages=messages, max_tokens=1)
    return response.usage.prompt_tokens


question = {"role": "user", "content": "What is a token?"}
system = {"role": "system", "content": "You are a patient teacher."}
earlier = [
    {"role": "user", "content": "What is a word?"},
    {"role": "assistant", "content": "A unit of language."},
]

alone = prompt_tokens([question])
with_system = prompt_tokens([system, question])
with_turn = prompt_tokens([system, *earlier, question])

print(f"the question alone:       {alone} tokens")
print(f"plus a system message:    {with_system} tokens (+{with_system - alone})")
print(f"plus one earlier turn:    {with_turn} tokens (+{with_turn - with_system})")

# /tokenize renders the same conversation without running the model. It sits at the
# server's root, not under /v1, and only vLLM has it.
server = os.environ["OPENAI_BASE_URL"].rstrip("/").removesuffix("/v1")
response = requests.post(
    f"{server}/tokenize",
    headers={"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"},
    json={"model": os.environ["MODEL"], "messages": [system, *earlier, question]},
    timeout=30,
)
response.raise_for_status()
print(f"/tokenize counts the same conversation as {response.json()['count']} tokens")
