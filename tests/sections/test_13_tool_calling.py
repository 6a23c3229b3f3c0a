"""Section 13 · Tool Calling: a function described with JSON Schema, the reply that asks for it, the function run
by the script, and the second request that carries the call and its result back.

The checks read the wire: the tool schema of the first request, the assistant message and the tool messages of
the second, and what each tool message holds for the arguments the model recorded. Arguments are untrusted: a
scenario smuggles Python code into one, another names a function the script never offered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from grader import paths
from grader.checks import CheckFailed, Evidence, quote, quote_output
from grader.checks.common import CHAT, find_values, printed_with_error, replies_printed_once, sends_model_from_env
from grader.endpoint.session import LoggedRequest
from grader.suite import Section

CALC_QUESTION = (paths.EXAMPLES / "13" / "calculator.txt").read_text(encoding="utf-8")
INJECTION = (paths.EXAMPLES / "13" / "injection.txt").read_text(encoding="utf-8")
UNKNOWN = (paths.EXAMPLES / "13" / "unknown.txt").read_text(encoding="utf-8")
QUESTIONS = {key: (paths.EXAMPLES / "13" / f"{key}.txt").read_text(encoding="utf-8")  # calls that break the schema
             for key in ("boolean", "quoted", "extra_key", "missing_key", "power", "divide_zero", "broken_json")}
WEATHER = {"Lisbon": (19, "sunny"), "Oslo": (-3, "light snow"), "Nairobi": (24, "cloudy")}
NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")  # the names OpenAI's API accepts for a function
REFUSED = re.compile(r"unknown|not (?:offered|allowed|available|permitted|supported|a known)|refus|reject|unavailable|"
                     r"no such|disallowed|forbidden|invalid|error|denied|cannot|can't|won't", re.IGNORECASE)
BAD = re.compile(r"invalid|reject|refus|error|bad|must be|not a number|expected|wrong|malformed|not allowed|"
                 r"cannot|can't|won't|missing|unknown|unexpected|unsupported|not supported|extra|by zero|not valid|"
                 r"not one of", re.IGNORECASE)

SECTION = Section("13")

weather_tool = SECTION.file("weather_tool.py", reference="examples/13/weather_tool.py",
                            summary="one tool, one call, the result sent back", see="A first tool call")
calculator_tool = SECTION.file("calculator_tool.py", reference="examples/13/calculator_tool.py",
                               summary="a calculator tool that checks its arguments",
                               see="Your turn: a calculator you can trust", stdin=CALC_QUESTION)
calculator_tool_injection = SECTION.scenario("calculator_tool.py", "injection",
                                             "with a question that puts Python code in an argument", stdin=INJECTION)
calculator_tool_unknown = SECTION.scenario("calculator_tool.py", "unknown",
                                           "with a question that makes the model name delete_file", stdin=UNKNOWN)
calculator_tool_boolean = SECTION.scenario("calculator_tool.py", "boolean", "with a question that makes the model pass "
                                           "true as a", stdin=QUESTIONS["boolean"])
calculator_tool_quoted = SECTION.scenario("calculator_tool.py", "quoted", "with a question that makes the model pass "
                                          "a as the string \"3\"", stdin=QUESTIONS["quoted"])
calculator_tool_extra_key = SECTION.scenario("calculator_tool.py", "extra_key", "with a question that makes the model "
                                             "add a key c", stdin=QUESTIONS["extra_key"])
calculator_tool_missing_key = SECTION.scenario("calculator_tool.py", "missing_key", "with a question that makes the "
                                               "model leave out b", stdin=QUESTIONS["missing_key"])
calculator_tool_power = SECTION.scenario("calculator_tool.py", "power", "with a question that makes the model ask "
                                         "for the operation power", stdin=QUESTIONS["power"])
calculator_tool_divide_zero = SECTION.scenario("calculator_tool.py", "divide_zero", "with a question that makes the "
                                               "model divide by 0", stdin=QUESTIONS["divide_zero"])
calculator_tool_broken_json = SECTION.scenario("calculator_tool.py", "broken_json", "with a question whose call "
                                               "carries unfinished JSON", stdin=QUESTIONS["broken_json"])
tool_choice = SECTION.file("tool_choice.py", reference="examples/13/tool_choice.py",
                           summary="one question under four tool_choice settings", see="Choosing whether a tool runs")
parallel_tools = SECTION.file("parallel_tools.py", reference="examples/13/parallel_tools.py",
                              summary="two calls in one reply, each answered", see="Your turn: two calls at once")
reasoning_back = SECTION.file("reasoning_back.py", reference="examples/13/reasoning_back.py",
                              summary="challenge 1: the follow-up with and without the reasoning", see="Challenges",
                              challenge=True)
stream_tool = SECTION.file("stream_tool.py", reference="examples/13/stream_tool.py",
                           summary="challenge 2: a streamed tool call put together", see="Challenges", challenge=True)


# --- reading the wire --------------------------------------------------------------------------------------------------

def _calls(request: LoggedRequest) -> tuple[Any, list[dict[str, str]]]:
    """The content and tool calls (id, name, arguments) the server sent back, streamed or not."""
    if isinstance(request.response, dict):
        message = ((request.response.get("choices") or [{}])[0]).get("message") or {}
        return message.get("content"), [{"id": c["id"], "name": c["function"]["name"],
                                         "arguments": c["function"]["arguments"]} for c in message.get("tool_calls") or []]
    calls: dict[int, dict[str, str]] = {}
    content = ""
    for event in request.response if isinstance(request.response, list) else []:
        for choice in (event.get("choices") or []) if isinstance(event, dict) else []:
            delta = choice.get("delta") or {}
            content += delta.get("content") or ""
            for piece in delta.get("tool_calls") or []:
                call = calls.setdefault(piece["index"], {"id": "", "name": "", "arguments": ""})
                call["id"] = piece.get("id") or call["id"]
                function = piece.get("function") or {}
                call["name"] += function.get("name") or ""
                call["arguments"] += function.get("arguments") or ""
    return content or None, [calls[i] for i in sorted(calls)]


def _asking(ev: Evidence) -> list[LoggedRequest]:
    """The chat requests whose reply asked for tools."""
    asking = [r for r in ev.chats() if r.status == 200 and _calls(r)[1]]
    if not asking:
        chats = ev.chats()
        if not chats:
            ev.one(CHAT, "a chat request")
        advice = ("Read the key from OPENAI_API_KEY (os.environ[\"OPENAI_API_KEY\"]) rather than typing one in: "
                  "while grading, the endpoint expects the key the grader put there." if chats[-1].status == 401
                  else "Send the lesson's question with tools=[...].")
        raise CheckFailed(f"expected a reply that asks for a tool call; none of your {len(chats)} request(s) got one "
                          f"(the last was answered {chats[-1].status}: {quote(str(chats[-1].response), 160)}). {advice}")
    return asking


def _asked(ev: Evidence, question: str) -> None:
    """The first request carries the question the run gave on standard input."""
    chats = ev.chats() or [ev.one(CHAT, "a chat request")]
    users = [str(m.get("content")) for m in chats[0].messages() if m.get("role") == "user"]
    if not any(question.strip() in text for text in users):
        raise CheckFailed(f"expected the question from standard input, {question.strip()!r}, in the first request; "
                          f"your script asked {quote(users[-1] if users else 'no user message', 100)!r}. Read it "
                          "with sys.stdin.read() (or input()) instead of typing a question into the script: while "
                          "grading, each run pipes in another question.")


def _own_output(ev: Evidence) -> str:
    """The output without the text of the replies the server sent (what the script itself printed)."""
    output = ev.output
    for request in ev.chats():
        content = _calls(request)[0] if request.status == 200 else None
        if content:
            output = output.replace(content, "")
    return output


def _follow_up(ev: Evidence, asking: LoggedRequest) -> LoggedRequest:
    """The request after `asking` that carries tool results."""
    after = [r for r in ev.chats() if r.started > asking.started]
    later = [r for r in after if any(m.get("role") == "tool" for m in r.messages())]
    if after and not later:
        raise CheckFailed(f"expected the second request to carry the tool result (a message with role \"tool\" for "
                          f"each call); your script's next request sent roles {after[0].roles()}. Answer every call "
                          f"the reply holds with a tool message, even one you refused: "
                          f"{', '.join(c['name'] for c in _calls(asking)[1])}.")
    if not later:
        why = ev.why_nothing()
        why = "it ended without sending another request" if why.endswith("without sending any request") else why
        raise CheckFailed(f"expected a second request carrying the tool result (a message with role \"tool\"); your "
                          f"script sent none after the reply that asked for "
                          f"{', '.join(c['name'] for c in _calls(asking)[1])}: {why}. Send the conversation back with "
                          "the results and print the answer from that response.")
    return later[0]


def _tool_schema(ev: Evidence, name: str, properties: dict[str, str]) -> None:
    """The first request offers a function tool `name` whose parameters are a valid object schema."""
    request = ev.chats()[0] if ev.chats() else ev.one(CHAT, "a chat request")
    tools = request.body.get("tools") if isinstance(request.body, dict) else None
    if not isinstance(tools, list) or not tools:
        raise CheckFailed(f"expected the first request to carry tools=[...] describing {name}; it sent "
                          f"{quote(json.dumps(tools), 120) if tools is not None else 'no tools field'}.")
    named = [t.get("function") for t in tools if isinstance(t, dict) and t.get("type") == "function"
             and isinstance(t.get("function"), dict) and t["function"].get("name") == name]
    if not named:
        names = [(t.get("function") or {}).get("name") if isinstance(t, dict) else t for t in tools]
        raise CheckFailed(f"expected a tool {{\"type\": \"function\", \"function\": {{\"name\": \"{name}\", ...}}}}; "
                          f"your tools were named {names}. Use the lesson's function name: the recorded model calls it.")
    bad = [t for t in tools if not isinstance(t, dict) or not NAME.match(str((t.get("function") or {}).get("name")))]
    schema = named[0].get("parameters")
    problem = None
    if bad:
        problem = f"a tool name must be letters, digits, _ or -: {quote(json.dumps(bad[0]), 100)}"
    elif not isinstance(schema, dict) or schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        problem = f"parameters must be a JSON Schema object with properties; yours: {quote(json.dumps(schema), 120)}"
    else:
        props = schema["properties"]
        missing = [p for p in properties if not isinstance(props.get(p), dict)]
        wrong = [p for p, kind in properties.items() if p not in missing and props[p].get("type") != kind]
        required = schema.get("required")
        if missing or wrong:
            problem = (f"expected properties {', '.join(f'{p} ({k})' for p, k in properties.items())}; yours: "
                       f"{quote(json.dumps(props), 140)}")
        elif not isinstance(required, list) or set(required) != set(properties):
            problem = f"expected required to list {sorted(properties)}; yours: {json.dumps(required)}"
    if problem:
        raise CheckFailed(f"the {name} tool's schema is not the one the lesson describes: {problem}.")


def _answers(ev: Evidence, asking: LoggedRequest, result: Callable[[str, dict[str, Any]], list[str]]) -> LoggedRequest:
    """The follow-up carries the assistant's calls unchanged and, for each, a tool message with its id whose
    content holds `result(name, arguments)` (every fragment)."""
    content, calls = _calls(asking)
    streamed = isinstance(asking.response, list)
    second = _follow_up(ev, asking)
    messages = second.messages()
    assistants = [m for m in messages if m.get("role") == "assistant" and m.get("tool_calls")]
    if not assistants:
        advice = ("Build it from the streamed pieces, {\"role\": \"assistant\", \"content\": None, \"tool_calls\": "
                  "[...]}, and append it before the results" if streamed else "Append the reply's message before the "
                  "results")
        raise CheckFailed(f"expected the second request to repeat the assistant message that holds tool_calls, right "
                          f"before the tool messages; it sent roles {second.roles()}. {advice}: vLLM finds each "
                          "result's function through it.")
    if len(assistants) > 1 or any(m.get("role") != "tool" for m in messages[messages.index(assistants[0]) + 1:]):
        raise CheckFailed(f"expected the assistant message once, followed by one tool message per call; your second "
                          f"request sent roles {second.roles()}. Append the assistant message once, before the loop "
                          "over its tool_calls, and only tool messages inside the loop.")
    sent = [{"id": c.get("id"), "name": (c.get("function") or {}).get("name"),
             "arguments": (c.get("function") or {}).get("arguments")} for c in assistants[-1]["tool_calls"]]
    if sent != calls:
        advice = ("Put each call together by its index: the id and name from its first piece, the arguments "
                  "joined from every piece, in order" if streamed else "Append the message unchanged: same ids, names "
                  "and argument strings")
        raise CheckFailed(f"expected the assistant message's tool_calls exactly as the server sent them, "
                          f"{quote(json.dumps(calls), 200)}; your script sent {quote(json.dumps(sent), 200)}. "
                          f"{advice}.")
    if content and assistants[-1].get("content") != content:
        raise CheckFailed(f"expected the assistant message's content as the server sent it, {content!r}; your "
                          f"script sent {quote(str(assistants[-1].get('content')), 80)!r}.")
    tools = [m for m in messages if m.get("role") == "tool"]
    for call in calls:
        answer = [m for m in tools if m.get("tool_call_id") == call["id"]]
        if not answer:
            got = [m.get("tool_call_id") for m in tools]
            raise CheckFailed(f"expected a tool message with tool_call_id {call['id']!r} (the id of the {call['name']} "
                              f"call); your tool messages had tool_call_id {got}. Copy call.id into each result.")
        text = str(answer[0].get("content"))
        try:
            arguments = json.loads(call["arguments"])
        except json.JSONDecodeError:
            arguments = {}
        wanted = result(call["name"], arguments if isinstance(arguments, dict) else {})
        missing = [w for w in wanted if w.lower() not in text.lower()]
        if missing:
            raise CheckFailed(f"expected the tool message for {call['name']}({call['arguments']}) to hold the "
                              f"function's result ({', '.join(wanted)}); it held {quote(text, 120)!r}. Run the "
                              "function with the arguments the model sent and send back what it returns.")
    return second


def _weather(name: str, arguments: dict[str, Any]) -> list[str]:
    temperature, conditions = WEATHER.get(str(arguments.get("city")), (None, "no weather data"))
    return [str(temperature), conditions] if temperature is not None else [conditions]


def _calculated(name: str, arguments: dict[str, Any]) -> list[str]:
    return ["7006652"]


def _error_answer(ev: Evidence, question: str, what: str, words: re.Pattern[str]) -> LoggedRequest:
    """The call that must not run is answered with an error, and the output (beside the replies) says so."""
    _asked(ev, question)
    asking = _asking(ev)[0]
    _, calls = _calls(asking)
    second = _follow_up(ev, asking)
    answers = {m.get("tool_call_id"): str(m.get("content")) for m in second.messages() if m.get("role") == "tool"}
    text = answers.get(calls[0]["id"])
    if text is None:
        raise CheckFailed(f"expected a tool message answering the {calls[0]['name']} call (tool_call_id "
                          f"{calls[0]['id']!r}) with an error, so the model can tell the user; your script sent tool "
                          f"messages for {list(answers)}.")
    if not words.search(text):
        raise CheckFailed(f"expected the tool message for {calls[0]['name']}({calls[0]['arguments']}) to say it "
                          f"was {what}; it held {quote(text, 120)!r}.")
    if not words.search(_own_output(ev) + "\n" + ev.run.stderr.split("Traceback (most recent call last)")[0]):
        raise CheckFailed(f"expected your script to print that the call was {what}, beside the model's answer; it "
                          f"printed:\n{printed_with_error(ev)}\nPrint the reason when you turn a call down: the final "
                          "answer is the model's words, not your script's report.")
    return second


# --- weather_tool.py -----------------------------------------------------------------------------------------------------

def test_weather_tool_schema(weather_tool: Evidence) -> None:
    """the first request describes get_weather with a valid JSON Schema (a required string city)"""
    _tool_schema(weather_tool, "get_weather", {"city": "string"})


def test_weather_tool_answers_the_call(weather_tool: Evidence) -> None:
    """the second request repeats the assistant's tool calls unchanged and answers the call by its id with get_weather's result"""
    _answers(weather_tool, _asking(weather_tool)[0], _weather)


def test_weather_tool_prints_answer(weather_tool: Evidence) -> None:
    """prints the final answer the server sent"""
    replies_printed_once(weather_tool)


# --- calculator_tool.py ----------------------------------------------------------------------------------------------------

def test_calculator_tool_schema(calculator_tool: Evidence) -> None:
    """the first request describes calculate: operation (string), a and b (numbers), all required"""
    _tool_schema(calculator_tool, "calculate", {"operation": "string", "a": "number", "b": "number"})


def test_calculator_tool_answers_the_call(calculator_tool: Evidence) -> None:
    """answers the calculate call by its id with the product of the recorded numbers"""
    _answers(calculator_tool, _asking(calculator_tool)[0], _calculated)


def test_calculator_tool_prints_result(calculator_tool: Evidence) -> None:
    """prints the product it computed (7006652), beside the model's answer"""
    if not re.search(r"(?<![\d.,])7,?006,?652(?:\.0)?(?![\d,])", _own_output(calculator_tool)):
        raise CheckFailed(f"expected your script to print the result its calculate function computed, 7006652, on top "
                          f"of the model's final answer; it printed:\n{printed_with_error(calculator_tool)}\nThe "
                          "answer is the model's words: print the result when your function returns it.")


