"""Challenge: the chat loop with streamed replies, joined back into one message for the history."""

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

    messages.append({"role": "user", "content": line})
    stream = client.chat.completions.create(model=model, messages=messages, stream=True)
    print("assistant> ", end="", flush=True)
    pieces = []
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            print(chunk.choices[0].delta.content, end="", flush=True)
            pieces.append(chunk.choices[0].delta.content)
    print()
    if not pieces:  # "length" can leave no answer at all (Section 05): never append an empty turn
        messages.pop()
        print("(no answer; try again)")
        continue
    messages.append({"role": "assistant", "content": "".join(pieces)})
