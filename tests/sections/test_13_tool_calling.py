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
WEATHER = {"Lisbon": (19, "sunny"), "Oslo": (-3, "light snow"), "Nairobi": (24, "cloudy")}
NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")  # the names OpenAI's API accepts for a function
REFUSED = re.compile(r"unknown|not (?:offered|allowed|available|permitted|supported|a known)|refus|reject|unavailable|"
                     r"no such|disallowed|forbidden|invalid|error|denied|cannot|can't|won't", re.IGNORECASE)
BAD = re.compile(r"invalid|reject|refus|error|bad|must be|not a number|expected|wrong|malformed|not allowed|"
                 r"cannot|can't|won't", re.IGNORECASE)

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
        raise CheckFailed(f"expected a reply that asks for a tool call; none of your {len(chats)} request(s) got one "
                          f"(the last was answered {chats[-1].status}: {quote(str(chats[-1].response), 160)}). Send "
                          "the lesson's question with tools=[...].")
    return asking


def _follow_up(ev: Evidence, asking: LoggedRequest) -> LoggedRequest:
    """The request after `asking` that carries tool results."""
    later = [r for r in ev.chats() if r.started > asking.started and any(m.get("role") == "tool" for m in r.messages())]
    if not later:
        raise CheckFailed(f"expected a second request carrying the tool result (a message with role \"tool\"); your "
                          f"script sent none after the reply that asked for "
                          f"{', '.join(c['name'] for c in _calls(asking)[1])}. {ev.why_nothing()}.")
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
    second = _follow_up(ev, asking)
    messages = second.messages()
    assistants = [m for m in messages if m.get("role") == "assistant" and m.get("tool_calls")]
    if not assistants:
        raise CheckFailed(f"expected the second request to repeat the assistant message that holds tool_calls, right "
                          f"before the tool messages; it sent roles {second.roles()}. Append the reply's message "
                          "before the results: vLLM finds each result's function through it.")
    sent = [{"id": c.get("id"), "name": (c.get("function") or {}).get("name"),
             "arguments": (c.get("function") or {}).get("arguments")} for c in assistants[-1]["tool_calls"]]
    if sent != calls:
        raise CheckFailed(f"expected the assistant message's tool_calls exactly as the server sent them, "
                          f"{quote(json.dumps(calls), 200)}; your script sent {quote(json.dumps(sent), 200)}. Append "
                          "the message unchanged: same ids, names and argument strings.")
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


def _error_answer(ev: Evidence, what: str, words: re.Pattern[str]) -> LoggedRequest:
    """The call that must not run is answered with an error, and the output says so."""
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
    if not words.search(ev.output.replace(text, "")):
        raise CheckFailed(f"expected your script to print that the call was {what}; it printed:\n"
                          f"{printed_with_error(ev)}")
    return second


# --- weather_tool.py -----------------------------------------------------------------------------------------------------

def test_weather_tool_schema(weather_tool: Evidence) -> None:
    """the first request describes get_weather with a valid JSON Schema (a required string city)"""
    _tool_schema(weather_tool, "get_weather", {"city": "string"})


def test_weather_tool_answers_the_call(weather_tool: Evidence) -> None:
    """the second request repeats the tool_calls message unchanged and answers the call by its id with get_weather's result"""
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


def test_calculator_tool_prints_answer(calculator_tool: Evidence) -> None:
    """prints the final answer the server sent"""
    replies_printed_once(calculator_tool)


def test_calculator_tool_never_runs_arguments(calculator_tool_injection: Evidence) -> None:
    """never runs code found in the arguments"""
    ev = calculator_tool_injection
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
    _error_answer(calculator_tool_injection, "rejected (b is not a number)", BAD)
    replies_printed_once(calculator_tool_injection)


def test_calculator_tool_refuses_unknown_function(calculator_tool_unknown: Evidence) -> None:
    """refuses a function it never offered and answers the call with an error"""
    _error_answer(calculator_tool_unknown, "refused (delete_file is not a function the script offers)", REFUSED)
    replies_printed_once(calculator_tool_unknown)


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


def test_tool_choice_prints_text_reply(tool_choice: Evidence) -> None:
    """prints the text the model wrote when tool_choice was none"""
    none = [r for r in tool_choice.chats() if isinstance(r.body, dict) and r.body.get("tool_choice") == "none"]
    replies_printed_once(tool_choice, none or tool_choice.chats()[-1:])


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
                          "Print second.usage.prompt_tokens for each follow-up.")


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
