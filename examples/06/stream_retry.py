"""Section 06 challenge 2: start a broken stream again from the beginning, up to three times."""

import os

import openai
from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)


def stream_once(messages: list[dict]) -> str:
    """Print one streamed answer as it arrives and return it whole; raises if the stream breaks."""
    stream = client.chat.completions.create(model=os.environ["MODEL"], messages=messages, stream=True)
    pieces = []
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            print(chunk.choices[0].delta.content, end="", flush=True)
            pieces.append(chunk.choices[0].delta.content)
    print()
    return "".join(pieces)


messages = [{"role": "user", "content": "Tell me a short story about a lighthouse keeper."}]

reply = None
for attempt in range(1, 4):
    try:
        reply = stream_once(messages)
        break
    except openai.APIError as exc:  # an error event (APIError) or a dropped connection (APIConnectionError)
        print(f"\n[attempt {attempt} broke: {exc}; starting again]", flush=True)

if reply is None:
    raise SystemExit("The stream broke three times; giving up.")
print(f"\nComplete reply: {len(reply)} characters, after {attempt} attempts.")
