"""Section 09 reference, challenge 1: an invalid answer goes back to the model with the error, once."""

import json
import os
from typing import Literal

from openai import OpenAI
from pydantic import BaseModel, Field, ValidationError

client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])

REVIEW = "Arrived two days late. Works as described."


class Review(BaseModel):
    sentiment: Literal["positive", "negative", "mixed"]
    confidence: float = Field(ge=0, le=1)
    keywords: list[str]


messages = [{"role": "user", "content": "Classify this product review as a JSON object with sentiment (positive, "
                                        "negative or mixed), confidence (0 to 1) and keywords (a list of short "
                                        f"phrases).\n\nReview: {REVIEW}"}]
for attempt in (1, 2):
    response = client.chat.completions.create(model=os.environ["MODEL"], messages=messages,
                                              response_format={"type": "json_object"})
    answer = response.choices[0].message.content or ""
    try:
        review = Review.model_validate(json.loads(answer))
        break
    except (json.JSONDecodeError, ValidationError) as exc:
        print(f"attempt {attempt} rejected: {exc}")
        messages += [{"role": "assistant", "content": answer},
                     {"role": "user", "content": f"That answer is invalid: {exc}\nReply with a corrected JSON object."}]
else:
    raise SystemExit("No valid answer after two attempts.")

print(f"sentiment: {review.sentiment}, confidence: {review.confidence}, keywords: {', '.join(review.keywords)}")
