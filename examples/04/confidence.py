"""Section 04 challenge 3: answer only when the model was sure of the first token of its answer."""

import math
import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)
THRESHOLD = 0.75
QUESTIONS = [
    "Is the Pacific the largest ocean? Answer yes or no.",
    "Is a hot dog a sandwich? Answer yes or no.",
]

for question in QUESTIONS:
    response = client.chat.completions.create(
        model=os.environ["MODEL"],
        messages=[{"role": "user", "content": question}],
        logprobs=True,
    )
    choice = response.choices[0]
    tokens = choice.logprobs.content
    positions = [i for i, item in enumerate(tokens) if item.token == "<|message|>"]
    confidence = math.exp(tokens[positions[-1] + 1].logprob)  # the answer's first token
    print(question)
    if confidence >= THRESHOLD:
        print(f"    {choice.message.content} ({confidence:.1%} sure)")
    else:
        print(f"    Not sure enough to answer ({confidence:.1%} sure).")
