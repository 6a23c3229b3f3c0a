"""Section 09 reference, challenge 2: every item of a receipt, through a nested Pydantic model and parse()."""

import os

from openai import OpenAI
from pydantic import BaseModel

client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])

RECEIPT = """GREEN GROCER, 14 Mill Lane
Oat milk 1L            1.89
Sourdough loaf         3.40
Free-range eggs x6     2.75
Bananas 1.2kg          1.44
TOTAL                  9.48"""


class Item(BaseModel):
    name: str
    price: float


class Receipt(BaseModel):
    items: list[Item]
    total: float


completion = client.chat.completions.parse(
    model=os.environ["MODEL"],
    messages=[{"role": "user", "content": f"Extract every item with its price, and the total, from this receipt.\n\n"
                                          f"{RECEIPT}"}],
    response_format=Receipt,
)
receipt = completion.choices[0].message.parsed
for item in receipt.items:
    print(f"{item.name}: {item.price:.2f}")
print(f"total: {receipt.total:.2f}")
