"""A run_python tool: the model writes code, the sandbox runs it, the result goes back to the model."""

import json
import os
import sys

from openai import OpenAI

from sandbox import run_untrusted

client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
model = os.environ["MODEL"]

RUN_PYTHON = {
    "type": "function",
    "function": {
        "name": "run_python",
        "description": "Run a Python program in a sandbox and get its stdout, stderr, exit code and any limit hit.",
        "parameters": {
            "type": "object",
            "properties": {"code": {"type": "string", "description": "a complete Python program that prints"}},
            "required": ["code"],
        },
    },
}

messages = [{"role": "user", "content": sys.stdin.read().strip()}]
for step in range(5):
    message = client.chat.completions.create(model=model, messages=messages, tools=[RUN_PYTHON]).choices[0].message
    if not message.tool_calls:
        print("answer:", message.content)
        break
    messages.append(message.model_dump(exclude_none=True))
    for call in message.tool_calls:
        code = json.loads(call.function.arguments)["code"]
        result = run_untrusted(code)
        print(f"ran {len(code.splitlines())} lines: exit_code={result['exit_code']} limit={result['limit']}")
        messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)})
