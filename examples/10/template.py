"""One prompt template, filled with each ticket; every reply checked against the output contract."""

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


def escape(text):
    return text.replace("<", "&lt;").replace(">", "&gt;")


tickets = [line.strip() for line in sys.stdin if line.strip()]
kept = 0
for ticket in tickets:
    response = client.chat.completions.create(
        model=model,
        messages=[
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": TEMPLATE.format(ticket=escape(ticket))},
        ],
    )
    reply = response.choices[0].message.content
    ok = reply.strip() in LABELS
    kept += ok
    print(f"{ticket[:40]:40} -> {reply}  ({'ok' if ok else 'breaks the contract'})")

print(f"{kept} of {len(tickets)} replies meet the contract")
