"""The chat loop with a token budget: over it, the older turns become one summary instead of being dropped."""

import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)
model = os.environ["MODEL"]
BUDGET = 250
SUMMARISER = ("Summarise this conversation in at most three sentences. "
              "Keep every name, place, date, number and decision.")


def count_tokens(messages):
    """The size of this list as the server counts it; a one-token reply keeps the measurement cheap."""
    response = client.chat.completions.create(model=model, messages=messages, max_tokens=1)
    return response.usage.prompt_tokens


def summarise(turns):
    """Ask the model for a short summary of some messages, sent as a plain transcript."""
    transcript = "\n".join(f"{m['role']}: {m['content']}" for m in turns)
    response = client.chat.completions.create(
        model=model,
        messages=[
            {"role": "system", "content": SUMMARISER},
            {"role": "user", "content": transcript},
        ],
    )
    return response.choices[0].message.content


def compact(messages):
    """Over BUDGET, replace everything between the system message and the last exchange with a summary."""
    old, recent = messages[1:-3], messages[-3:]  # recent: the last question, its reply, the new line
    if not old or count_tokens(messages) <= BUDGET:
        return messages
    summary = summarise(old)
    print(f"  (summarised {len(old)} older messages)")
    note = {"role": "system", "content": "Summary of the conversation so far: " + summary}
    return [messages[0], note] + recent


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
    messages = compact(messages)
    sent = len(messages)
    response = client.chat.completions.create(model=model, messages=messages)
    reply = response.choices[0].message.content
    messages.append({"role": "assistant", "content": reply})

    print("assistant>", reply)
    print(f"  ({sent} messages, {response.usage.prompt_tokens} prompt tokens)")