def test_calculator_tool_prints_answer(calculator_tool: Evidence) -> None:
    """prints the final answer the server sent"""
    replies_printed_once(calculator_tool)


def test_calculator_tool_never_runs_arguments(calculator_tool_injection: Evidence) -> None:
    """never runs code found in the arguments"""
    ev = calculator_tool_injection
    _asked(ev, INJECTION)
    if "INJECTED" in ev.output.replace("print('INJECTED')", "").replace('print("INJECTED")', ""):
        raise CheckFailed(f"the model's argument b was the text (print('INJECTED') or 3), and your script ran it: "
                          f"INJECTED appears in its output:\n{printed_with_error(ev)}\nNever eval or exec an argument: "
                          "check that a and b are numbers and compute with them.")
    asking = _asking(ev)[0]
    second = _follow_up(ev, asking)
    for message in second.messages():
        if message.get("role") == "tool" and re.search(r"(?<![\d.])5(?:\.0)?(?![\d.])", str(message.get("content"))):
            raise CheckFailed(f"expected an error for b=\"(print('INJECTED') or 3)\", which is not a number; your tool "
                              f"message sent a result: {quote(str(message.get('content')), 100)!r}.")


def test_calculator_tool_reports_bad_arguments(calculator_tool_injection: Evidence) -> None:
    """reports arguments that break the schema and answers the call with an error"""
    _error_answer(calculator_tool_injection, INJECTION, "rejected (b is not a number)", BAD)
    replies_printed_once(calculator_tool_injection)


