"""One tool, one hop: the model asks for get_weather, the script runs it and sends the result back."""

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
                "properties": {"city": {"type": "string", "description": "City name, such as Lisbon"}},
                "required": ["city"],
                "additionalProperties": False,
            },
        },
    }
]

messages = [{"role": "user", "content": "What's the weather like in Lisbon right now?"}]
first = client.chat.completions.create(model=model, messages=messages, tools=tools)
message = first.choices[0].message
print("finish_reason:", first.choices[0].finish_reason)
print("prompt_tokens:", first.usage.prompt_tokens)

messages.append(message)
for call in message.tool_calls:
    print("the model asks for:", call.function.name, call.function.arguments)
    arguments = json.loads(call.function.arguments)
    result = get_weather(arguments["city"])
    messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)})

second = client.chat.completions.create(model=model, messages=messages, tools=tools)
print("prompt_tokens:", second.usage.prompt_tokens)
print("answer:", second.choices[0].message.content)
