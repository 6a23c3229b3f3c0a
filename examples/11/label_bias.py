"""Label bias: the same examples and the same ambiguous message, sent in two orders."""

import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)
model = os.environ["MODEL"]

SYSTEM = "Route each customer message to one team: billing or shipping."
BILLING = [
    ("Please send me a copy of last month's invoice.", "billing"),
    ("Why did my card get charged a late fee?", "billing"),
]
SHIPPING = [
    ("The tracking number you sent me does not work.", "shipping"),
    ("Can you deliver my order to my office instead?", "shipping"),
]
question = "I was charged for an order that never arrived."


def classify(examples):
    """Send the examples as user/assistant pairs, then the question; return the reply."""
    messages = [{"role": "system", "content": SYSTEM}]
    for text, team in examples:
        messages.append({"role": "user", "content": text})
        messages.append({"role": "assistant", "content": team})
    messages.append({"role": "user", "content": question})
    response = client.chat.completions.create(model=model, messages=messages)
    return response.choices[0].message.content


for examples in (BILLING + SHIPPING, SHIPPING + BILLING):
    labels = " ".join(team for _, team in examples)
    print(f"{labels} -> {classify(examples)}")
