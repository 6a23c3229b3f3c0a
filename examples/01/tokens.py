"""Section 01 reference: how long two prompts are once rendered, as the server reports it."""

import os

from openai import OpenAI

client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])

for text in ["hi", "hi " * 50]:
    completion = client.chat.completions.create(
        model=os.environ["MODEL"],
        messages=[{"role": "user", "content": text}],
        max_tokens=1,  # only the prompt is measured, so one token of reply is plenty
    )
    print(completion.usage.prompt_tokens)  # the size after the chat template
