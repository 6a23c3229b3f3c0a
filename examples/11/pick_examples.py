"""Pick the examples for each message from a pool: the two that share the most words with it."""

import os
import re

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)
model = os.environ["MODEL"]

SYSTEM = "Route each customer message to one team: billing, technical or shipping."
POOL = [
    ("I was charged twice for my subscription this month.", "billing"),
    ("Please send me a copy of last month's invoice.", "billing"),
    ("How do I change the credit card I pay with?", "billing"),
    ("The app crashes every time I open the settings page.", "technical"),
    ("I cannot log in because the password reset email never comes.", "technical"),
    ("Export to PDF fails with an error message.", "technical"),
    ("My parcel has been stuck in transit for ten days.", "shipping"),
    ("The tracking number you sent me does not work.", "shipping"),
    ("Can you deliver my order to my office instead?", "shipping"),
]


def words(text):
    return set(re.findall(r"[a-z']+", text.lower()))


def pick(message, k=2):
    """The k pool examples that share the most words with the message."""
    return sorted(POOL, key=lambda example: len(words(example[0]) & words(message)), reverse=True)[:k]


while True:
    try:
        line = input("message> ")
    except EOFError:
        break
    if not line.strip():
        continue
    chosen = pick(line)
    messages = [{"role": "system", "content": SYSTEM}]
    for text, team in chosen:
        messages.append({"role": "user", "content": text})
        messages.append({"role": "assistant", "content": team})
    messages.append({"role": "user", "content": line})
    response = client.chat.completions.create(model=model, messages=messages)
    print()
    for text, team in chosen:
        print(f"  example: {text} -> {team}")
    print("team:", response.choices[0].message.content)
