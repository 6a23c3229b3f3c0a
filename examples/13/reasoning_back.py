"""The follow-up request sent twice: with the reasoning of the tool-calling turn, and without it."""

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
                "properties": {"city": {"type": "string", "description": "City name, such as Lisbon"}},
                "required": ["city"],
                "additionalProperties": False,
            },
        },
    }
]
question = {"role": "user", "content": "What's the weather like in Lisbon right now?"}
first = client.chat.completions.create(model=model, messages=[question], tools=tools)
message = first.choices[0].message
call = message.tool_calls[0]
city = json.loads(call.function.arguments)["city"]
result = {"role": "tool", "tool_call_id": call.id, "content": json.dumps({"city": city, **WEATHER[city]})}

with_reasoning = message.model_dump(exclude_none=True)
without_reasoning = {key: value for key, value in with_reasoning.items() if key != "reasoning"}
print("reasoning sent back:", with_reasoning.get("reasoning"))

counts = {}
for label, assistant in [("with reasoning", with_reasoning), ("without reasoning", without_reasoning)]:
    second = client.chat.completions.create(model=model, messages=[question, assistant, result], tools=tools)
    counts[label] = second.usage.prompt_tokens
    print(f"{label}: prompt_tokens {second.usage.prompt_tokens}, answer: {second.choices[0].message.content}")
print("difference:", counts["with reasoning"] - counts["without reasoning"], "tokens")
