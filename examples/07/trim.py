"""The chat loop with a token budget: before each call, drop the oldest exchanges until the request fits."""

import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)
model = os.environ["MODEL"]
WINDOW = 1250  # a pretend context window, tiny on purpose so trimming starts within a few turns
REPLY = 1000  # kept free for the reply, reasoning included (Section 05's budget trap)
BUDGET = WINDOW - REPLY  # 250 prompt tokens per request


def count_tokens(messages):
    """The size of this list as the server counts it; a one-token reply keeps the measurement cheap."""
    response = client.chat.completions.create(model=model, messages=messages, max_tokens=1)
    return response.usage.prompt_tokens


def trim(messages):
    """Drop the oldest exchange (a user message and its reply) until the list fits BUDGET."""
    while count_tokens(messages) > BUDGET and len(messages) > 2:
        del messages[1:3]  # messages[0] is the system message: it always stays


messages = [{"role": "system", "content": "You are a friendly travel assistant. Keep answers short."}]

while True:
    try:
        line = input("you> ")
    except EOFError:
        break
    if line.strip() == "quit":
        break
    if not line.strip():
        continue

    messages.append({"role": "user", "content": line})
    trim(messages)
    sent = len(messages)
    response = client.chat.completions.create(model=model, messages=messages, max_completion_tokens=REPLY)
    reply = response.choices[0].message.content
    if not reply:  # "length" can leave no answer at all (Section 05): never append None as a turn
        messages.pop()  # take your line back, so every user message keeps its reply
        print(f"(no answer: finish_reason {response.choices[0].finish_reason!r}; try again)")
        continue
    messages.append({"role": "assistant", "content": reply})

    print("assistant>", reply)
    print(f"  ({sent} messages, {response.usage.prompt_tokens} prompt tokens)")
