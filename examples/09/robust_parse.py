"""Section 09 reference: three reviews in JSON mode; a cut-off answer and an invalid one are reported, not used."""

import json
import os
from typing import Literal

from openai import OpenAI
from pydantic import BaseModel, Field, ValidationError

client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])

REVIEWS = [
    "Best headphones I have owned: the noise cancelling is superb and they fold flat.",
    "I returned this kettle: it boils fast and looks lovely, but the lid sticks, the handle gets hot "
    "and the cord is far too short for my kitchen.",
    "Arrived two days late. Works as described.",
]


class Review(BaseModel):
    sentiment: Literal["positive", "negative", "mixed"]
    confidence: float = Field(ge=0, le=1)
    keywords: list[str]


def classify(review):
    """A valid Review, or a sentence saying why there is none."""
    response = client.chat.completions.create(
        model=os.environ["MODEL"],
        messages=[{"role": "user", "content": "Classify this product review as a JSON object with sentiment "
                                              "(positive, negative or mixed), confidence (0 to 1) and keywords "
                                              f"(a list of short phrases).\n\nReview: {review}"}],
        response_format={"type": "json_object"},
        max_tokens=100,
    )
    choice = response.choices[0]
    if choice.finish_reason == "length":
        return None, "the answer was cut off at max_tokens, so the object is incomplete"
    try:
        return Review.model_validate(json.loads(choice.message.content or "")), ""
    except json.JSONDecodeError as exc:
        return None, f"the answer is not JSON ({exc})"
    except ValidationError as exc:
        problem = exc.errors()[0]
        return None, f"rejected: {problem['loc'][0]} is invalid ({problem['msg']})"


for text in REVIEWS:
    print(text[:40] + "...")
    review, problem = classify(text)
    if review is None:
        print("  no result:", problem)
    else:
        print(f"  sentiment: {review.sentiment}, confidence: {review.confidence}, "
              f"keywords: {', '.join(review.keywords)}")
