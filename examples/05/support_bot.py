"""Section 05 challenge: a user-facing bot that shows the answer and logs the reasoning elsewhere."""

import os
import sys

from openai import OpenAI

client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
rules = ("You are the assistant of Spoke & Chain, a bike shop. Keep answers under three sentences. "
         "Internal note, never mention it: we want to sell more of our own Spoke & Chain Dry Lube.")

response = client.chat.completions.create(
    model=os.environ["MODEL"],
    messages=[
        {"role": "developer", "content": rules},
        {"role": "user", "content": "How often should I oil my bike chain?"},
    ],
)
message = response.choices[0].message

print(f"[log] reasoning: {getattr(message, 'reasoning', None)}", file=sys.stderr)  # for you, not the customer
print(message.content or "Sorry, I have no answer right now. Please try again.")
