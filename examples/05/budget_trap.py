"""Section 05 reference: a budget the reasoning uses up, detected and recovered from."""

import os

from openai import OpenAI

client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
messages = [{"role": "user", "content": "Which is larger, 2^100 or 3^60? Answer in one sentence."}]


def ask(budget: int):
    return client.chat.completions.create(model=os.environ["MODEL"], messages=messages, max_completion_tokens=budget)


response = ask(100)
choice = response.choices[0]
if choice.finish_reason == "length" and not choice.message.content:
    print(f"No answer yet: reasoning used all {response.usage.completion_tokens} tokens of the budget. "
          "Retrying with 1000.")
    response = ask(1000)
    choice = response.choices[0]

if not choice.message.content:
    raise SystemExit(f"Still no answer (finish_reason={choice.finish_reason}).")
print(choice.message.content)
