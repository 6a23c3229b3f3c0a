"""One question, four tool_choice settings: what each one lets the model do."""

import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)
model = os.environ["MODEL"]

tools = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather for a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
                "additionalProperties": False,
            },
        },
    }
]
messages = [{"role": "user", "content": "Will I need an umbrella in Lisbon today?"}]

choices = ["auto", "required", "none", {"type": "function", "function": {"name": "get_weather"}}]
for tool_choice in choices:
    response = client.chat.completions.create(model=model, messages=messages, tools=tools, tool_choice=tool_choice)
    choice = response.choices[0]
    print(f"tool_choice={tool_choice}")
    print("  finish_reason:", choice.finish_reason)
    for call in choice.message.tool_calls or []:
        print("  tool call:", call.function.name, call.function.arguments)
    if choice.message.content:
        print("  content:", choice.message.content)
