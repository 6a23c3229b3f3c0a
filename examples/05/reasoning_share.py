"""Section 05 challenge: what share of the completion tokens each effort spends on reasoning."""

import os

from openai import OpenAI

client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
question = "Which is larger, 2^100 or 3^60? Answer in one sentence."

for effort in ["low", "medium", "high"]:
    usage = client.chat.completions.create(
        model=os.environ["MODEL"],
        messages=[{"role": "user", "content": question}],
        reasoning_effort=effort,
    ).usage
    reasoning = usage.completion_tokens_details.reasoning_tokens
    share = 100 * reasoning / usage.completion_tokens
    print(f"{effort:>6}: {reasoning} of {usage.completion_tokens} completion tokens are reasoning ({share:.0f}%)")
