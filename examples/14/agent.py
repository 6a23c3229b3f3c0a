"""An agent: call the model, run every tool it asks for, send the results back, until it answers in words."""

import json
import os

from openai import OpenAI

client = OpenAI(base_url=os.environ["OPENAI_BASE_URL"], api_key=os.environ["OPENAI_API_KEY"])
model = os.environ["MODEL"]

ORDERS = {
    "A-1001": {"item": "The Hobbit", "status": "shipped", "tracking_number": "JD014600"},
    "A-1002": {"item": "Dune", "status": "packing"},
}
PARCELS = {"JD014600": {"carrier": "DHL", "status": "in transit", "location": "Lyon hub", "expected": "Thursday"}}


def get_order(order_id: str) -> dict:
    return ORDERS[order_id]


def track_parcel(tracking_number: str) -> dict:
    return PARCELS[tracking_number]


TOOLS = {"get_order": get_order, "track_parcel": track_parcel}
SCHEMAS = [
    {"type": "function", "function": {
        "name": "get_order", "description": "Look up an order by its id, such as A-1001.",
        "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}}},
    {"type": "function", "function": {
        "name": "track_parcel", "description": "Where a shipped parcel is, by its tracking number.",
        "parameters": {"type": "object", "properties": {"tracking_number": {"type": "string"}},
                       "required": ["tracking_number"]}}},
]


def run_tool(name: str, arguments: str) -> str:
    """Run one tool call. Whatever goes wrong becomes an error result the model can read."""
    if name not in TOOLS:
        return json.dumps({"error": f"there is no tool called {name}"})
    try:
        function = TOOLS[name]
        result = function(**json.loads(arguments))
    except Exception as error:
        return json.dumps({"error": f"{name} failed: {type(error).__name__}: {error}"})
    return json.dumps(result)


messages = [
    {"role": "system", "content": "You answer customers of Paperback Lane, an online bookshop. Use the tools; never guess."},
    {"role": "user", "content": input("You: ")},
]
step = 0
while True:
    step += 1
    response = client.chat.completions.create(model=model, messages=messages, tools=SCHEMAS)
    message = response.choices[0].message
    if not message.tool_calls:
        print(f"Agent: {message.content}")
        break
    messages.append(message.model_dump(exclude_none=True))
    for call in message.tool_calls:
        result = run_tool(call.function.name, call.function.arguments)
        print(f"[step {step}] {call.function.name}({call.function.arguments}) -> {result}")
        messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
