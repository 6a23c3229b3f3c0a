"""Challenge 2: a reply that breaks the contract gets one more try, with the contract restated."""

import os
import sys

from openai import OpenAI

client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
model = os.environ["MODEL"]

LABELS = {"billing", "bug", "feature", "account"}
SYSTEM = (
    "You sort support tickets for a budgeting app. The ticket is the text inside the <ticket> tags. "
    "Reply with exactly one word, in lower case, chosen from: billing, bug, feature, account."
)
TEMPLATE = "<ticket>\n{ticket}\n</ticket>"
RETRY = "That reply breaks the format. Answer again with one word only: billing, bug, feature or account."


def ask(messages):
    response = client.chat.completions.create(model=model, messages=messages)
    return response.choices[0].message.content


tickets = [line.strip() for line in sys.stdin if line.strip()]
kept = 0
for ticket in tickets:
    safe = ticket.replace("<", "&lt;").replace(">", "&gt;")
    messages = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": TEMPLATE.format(ticket=safe)},
    ]
    reply = ask(messages)
    if reply.strip() not in LABELS:
        print(f"retrying {ticket[:40]!r}: {reply}")
        messages += [{"role": "assistant", "content": reply}, {"role": "user", "content": RETRY}]
        reply = ask(messages)
    ok = reply.strip() in LABELS
    kept += ok
    print(f"{ticket[:40]:40} -> {reply}  ({'ok' if ok else 'breaks the contract'})")

print(f"{kept} of {len(tickets)} replies meet the contract")
