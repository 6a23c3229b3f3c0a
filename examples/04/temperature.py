"""Section 04 reference: one prompt, three answers, at a high and a low temperature; then greedy decoding."""

import os

import openai
from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)
PROMPT = "Invent a name for a bakery on the moon. Reply with the name only."


def ask(temperature: float, n: int = 3) -> list[str]:
    response = client.chat.completions.create(
        model=os.environ["MODEL"],
        messages=[{"role": "user", "content": PROMPT}],
        temperature=temperature,
        n=n,  # n independent answers to the same prompt, in one request
    )
    return [choice.message.content for choice in response.choices]


for temperature in (1.0, 0.2):
    print(f"temperature={temperature}:")
    for name in ask(temperature):
        print("   ", name)

try:
    ask(0.0)
except openai.BadRequestError as error:
    print("temperature=0 with n=3 was refused:", error.message)

print("temperature=0, three separate calls:")
for _ in range(3):
    print("   ", ask(0.0, n=1)[0])
