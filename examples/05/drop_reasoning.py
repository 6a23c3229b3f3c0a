"""Section 05 challenge: send back the earlier answer with and without its reasoning, and compare."""

import os

from openai import OpenAI

client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
model = os.environ["MODEL"]
question = "A train leaves at 14:45 and the trip takes 2 hours and 50 minutes. When does it arrive?"
first = {"role": "user", "content": question}
follow_up = {"role": "user", "content": "And if it is 20 minutes late?"}

answer = client.chat.completions.create(model=model, messages=[first]).choices[0].message
print("First answer:", answer.content)

without = {"role": "assistant", "content": answer.content}
with_reasoning = {"role": "assistant", "content": answer.content, "reasoning": answer.reasoning}

plain = client.chat.completions.create(model=model, messages=[first, without, follow_up])
full = client.chat.completions.create(model=model, messages=[first, with_reasoning, follow_up])
print("Follow-up:", plain.choices[0].message.content)
print("prompt tokens without the reasoning:", plain.usage.prompt_tokens)
print("prompt tokens with the reasoning:   ", full.usage.prompt_tokens)
