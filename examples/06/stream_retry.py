"""Section 06 challenge 2: start a broken stream again from the beginning, up to three times."""

import os

import openai
from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)


class BrokenStream(Exception):
    """The stream started (status 200) but stopped before the server said the answer was finished."""


def stream_once(messages: list[dict]) -> str:
    """Print one streamed answer as it arrives and return it whole; raise BrokenStream if it breaks."""
    # Outside the try: an error status here (401, 404, a 503 the SDK already retried) is not a broken stream.
    stream = client.chat.completions.create(model=os.environ["MODEL"], messages=messages, stream=True)
    pieces, finish_reason = [], None
    try:
        for chunk in stream:
            if not chunk.choices:
                continue
            choice = chunk.choices[0]
            if choice.delta.content:
                print(choice.delta.content, end="", flush=True)
                pieces.append(choice.delta.content)
            finish_reason = choice.finish_reason or finish_reason
    except openai.APIError as exc:  # while reading: an error event, or APIConnectionError for a dropped connection
        raise BrokenStream(str(exc)) from exc
    finally:
        print()
    if finish_reason is None:  # the body ended cleanly, but the server never said it was done
        raise BrokenStream("the stream ended without a finish_reason")
    return "".join(pieces)


messages = [{"role": "user", "content": "Tell me a short story about a lighthouse keeper."}]

reply = None
for attempt in range(1, 4):
    try:
        reply = stream_once(messages)
        break
    except BrokenStream as exc:
        print(f"[attempt {attempt} broke: {exc}; starting again]", flush=True)

if reply is None:
    raise SystemExit("The stream broke three times; giving up.")
print(f"\nComplete reply: {len(reply)} characters, after {attempt} attempts.")
