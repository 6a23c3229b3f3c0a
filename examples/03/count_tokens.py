"""Count tokens through the server: a count(text) helper built on usage.prompt_tokens.

Used by Section 01's token-counter challenge and again in Section 03, which prints a table:
characters against tokens for many kinds of text.
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
        max_tokens=1,  # only the input is measured
    )
    return response.usage.prompt_tokens


empty = count("")  # the template around a message, with no text in it
print(f"an empty message costs {empty} prompt tokens\n")

sentence = "The quick brown fox jumps over the lazy dog."
samples = [
    ("a name", "Ada Lovelace"),
    ("short words", "I am on my way to the bus."),
    ("long words", "Internationalization requires uncharacteristically thorough documentation."),
    ("a sentence", sentence),
    ("the same in capitals", sentence.upper()),
    ("numbers", "3.14159 2,718,281 1600-12-31"),
    ("code", "for i in range(10): print(i ** 2)"),
    ("emoji", "🎉🚀🙂👍🏽"),
    ("French", "Je voudrais un café crème, s'il vous plaît."),
    ("Japanese", "東京は日本の首都です。"),
]

print(f"{'text':<22}{'chars':>6}{'prompt':>8}{'own':>6}{'chars/token':>13}")
for label, text in samples:
    prompt = count(text)
    own = prompt - empty  # the text's own tokens: the template is the same every time
    print(f"{label:<22}{len(text):>6}{prompt:>8}{own:>6}{len(text) / own:>13.1f}")
