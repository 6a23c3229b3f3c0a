"""The chat loop with a token budget: over it, the older turns become one summary instead of being dropped."""

import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)
model = os.environ["MODEL"]
WINDOW = 1250  # a pretend context window, tiny on purpose so summaries start within a few turns
REPLY = 1000  # kept free for the reply, reasoning included (Section 05's budget trap)
BUDGET = WINDOW - REPLY  # 250 prompt tokens per request
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
    """Fit BUDGET by folding older turns into a summary; None when even that leaves the request too big."""
    if count_tokens(messages) <= BUDGET:
        return messages
    for keep in (3, 1):  # keep the last exchange and the new line word for word; if that is too big, the new line
        old, recent = messages[1:-keep], messages[-keep:]
        if not old:
            continue
        summary = summarise(old)
        print(f"  (summarised {len(old)} older messages)")
        # The summary is made of what was said in the chat, so it goes in as data, not as instructions.
        note = {"role": "user", "content": "For context, a summary of our conversation so far: " + summary}
        shorter = [messages[0], note] + recent
        if count_tokens(shorter) <= BUDGET:
            return shorter
    return None


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
    fitted = compact(messages)
    if fitted is None:
        messages.pop()
        print(f"  (not sent: even with the history summarised, that line does not fit {BUDGET} tokens)")
        continue
    messages = fitted
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
