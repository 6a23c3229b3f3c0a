"""A calculator tool whose arguments are checked before anything runs: numbers only, four operations, and only
the functions the script offered."""

import json
import os
import sys

from openai import OpenAI

client = OpenAI(
    base_url=os.environ["OPENAI_BASE_URL"],
    api_key=os.environ["OPENAI_API_KEY"],
)
model = os.environ["MODEL"]

OPERATIONS = {
    "add": lambda a, b: a + b,
    "subtract": lambda a, b: a - b,
    "multiply": lambda a, b: a * b,
    "divide": lambda a, b: a / b,
}


def calculate(operation, a, b):
    return {"result": OPERATIONS[operation](a, b)}


def check_calculate(arguments):
    """The reason the arguments break the schema, or None when they fit it."""
    if not isinstance(arguments, dict):
        return "the arguments are not a JSON object"
    if set(arguments) != {"operation", "a", "b"}:
        return f"expected exactly operation, a and b, got {sorted(arguments)}"
    if arguments["operation"] not in OPERATIONS:
        return f"operation must be one of {list(OPERATIONS)}, got {arguments['operation']!r}"
    for name in ("a", "b"):
        value = arguments[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{name} must be a number, got {value!r}"
    if arguments["operation"] == "divide" and arguments["b"] == 0:
        return "cannot divide by zero"
    return None


FUNCTIONS = {"calculate": (calculate, check_calculate)}

tools = [
    {
        "type": "function",
        "function": {
            "name": "calculate",
            "description": "Exact arithmetic on two numbers.",
            "parameters": {
                "type": "object",
                "properties": {
                    "operation": {"type": "string", "enum": list(OPERATIONS)},
                    "a": {"type": "number"},
                    "b": {"type": "number"},
                },
                "required": ["operation", "a", "b"],
                "additionalProperties": False,
            },
        },
    }
]


def run_call(call):
    """The tool message's content for one call: the result, or an error the model can read."""
    name = call.function.name
    if name not in FUNCTIONS:
        print(f"refused: the model asked for {name}, which this script does not offer")
        return json.dumps({"error": f"unknown function {name}"})
    function, check = FUNCTIONS[name]
    try:
        arguments = json.loads(call.function.arguments)
    except json.JSONDecodeError:
        print(f"rejected: the arguments for {name} are not valid JSON: {call.function.arguments}")
        return json.dumps({"error": "arguments are not valid JSON"})
    problem = check(arguments)
    if problem:
        print(f"rejected: bad arguments for {name}: {problem}")
        return json.dumps({"error": problem})
    result = function(**arguments)
    print(f"{name}({arguments}) -> {result}")
    return json.dumps(result)


question = sys.stdin.read().strip()
messages = [{"role": "user", "content": question}]
first = client.chat.completions.create(model=model, messages=messages, tools=tools)
message = first.choices[0].message
if not message.tool_calls:
    print("answer:", message.content)
    sys.exit()
messages.append(message)
for call in message.tool_calls:
    messages.append({"role": "tool", "tool_call_id": call.id, "content": run_call(call)})

second = client.chat.completions.create(model=model, messages=messages, tools=tools)
print("answer:", second.choices[0].message.content)
