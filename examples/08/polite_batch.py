"""Section 08 challenge: six questions, never more than two in flight."""

import os
from concurrent.futures import ThreadPoolExecutor

from openai import OpenAI

client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
questions = [
    "Name a planet.",
    "Name an ocean.",
    "Name a river.",
    "Name a mountain.",
    "Name a desert.",
    "Name a lake.",
]


def ask(question):
    response = client.chat.completions.create(
        model=os.environ["MODEL"],
        messages=[{"role": "user", "content": question}],
    )
    return response.choices[0].message.content


with ThreadPoolExecutor(max_workers=2) as pool:  # at most two requests at once
    for question, answer in zip(questions, pool.map(ask, questions)):
        print(f"{question} -> {answer}")
