"""Count tokens through the server: a count(text) helper built on usage.prompt_tokens.

Used by Section 01's token-counter challenge and again in Section 03.
"""

import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)


def count(text: str) -> int:
    """Prompt tokens for one user message holding `text` (template included)."""
    response = client.chat.completions.create(
        model=os.environ["MODEL"],
        messages=[{"role": "user", "content": text}],
        max_tokens=1,
    )
    return response.usage.prompt_tokens


sentence = "The quick brown fox jumps over the lazy dog."
for label, text in [("a name", "Ada Lovelace"), ("a sentence", sentence), ("the same in capitals", sentence.upper())]:
    print(f"{label:<22} {count(text):>4} tokens")
