"""Challenge: one conversation per user. /user NAME switches to that user's own history."""

import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)
model = os.environ["MODEL"]
SYSTEM = "You are a friendly assistant. Keep answers short."

histories = {}  # user name -> that user's messages, never shared
user = "guest"

while True:
    try:
        line = input(f"{user}> ")
    except EOFError:
        break
    if line.strip() == "quit":
        break
    if not line.strip():
        continue

    if line.startswith("/user "):
        user = line.split(maxsplit=1)[1].strip()
        print(f"now talking to {user}")
        continue

    messages = histories.setdefault(user, [{"role": "system", "content": SYSTEM}])
    messages.append({"role": "user", "content": line})
    response = client.chat.completions.create(model=model, messages=messages)
    reply = response.choices[0].message.content
    if not reply:  # "length" can leave no answer at all (Section 05): never append None as a turn
        messages.pop()  # take your line back, so every user message keeps its reply
        print(f"(no answer: finish_reason {response.choices[0].finish_reason!r}; try again)")
        continue
    messages.append({"role": "assistant", "content": reply})

    print("assistant>", reply)
