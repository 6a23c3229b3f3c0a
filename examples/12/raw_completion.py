"""A harmony prompt written by hand, sent to /v1/completions, and the reply's channels read from its text."""

import os
from datetime import date

import requests

BASE_URL = os.environ["OPENAI_BASE_URL"]
MODEL = os.environ["MODEL"]
HEADERS = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}

INSTRUCTIONS = "Answer in one sentence."
QUESTION = "What does HTTP status 404 mean?"

SYSTEM = (
    "You are ChatGPT, a large language model trained by OpenAI.\n"
    "Knowledge cutoff: 2024-06\n"
    f"Current date: {date.today().isoformat()}\n\n"
    "Reasoning: medium\n\n"
    "# Valid channels: analysis, commentary, final. Channel must be included for every message."
)


def harmony_prompt(instructions: str, question: str) -> str:
    """The conversation as the chat route renders it, ending where the model starts to write."""
    return (
        f"<|start|>system<|message|>{SYSTEM}<|end|>"
        f"<|start|>developer<|message|># Instructions\n\n{instructions}<|end|>"
        f"<|start|>user<|message|>{question}<|end|>"
        "<|start|>assistant"
    )


body = {
    "model": MODEL,
    "prompt": harmony_prompt(INSTRUCTIONS, QUESTION),
    "max_tokens": 500,
    "skip_special_tokens": False,
}
response = requests.post(f"{BASE_URL}/completions", headers=HEADERS, json=body, timeout=60)
response.raise_for_status()
data = response.json()
choice = data["choices"][0]
text = choice["text"]
print("object:", data["object"])
print("finish_reason:", choice["finish_reason"])
print("raw text:", repr(text))

FINAL = "<|start|>assistant<|channel|>final<|message|>"
if FINAL not in text:
    print("No final answer in the text: was it cut off?")
else:
    reasoning, _, answer = text.partition(FINAL)
    reasoning = reasoning.removeprefix("<|channel|>analysis<|message|>").removesuffix("<|end|>")
    print("reasoning:", reasoning)
    print("answer:", answer)
print("prompt_tokens:", data["usage"]["prompt_tokens"])
print("completion_tokens:", data["usage"]["completion_tokens"])
