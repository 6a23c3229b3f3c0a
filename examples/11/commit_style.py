"""Few-shot for format: three commit messages in the house style teach it better than a description would."""

import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)
model = os.environ["MODEL"]

EXAMPLES = [
    ("Fixed the crash when the settings file is missing", "settings: handle a missing settings file"),
    ("Added a --verbose flag to the command line", "cli: add --verbose flag"),
    ("Updated the README install steps for Windows", "docs: update the Windows install steps"),
]
change = "Made the retry loop stop after five attempts"

messages = [{"role": "system", "content": "Write a one-line commit message for the change described."}]
for described, commit in EXAMPLES:
    messages.append({"role": "user", "content": described})
    messages.append({"role": "assistant", "content": commit})
messages.append({"role": "user", "content": change})

response = client.chat.completions.create(model=model, messages=messages)
print(response.choices[0].message.content)