def test_calculator_tool_refuses_unknown_function(calculator_tool_unknown: Evidence) -> None:
    """refuses a function it never offered and answers the call with an error"""
    _error_answer(calculator_tool_unknown, UNKNOWN, "refused (delete_file is not a function the script offers)",
                  REFUSED)
    replies_printed_once(calculator_tool_unknown)


def test_calculator_tool_rejects_boolean(calculator_tool_boolean: Evidence) -> None:
    """rejects a boolean where a number belongs and answers the call with an error"""
    _error_answer(calculator_tool_boolean, QUESTIONS["boolean"],
                  "rejected (a is true, a boolean: in Python isinstance(True, int) holds, so check for bool first)", BAD)


def test_calculator_tool_rejects_quoted_number(calculator_tool_quoted: Evidence) -> None:
    """rejects a number sent as a string and answers the call with an error"""
    _error_answer(calculator_tool_quoted, QUESTIONS["quoted"],
                  "rejected (a is the string \"3\", not a number: float() would accept it, isinstance does not)", BAD)


def test_calculator_tool_rejects_extra_key(calculator_tool_extra_key: Evidence) -> None:
    """rejects an argument the schema does not list and answers the call with an error"""
    _error_answer(calculator_tool_extra_key, QUESTIONS["extra_key"],
                  "rejected (c is not one of operation, a and b, and the schema allows no others)", BAD)


