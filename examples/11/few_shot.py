"""Few-shot prompting: worked examples sent as user/assistant pairs before the real question."""

import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)
model = os.environ["MODEL"]

SYSTEM = "Route each customer message to one team: billing, technical or shipping."
EXAMPLES = [
    ("I was charged twice for my subscription this month.", "billing"),
    ("The app crashes every time I open the settings page.", "technical"),
    ("My parcel has been stuck in transit for ten days.", "shipping"),
]
question = "Can I get a refund for the annual plan I bought yesterday?"

messages = [{"role": "system", "content": SYSTEM}]
for text, team in EXAMPLES:
    messages.append({"role": "user", "content": text})
    messages.append({"role": "assistant", "content": team})
messages.append({"role": "user", "content": question})

response = client.chat.completions.create(model=model, messages=messages)
print("team:", response.choices[0].message.content)
print("prompt_tokens:", response.usage.prompt_tokens)
