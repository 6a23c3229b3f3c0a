"""Section 09 reference: the same review in JSON mode, through the SDK."""

import json
import os

from openai import OpenAI

client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])

REVIEW = "The battery easily lasts two days, but the screen scratched within a week and support never wrote back."
PROMPT = ("Classify this product review. Answer with a JSON object with sentiment (positive, negative or mixed), "
          "confidence (a number from 0 to 1) and keywords (a list of short phrases).\n\nReview: " + REVIEW)

response = client.chat.completions.create(
    model=os.environ["MODEL"],
    messages=[{"role": "user", "content": PROMPT}],
    response_format={"type": "json_object"},
)
review = json.loads(response.choices[0].message.content)
for key, value in review.items():
    print(f"{key}: {value}")
