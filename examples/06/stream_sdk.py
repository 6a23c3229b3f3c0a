"""Section 06 reference: stream with the SDK, keep the whole reply, and continue the conversation."""

import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)


def stream_reply(messages: list[dict]) -> str:
    """Print the answer as it arrives and return it whole."""
    stream = client.chat.completions.create(model=os.environ["MODEL"], messages=messages, stream=True)
    pieces = []
    for chunk in stream:
        delta = chunk.choices[0].delta
        if delta.content:  # None on reasoning chunks and on the final chunk
            print(delta.content, end="", flush=True)
            pieces.append(delta.content)
    print()
    return "".join(pieces)


messages = [
    {"role": "system", "content": "You are a friendly programming tutor. Keep answers short."},
    {"role": "user", "content": "Which programming language should a beginner learn first? Answer in two sentences."},
]
reply = stream_reply(messages)

messages.append({"role": "assistant", "content": reply})
messages.append({"role": "user", "content": "Show me hello world in it."})
stream_reply(messages)