def test_calculator_tool_rejects_missing_key(calculator_tool_missing_key: Evidence) -> None:
    """rejects a call that leaves out a required argument and answers it with an error"""
    _error_answer(calculator_tool_missing_key, QUESTIONS["missing_key"], "rejected (b is required and missing)", BAD)


def test_calculator_tool_rejects_unknown_operation(calculator_tool_power: Evidence) -> None:
    """rejects an operation other than add, subtract, multiply and divide and answers the call with an error"""
    _error_answer(calculator_tool_power, QUESTIONS["power"],
                  "rejected (power is not one of add, subtract, multiply, divide)", BAD)


def test_calculator_tool_rejects_division_by_zero(calculator_tool_divide_zero: Evidence) -> None:
    """rejects a division by zero and answers the call with an error"""
    _error_answer(calculator_tool_divide_zero, QUESTIONS["divide_zero"], "rejected (b is 0 in a division)", BAD)


def test_calculator_tool_rejects_broken_json(calculator_tool_broken_json: Evidence) -> None:
    """rejects arguments that are not valid JSON and answers the call with an error"""
    _error_answer(calculator_tool_broken_json, QUESTIONS["broken_json"],
                  "rejected (its arguments are unfinished JSON, which json.loads refuses)", BAD)


# --- tool_choice.py --------------------------------------------------------------------------------------------------------

