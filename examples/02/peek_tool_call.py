"""Section 02: a first look at finish_reason "tool_calls" (Section 13 builds on it)."""

import json
import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)
weather_tool = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The current weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}

response = client.chat.completions.create(
    model=os.environ["MODEL"],
    messages=[{"role": "user", "content": "What is the weather in Lisbon right now?"}],
    tools=[weather_tool],
)

choice = response.choices[0]
print("finish_reason:", choice.finish_reason)
print("content:", choice.message.content)
for call in choice.message.tool_calls or []:
    print("tool call:", call.function.name, json.loads(call.function.arguments))
