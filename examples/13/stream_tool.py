"""A streamed tool call: the pieces of each call arrive by index and are put together before the function runs."""

import json
import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)
model = os.environ["MODEL"]

WEATHER = {"Lisbon": {"temperature_c": 19, "conditions": "sunny"}}

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
messages = [{"role": "user", "content": "What's the weather like in Lisbon right now?"}]

calls = {}
stream = client.chat.completions.create(model=model, messages=messages, tools=tools, stream=True)
for chunk in stream:
    for piece in chunk.choices[0].delta.tool_calls or []:
        call = calls.setdefault(piece.index, {"id": None, "name": "", "arguments": ""})
        if piece.id:
            call["id"] = piece.id
        if piece.function and piece.function.name:
            call["name"] += piece.function.name
        if piece.function and piece.function.arguments:
            call["arguments"] += piece.function.arguments

tool_calls = [
    {"id": c["id"], "type": "function", "function": {"name": c["name"], "arguments": c["arguments"]}}
    for _, c in sorted(calls.items())
]
messages.append({"role": "assistant", "content": None, "tool_calls": tool_calls})
for call in tool_calls:
    print("assembled:", call["function"]["name"], call["function"]["arguments"])
    city = json.loads(call["function"]["arguments"])["city"]
    result = {"city": city, **WEATHER[city]} if city in WEATHER else {"error": f"no weather data for {city}"}
    messages.append({"role": "tool", "tool_call_id": call["id"], "content": json.dumps(result)})

answer = client.chat.completions.create(model=model, messages=messages, tools=tools)
print("answer:", answer.choices[0].message.content)