CHOICES = ["auto", "required", "none", {"type": "function", "function": {"name": "get_weather"}}]


def test_tool_choice_four_settings(tool_choice: Evidence) -> None:
    """sends the same question and tools with tool_choice auto, required, none and get_weather named"""
    chats = tool_choice.chats() or [tool_choice.one(CHAT, "a chat request")]
    sent = [r.body.get("tool_choice", "auto") if isinstance(r.body, dict) else None for r in chats]  # unset: auto
    missing = [c for c in CHOICES if c not in sent]
    if missing:
        raise CheckFailed(f"expected one request for each tool_choice: {json.dumps(CHOICES)}; your script sent "
                          f"{json.dumps(sent)}, missing {json.dumps(missing)}.")
    same = {json.dumps([r.body.get("messages"), r.body.get("tools")], sort_keys=True) for r in chats}
    if len(same) > 1:
        raise CheckFailed("expected the same messages and tools in every request, so only tool_choice changes; your "
                          "requests differ in more than tool_choice.")


def test_tool_choice_prints_finish_reasons(tool_choice: Evidence) -> None:
    """prints each response's finish_reason, in the order of the requests"""
    reasons = [((r.response.get("choices") or [{}])[0]).get("finish_reason") for r in tool_choice.chats()
               if r.status == 200 and isinstance(r.response, dict)]
    printed = re.findall(r"\b(tool_calls|stop|length)\b", tool_choice.output)
    at = 0
    for reason in reasons:
        while at < len(printed) and printed[at] != reason:
            at += 1
        if at == len(printed):
            raise CheckFailed(f"expected the finish_reason of each response, in order: {', '.join(reasons)}; your "
                              f"script printed:\n{quote_output(tool_choice.output)}\nPrint "
                              "response.choices[0].finish_reason after each call.")
        at += 1


