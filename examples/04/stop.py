"""Section 04 reference: two ways to end a reply early, stop strings and a token budget."""

import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)
PROMPT = "List five fruits as a numbered list, one per line, then write END."

response = client.chat.completions.create(
    model=os.environ["MODEL"],
    messages=[{"role": "user", "content": PROMPT}],
    stop=["4.", "END"],  # generation ends where either string would appear
)
choice = response.choices[0]
print(choice.message.content)
print("finish_reason:", choice.finish_reason)
print("stop_reason:", repr(choice.stop_reason))  # vLLM's extra field: the stop string that fired

response = client.chat.completions.create(
    model=os.environ["MODEL"],
    messages=[{"role": "user", "content": PROMPT}],
    max_completion_tokens=36,  # reasoning and answer together
)
choice = response.choices[0]
print(repr(choice.message.content))
print("finish_reason:", choice.finish_reason)
print("completion_tokens:", response.usage.completion_tokens)
