"""Section 09 reference: a Pydantic model as the schema, with client.chat.completions.parse()."""

import os
from typing import Literal

from openai import OpenAI
from pydantic import BaseModel

client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])

REVIEW = "The battery easily lasts two days, but the screen scratched within a week and support never wrote back."


class Review(BaseModel):
    sentiment: Literal["positive", "negative", "mixed"]
    confidence: float
    keywords: list[str]


completion = client.chat.completions.parse(
    model=os.environ["MODEL"],
    messages=[{"role": "user", "content": f"Classify this product review.\n\nReview: {REVIEW}"}],
    response_format=Review,
)
review = completion.choices[0].message.parsed
print("sentiment:", review.sentiment)
print("confidence:", review.confidence)
print("keywords:", ", ".join(review.keywords))
