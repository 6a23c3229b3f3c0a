"""Two prompt versions on the same tickets: the replies side by side, and how often each meets the contract."""

import os
import sys

from openai import OpenAI

client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
model = os.environ["MODEL"]

LABELS = {"billing", "bug", "feature", "account"}
VERSIONS = {
    "v1": "You sort support tickets. What kind of ticket is this?",
    "v2": ("You sort support tickets for a budgeting app. The ticket is the text inside the <ticket> tags. "
           "Reply with exactly one word, in lower case, chosen from: billing, bug, feature, account."),
}
TEMPLATE = "<ticket>\n{ticket}\n</ticket>"


def classify(system, ticket):
    safe = ticket.replace("<", "&lt;").replace(">", "&gt;")
    response = client.chat.completions.create(
        model=model,
        messages=[
            {"role": "system", "content": system},
            {"role": "user", "content": TEMPLATE.format(ticket=safe)},
        ],
    )
    return response.choices[0].message.content


tickets = [line.strip() for line in sys.stdin if line.strip()]
kept = {name: 0 for name in VERSIONS}
for ticket in tickets:
    print(ticket)
    for name, system in VERSIONS.items():
        reply = classify(system, ticket)
        ok = reply.strip() in LABELS
        kept[name] += ok
        print(f"  {name}: {reply}  ({'ok' if ok else 'breaks the contract'})")

for name, count in kept.items():
    print(f"{name} meets the contract {count} of {len(tickets)} times")
