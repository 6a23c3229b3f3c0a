"""Section 02 reference: force finish_reason "length" with a tiny budget, and cope with what comes back."""

import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)

response = client.chat.completions.create(
    model=os.environ["MODEL"],
    messages=[
        {"role": "system", "content": "You are a concise science tutor."},
        {"role": "user", "content": "What is a light-year, in one or two sentences?"},
    ],
    max_tokens=16,  # far too few on purpose
)

choice = response.choices[0]
content = choice.message.content
print("finish_reason:", choice.finish_reason)
print("completion_tokens:", response.usage.completion_tokens)

if choice.finish_reason == "length" and content:
    print("The answer was cut off:", content)
elif choice.finish_reason == "length":
    print("The budget ran out while the model was still reasoning: there is no answer at all.")
elif choice.finish_reason == "stop":
    print("A complete answer:", content)
else:
    print("The reply ended for another reason; content is", repr(content))
