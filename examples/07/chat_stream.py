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
    pieces, finish_reason = [], None
    for chunk in stream:
        if not chunk.choices:
            continue
        if chunk.choices[0].delta.content:
            print(chunk.choices[0].delta.content, end="", flush=True)
            pieces.append(chunk.choices[0].delta.content)
        finish_reason = chunk.choices[0].finish_reason or finish_reason
    print()
    if not pieces or finish_reason is None:  # no answer, or a stream that stopped early (Section 06)
        messages.pop()  # take your line back, so every user message keeps a whole reply
        print(f"(no complete answer: finish_reason {finish_reason!r}; try again)")
        continue
    messages.append({"role": "assistant", "content": "".join(pieces)})
