"""The agent loop with a tool that acts on the world: send_email runs only after you type y."""

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


def send_email(to: str, subject: str, body: str) -> dict:
    print(f"--- email to {to}: {subject}\n{body}\n---")  # a stand-in for your mail server
    return {"status": "Email sent", "to": to}


TOOLS = {"get_order": get_order, "track_parcel": track_parcel, "send_email": send_email}
ACTS_ON_THE_WORLD = {"send_email"}
SCHEMAS = [
    {"type": "function", "function": {
        "name": "get_order", "description": "Look up an order by its id, such as A-1001.",
        "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}}},
    {"type": "function", "function": {
        "name": "track_parcel", "description": "Where a shipped parcel is, by its tracking number.",
        "parameters": {"type": "object", "properties": {"tracking_number": {"type": "string"}},
                       "required": ["tracking_number"]}}},
    {"type": "function", "function": {
        "name": "send_email", "description": "Send an email to a customer.",
        "parameters": {"type": "object", "properties": {"to": {"type": "string"}, "subject": {"type": "string"},
                                                        "body": {"type": "string"}},
                       "required": ["to", "subject", "body"]}}},
]


def allowed(name: str, arguments: str) -> bool:
    """Ask the user before a tool that acts on the world; no answer (end of input) means no."""
    try:
        answer = input(f"\nThe agent wants to run {name} with {arguments}\nAllow it? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def run_tool(name: str, arguments: str) -> str:
    """Run one tool call. Whatever goes wrong becomes an error result the model can read."""
    if name not in TOOLS:
        return json.dumps({"error": f"there is no tool called {name}"})
    if name in ACTS_ON_THE_WORLD and not allowed(name, arguments):
        return json.dumps({"error": f"the user did not allow {name}: nothing was done"})
    try:
        function = TOOLS[name]
        result = function(**json.loads(arguments))
    except Exception as error:
        return json.dumps({"error": f"{name} failed: {type(error).__name__}: {error}"})
    return json.dumps(result)


MAX_STEPS = 10

messages = [
    {"role": "system", "content": "You answer customers of Paperback Lane, an online bookshop. Use the tools; never guess."},
    {"role": "user", "content": input("You: ")},
]
for step in range(1, MAX_STEPS + 1):
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
else:
    print(f"Stopped: reached the limit of {MAX_STEPS} steps without a final answer.")
