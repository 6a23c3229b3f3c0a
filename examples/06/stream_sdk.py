"""Section 06 reference: stream with the SDK, keep the whole reply, and continue the conversation."""

import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)


def stream_reply(messages: list[dict]) -> str:
    """Print the answer as it arrives and return it whole; raise if the stream never finished."""
    stream = client.chat.completions.create(model=os.environ["MODEL"], messages=messages, stream=True)
    pieces, finish_reason = [], None
    for chunk in stream:
        choice = chunk.choices[0]
        if choice.delta.content:  # None on reasoning chunks
            print(choice.delta.content, end="", flush=True)
            pieces.append(choice.delta.content)
        finish_reason = choice.finish_reason or finish_reason
    print()
    if finish_reason is None:  # the SDK ends the loop quietly when the body stops early
        raise RuntimeError("The stream ended without a finish_reason: the reply is incomplete.")
    if finish_reason == "length":
        print("[cut off: the reply ran out of tokens]")
    return "".join(pieces)


messages = [
    {"role": "system", "content": "You are a friendly programming tutor. Keep answers short."},
    {"role": "user", "content": "Which programming language should a beginner learn first? Answer in two sentences."},
]
reply = stream_reply(messages)

messages.append({"role": "assistant", "content": reply})
messages.append({"role": "user", "content": "Show me hello world in it."})
stream_reply(messages)
