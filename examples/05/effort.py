"""Section 05 reference: the same question at low, medium and high reasoning effort."""

import os
import time

from openai import OpenAI

client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
question = "How many weekdays (Monday to Friday) are there in February 2028?"

for effort in ["low", "medium", "high"]:
    started = time.perf_counter()
    response = client.chat.completions.create(
        model=os.environ["MODEL"],
        messages=[{"role": "user", "content": question}],
        reasoning_effort=effort,
    )
    seconds = time.perf_counter() - started
    usage = response.usage
    print(f"=== {effort} ===")
    print(f"reasoning tokens: {usage.completion_tokens_details.reasoning_tokens}, "
          f"completion tokens: {usage.completion_tokens}, prompt tokens: {usage.prompt_tokens}, "
          f"time: {seconds:.2f} s")
    print(response.choices[0].message.content)
    print()
