"""The chat loop plus two commands: /save writes the conversation to a JSON file, /load reads it back."""

import json
import os
from pathlib import Path

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)
model = os.environ["MODEL"]
history_file = Path("work/history.json")

system = {"role": "system", "content": "You are a friendly assistant. Keep answers short."}
messages = [system]

while True:
    try:
        line = input("you> ")
    except EOFError:
        break
    if line.strip() == "quit":
        break
    if not line.strip():
        continue

    if line.strip() == "/save":
        history_file.write_text(json.dumps(messages, indent=2), encoding="utf-8")
        print(f"saved {len(messages)} messages to {history_file}")
        continue
    if line.strip() == "/load":
        if history_file.exists():
            saved = json.loads(history_file.read_text(encoding="utf-8"))
            # The file is input: keep its user and assistant turns only, and your own system message.
            turns = [m for m in saved if m.get("role") in ("user", "assistant") and isinstance(m.get("content"), str)]
            messages = [system] + turns
            print(f"loaded {len(messages)} messages from {history_file}")
        else:
            print(f"nothing saved yet in {history_file}")
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