def test_tool_choice_prints_tool_calls(tool_choice: Evidence) -> None:
    """prints the tool call of every reply that made one, whatever its finish_reason"""
    calling = [r for r in tool_choice.chats() if r.status == 200 and _calls(r)[1]]
    if not calling:
        _asking(tool_choice)
    lines = [line for line in _own_output(tool_choice).splitlines() if "Lisbon" in line and "umbrella" not in line]
    if len(lines) < len(calling):
        settings = [json.dumps(r.body.get("tool_choice", "auto")) for r in calling]
        raise CheckFailed(f"expected a printed tool call (get_weather with its arguments) for each of the "
                          f"{len(calling)} replies that made one, under tool_choice {', '.join(settings)}; your script "
                          f"printed {len(lines)} line(s) with a call:\n{quote_output(tool_choice.output)}\nPrint "
                          "message.tool_calls whenever it is there: a named function reports finish_reason stop.")


def _summary_line(ev: Evidence, reply: str) -> bool:
    """Whether the script printed `reply` as a field of a summary of its own (a line without role or choices)."""
    forms = {reply, json.dumps(reply)[1:-1], json.dumps(reply, ensure_ascii=False)[1:-1], repr(reply)[1:-1]}
    return any(form in line and "role" not in line and "choices" not in line
               for line in ev.output.splitlines() for form in forms)


