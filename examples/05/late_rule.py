"""Section 05 challenge: a developer message in the middle of a conversation."""

import os

from openai import OpenAI

client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])

response = client.chat.completions.create(
    model=os.environ["MODEL"],
    messages=[
        {"role": "developer", "content": "You are a friendly travel assistant. Keep answers to one or two sentences."},
        {"role": "user", "content": "Suggest one thing to do in Lisbon."},
        {"role": "assistant", "content": "Ride the historic tram 28 through the Alfama district "
                                         "for views of the old town and the river."},
        {"role": "developer", "content": "From now on, answer only in Portuguese."},
        {"role": "user", "content": "And one thing to eat there?"},
    ],
)
print(response.choices[0].message.content)
print("prompt tokens:", response.usage.prompt_tokens)
