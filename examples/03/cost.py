"""Section 03: what each call costs, from its usage and one price table, and a running total."""

import os

from openai import OpenAI

# Made-up prices in dollars per million tokens, for this course only: look up your provider's real ones.
PRICES = {"input": 0.25, "output": 1.00}

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)


def cost_of(usage) -> float:
    """Dollars for one call. completion_tokens already includes the reasoning tokens, billed as output."""
    return (usage.prompt_tokens * PRICES["input"] + usage.completion_tokens * PRICES["output"]) / 1_000_000


print(f"prices (made up): ${PRICES['input']:.2f} per million input tokens, ${PRICES['output']:.2f} per million output tokens")

questions = [
    "What is a token, in one sentence?",
    "Write a haiku about the context window.",
    "Give three ways to cut the cost of LLM calls.",
]
total = 0.0
for question in questions:
    response = client.chat.completions.create(
        model=os.environ["MODEL"],
        messages=[{"role": "user", "content": question}],
        max_tokens=500,
    )
    usage = response.usage
    cost = cost_of(usage)
    total += cost
    reasoning = usage.completion_tokens_details.reasoning_tokens
    print(f"\n{question}")
    print(f"  in {usage.prompt_tokens}, out {usage.completion_tokens} (of which {reasoning} reasoning)")
    print(f"  cost ${cost:.6f}, running total ${total:.6f}")
