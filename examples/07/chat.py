"""A terminal chat: one list holds the whole conversation and goes to the server on every turn."""

import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)
model = os.environ["MODEL"]

messages = [{"role": "system", "content": "You are a friendly assistant. Keep answers short."}]

while True:
    try:
        line = input("you> ")
    except EOFError:  # the input ended: Ctrl-D, or the end of a piped file
        break
    if line.strip() == "quit":
        break
    if not line.strip():
        continue

    messages.append({"role": "user", "content": line})
    response = client.chat.completions.create(model=model, messages=messages)
    reply = response.choices[0].message.content
    if not reply:  # "length" can leave no answer at all (Section 05): never append None as a turn
        messages.pop()  # take your line back, so every user message keeps its reply
        print(f"(no answer: finish_reason {response.choices[0].finish_reason!r}; try again)")
        continue
    messages.append({"role": "assistant", "content": reply})

    print("assistant>", reply)
    print(f"  ({response.usage.prompt_tokens} prompt tokens)")
