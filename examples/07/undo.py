"""Challenge: the chat loop with /undo, which takes back the last exchange (your line and its reply)."""

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
    except EOFError:
        break
    if line.strip() == "quit":
        break
    if not line.strip():
        continue

    if line.strip() == "/undo":
        if len(messages) >= 3:
            del messages[-2:]  # the last user message and the reply to it
            print("took back the last exchange")
        else:
            print("nothing to undo")
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
