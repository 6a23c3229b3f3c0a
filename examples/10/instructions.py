"""The same question with a vague system message and a clear one: compare the two replies."""

import os

from openai import OpenAI

client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
model = os.environ["MODEL"]

QUESTION = "What is a rate limit?"
VAGUE = "You are a helpful assistant."
CLEAR = ("You explain technical terms to owners of small shops who do not write code. "
         "Answer in at most three sentences of plain text, and end with one everyday comparison.")

for name, system in [("vague", VAGUE), ("clear", CLEAR)]:
    response = client.chat.completions.create(
        model=model,
        messages=[
            {"role": "system", "content": system},
            {"role": "user", "content": QUESTION},
        ],
    )
    reply = response.choices[0].message.content
    print(f"--- {name} ({len(reply.split())} words) ---")
    print(reply)
