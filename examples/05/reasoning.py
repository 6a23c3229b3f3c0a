"""Section 05 reference: read the reasoning and the answer, first with requests, then with the SDK."""

import os

import requests
from openai import OpenAI

base_url = os.environ["OPENAI_BASE_URL"].rstrip("/")
api_key = os.environ["OPENAI_API_KEY"]
model = os.environ["MODEL"]
question = "A train leaves at 14:45 and the trip takes 2 hours and 50 minutes. When does it arrive?"

# 1. Raw HTTP: the reasoning and the answer are two keys of the same message.
response = requests.post(
    f"{base_url}/chat/completions",
    headers={"Authorization": f"Bearer {api_key}"},
    json={"model": model, "messages": [{"role": "user", "content": question}]},
    timeout=60,
)
response.raise_for_status()
data = response.json()
message = data["choices"][0]["message"]
usage = data["usage"]

print("--- raw HTTP ---")
print("Reasoning:", message["reasoning"])
print("Answer:", message["content"])
print(f"{usage['completion_tokens']} completion tokens, of which "
      f"{usage['completion_tokens_details']['reasoning_tokens']} were reasoning")

# 2. The SDK: `reasoning` is not part of OpenAI's types, so it arrives as an extra attribute.
client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=api_key)
completion = client.chat.completions.create(model=model, messages=[{"role": "user", "content": question}])
reply = completion.choices[0].message

print("--- openai SDK ---")
print("Reasoning:", getattr(reply, "reasoning", None))
print("Answer:", reply.content)
print(f"{completion.usage.completion_tokens} completion tokens, of which "
      f"{completion.usage.completion_tokens_details.reasoning_tokens} were reasoning")
