"""Section 09 reference: a review classified as JSON by hand, asked nicely first, then with a strict schema."""

import json
import os

import requests

base_url = os.environ["OPENAI_BASE_URL"].rstrip("/")
headers = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}
model = os.environ["MODEL"]

REVIEW = "The battery easily lasts two days, but the screen scratched within a week and support never wrote back."
PROMPT = ("Classify this product review. Answer with JSON only: an object with sentiment (positive, negative or "
          "mixed), confidence (a number from 0 to 1) and keywords (a list of short phrases).\n\nReview: " + REVIEW)


def ask(**extra):
    payload = {"model": model, "messages": [{"role": "user", "content": PROMPT}], **extra}
    response = requests.post(f"{base_url}/chat/completions", headers=headers, json=payload, timeout=60)
    response.raise_for_status()
    return response.json()["choices"][0]["message"]["content"]


text = ask()
print("The reply, as it came:")
print(text)
try:
    review = json.loads(text)
    print("It parsed:", review)
except json.JSONDecodeError as exc:
    print(f"Not JSON: {exc}")

SCHEMA = {
    "type": "object",
    "properties": {
        "sentiment": {"type": "string", "enum": ["positive", "negative", "mixed"]},
        "confidence": {"type": "number"},
        "keywords": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["sentiment", "confidence", "keywords"],
    "additionalProperties": False,
}

text = ask(response_format={"type": "json_schema",
                            "json_schema": {"name": "review", "schema": SCHEMA, "strict": True}})
review = json.loads(text)
print()
print("With the schema:")
print("sentiment:", review["sentiment"])
print("confidence:", review["confidence"])
print("keywords:", ", ".join(review["keywords"]))
