"""Section 04 reference: how sure the model was of every token, and what it almost said instead."""

import math
import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)

response = client.chat.completions.create(
    model=os.environ["MODEL"],
    messages=[{"role": "user", "content": "Is a tomato a fruit or a vegetable? Answer with one word."}],
    logprobs=True,
    top_logprobs=3,  # also the three likeliest tokens at each position
)
print("reply:", response.choices[0].message.content)

tokens = response.choices[0].logprobs.content
for item in tokens:
    probability = math.exp(item.logprob)  # a logprob is the natural log of a probability
    print(f"{item.token!r:>16} {probability:8.2%}")

# gpt-oss writes its reasoning first; the answer starts after the last <|message|> marker.
positions = [i for i, item in enumerate(tokens) if item.token == "<|message|>"]
first = tokens[positions[-1] + 1]
print(f"Instead of {first.token!r} the model might have written:")
for alternative in first.top_logprobs:
    print(f"{alternative.token!r:>16} {math.exp(alternative.logprob):8.2%}")