def test_tool_choice_prints_text_reply(tool_choice: Evidence) -> None:
    """prints the text the model wrote when tool_choice was none"""
    none = [r for r in tool_choice.chats() if isinstance(r.body, dict) and r.body.get("tool_choice") == "none"]
    try:
        replies_printed_once(tool_choice, none or tool_choice.chats()[-1:])
    except CheckFailed as failed:
        if not ("only inside the whole response" in str(failed)
                and all(_summary_line(tool_choice, reply) for r in none for reply in r.replies())):
            raise


# --- parallel_tools.py -----------------------------------------------------------------------------------------------------

def test_parallel_tools_answers_each_call(parallel_tools: Evidence) -> None:
    """repeats both calls unchanged and answers each one by its id with that city's weather"""
    _answers(parallel_tools, _asking(parallel_tools)[0], _weather)


def test_parallel_tools_prints_preamble(parallel_tools: Evidence) -> None:
    """prints the preamble the model wrote beside its calls"""
    replies_printed_once(parallel_tools, _asking(parallel_tools)[:1])


def test_parallel_tools_prints_answer(parallel_tools: Evidence) -> None:
    """prints the final answer the server sent"""
    replies_printed_once(parallel_tools)


# --- challenges ------------------------------------------------------------------------------------------------------------

def test_reasoning_back_sends_both(reasoning_back: Evidence) -> None:
    """sends the follow-up once with the reasoning of the tool-calling turn and once without it"""
    asking = _asking(reasoning_back)[0]
    reasoning = (asking.response.get("choices") or [{}])[0].get("message", {}).get("reasoning")
    kinds = []
    for request in reasoning_back.chats():
        for message in request.messages():
            if message.get("role") == "assistant" and message.get("tool_calls"):
                kinds.append(message.get("reasoning") == reasoning and bool(reasoning))
    if True not in kinds or False not in kinds:
        raise CheckFailed(f"expected two follow-ups: one whose assistant message carries the reasoning field as the "
                          f"server sent it ({quote(str(reasoning), 60)!r}) and one without it; your script's follow-ups "
                          f"carried it: {kinds}.")


