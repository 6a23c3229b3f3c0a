"""Two tool calls in one reply: every call gets its own tool message, then one more request for the answer."""

import json
import os

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)
model = os.environ["MODEL"]

WEATHER = {
    "Lisbon": {"temperature_c": 19, "conditions": "sunny"},
    "Oslo": {"temperature_c": -3, "conditions": "light snow"},
    "Nairobi": {"temperature_c": 24, "conditions": "cloudy"},
}


def get_weather(city):
    if city not in WEATHER:
        return {"error": f"no weather data for {city}"}
    return {"city": city, **WEATHER[city]}


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

messages = [{"role": "user", "content": "Is it colder in Lisbon or in Oslo right now?"}]
first = client.chat.completions.create(model=model, messages=messages, tools=tools)
message = first.choices[0].message
print("preamble:", message.content)
messages.append(message)
for call in message.tool_calls:
    arguments = json.loads(call.function.arguments)
    if call.function.name != "get_weather" or not isinstance(arguments.get("city"), str):
        result = {"error": f"cannot run {call.function.name} with {arguments}"}
    else:
        result = get_weather(arguments["city"])
    print(f"{call.id}: {call.function.name}({arguments}) -> {result}")
    messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)})

second = client.chat.completions.create(model=model, messages=messages, tools=tools)
print("answer:", second.choices[0].message.content)
