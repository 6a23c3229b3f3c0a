"""Two turns through the Responses API on a server that stores nothing: the history travels in `input`."""

import os

import openai
from openai import OpenAI

client = OpenAI()
MODEL = os.environ["MODEL"]
INSTRUCTIONS = "Answer in one sentence."
FIRST = "What does HTTP status 404 mean?"
SECOND = "And how is 410 different?"

first = client.responses.create(model=MODEL, instructions=INSTRUCTIONS, input=FIRST)
print("first answer:", first.output_text)

try:
    client.responses.create(model=MODEL, instructions=INSTRUCTIONS, input=SECOND, previous_response_id=first.id)
    print("previous_response_id worked: this server stores responses")
except openai.NotFoundError as error:
    print("previous_response_id refused:", error.status_code, "- the server kept nothing")

history = [
    {"role": "user", "content": FIRST},
    {"role": "assistant", "content": first.output_text},
    {"role": "user", "content": SECOND},
]
second = client.responses.create(model=MODEL, instructions=INSTRUCTIONS, input=history)
print("second answer:", second.output_text)