def test_reasoning_back_prints_prompt_tokens(reasoning_back: Evidence) -> None:
    """prints the prompt_tokens of both follow-ups"""
    follow = [r for r in reasoning_back.chats() if any(m.get("role") == "tool" for m in r.messages())]
    counts = [int((r.usage() or {}).get("prompt_tokens", 0)) for r in follow]
    if len(counts) < 2:
        raise CheckFailed(f"expected two follow-ups carrying the tool result; your script sent {len(counts)}.")
    if not find_values(reasoning_back, "prompt", counts):
        raise CheckFailed(f"expected each follow-up's prompt_tokens from its response ({', '.join(map(str, counts))}), "
                          f"each next to the word prompt; your script printed:\n{quote_output(reasoning_back.output)}\n"
                          "Print second.usage.prompt_tokens for each follow-up: the numbers from this run's responses, "
                          "not the lesson's.")


def test_stream_tool_streams(stream_tool: Evidence) -> None:
    """asks for the tool call with stream=True"""
    first = stream_tool.chats()[:1] or [stream_tool.one(CHAT, "a chat request")]
    if not (isinstance(first[0].body, dict) and first[0].body.get("stream") is True):
        raise CheckFailed(f"expected the first request to set \"stream\": true; it sent "
                          f"{quote(json.dumps(first[0].body), 160)}.")


def test_stream_tool_answers_the_call(stream_tool: Evidence) -> None:
    """puts the streamed call together and answers it by its id with get_weather's result"""
    _answers(stream_tool, _asking(stream_tool)[0], _weather)


def test_stream_tool_prints_answer(stream_tool: Evidence) -> None:
    """prints the final answer the server sent"""
    replies_printed_once(stream_tool)


# --- the model comes from MODEL --------------------------------------------------------------------------------------------

weather_tool_other_model = SECTION.other_model("weather_tool.py")
calculator_tool_other_model = SECTION.other_model("calculator_tool.py")
tool_choice_other_model = SECTION.other_model("tool_choice.py")
parallel_tools_other_model = SECTION.other_model("parallel_tools.py")


def test_weather_tool_model_from_env(weather_tool_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(weather_tool_other_model)


def test_calculator_tool_model_from_env(calculator_tool_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(calculator_tool_other_model)


def test_tool_choice_model_from_env(tool_choice_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(tool_choice_other_model)


def test_parallel_tools_model_from_env(parallel_tools_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(parallel_tools_other_model)


# --- variant runs: printed replies must come from this run's response ------------------------------------------------------

weather_tool_variant = SECTION.variant("weather_tool.py")
calculator_tool_variant = SECTION.variant("calculator_tool.py")
tool_choice_variant = SECTION.variant("tool_choice.py")
parallel_tools_variant = SECTION.variant("parallel_tools.py")
reasoning_back_variant = SECTION.variant("reasoning_back.py")
stream_tool_variant = SECTION.variant("stream_tool.py")


def test_weather_tool_prints_answer_variant(weather_tool_variant: Evidence) -> None:
    """prints the final answer the server sent"""
    test_weather_tool_prints_answer(weather_tool_variant)


def test_calculator_tool_prints_answer_variant(calculator_tool_variant: Evidence) -> None:
    """prints the final answer the server sent"""
    test_calculator_tool_prints_answer(calculator_tool_variant)


def test_tool_choice_prints_text_reply_variant(tool_choice_variant: Evidence) -> None:
    """prints the text the model wrote when tool_choice was none"""
    test_tool_choice_prints_text_reply(tool_choice_variant)


def test_parallel_tools_prints_answer_variant(parallel_tools_variant: Evidence) -> None:
    """prints the final answer the server sent"""
    test_parallel_tools_prints_answer(parallel_tools_variant)


def test_reasoning_back_prints_prompt_tokens_variant(reasoning_back_variant: Evidence) -> None:
    """prints the prompt_tokens of both follow-ups"""
    test_reasoning_back_prints_prompt_tokens(reasoning_back_variant)


def test_stream_tool_prints_answer_variant(stream_tool_variant: Evidence) -> None:
    """prints the final answer the server sent"""
    test_stream_tool_prints_answer(stream_tool_variant)
