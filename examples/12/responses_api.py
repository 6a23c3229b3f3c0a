"""One question through the Responses API: its output items, the answer read from the message item, and usage."""

import os

from openai import OpenAI

client = OpenAI()  # reads OPENAI_BASE_URL and OPENAI_API_KEY
response = client.responses.create(
    model=os.environ["MODEL"],
    instructions="Answer in one sentence.",
    input="What does HTTP status 404 mean?",
)

print("id:", response.id)
print("status:", response.status)
for item in response.output:
    if item.type == "reasoning":
        print("reasoning item:", " ".join(part.text for part in item.content or []))
    elif item.type == "message":
        print("message item:", " ".join(part.text for part in item.content if part.type == "output_text"))
    else:
        print("other item:", item.type)

print("answer:", response.output_text)
usage = response.usage
print("input_tokens:", usage.input_tokens)
print("output_tokens:", usage.output_tokens)
print("reasoning_tokens:", usage.output_tokens_details.reasoning_tokens)
