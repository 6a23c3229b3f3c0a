"""What lesson 13 states about tool calls: the harmony text vLLM 0.33.0 shows gpt-oss for the tools, the token
counts the lesson quotes (rendered here with oss-harmony by vLLM's rules, never by the recorded endpoint), what the
installed SDK sends back when a script appends the message object, and the endpoint agreeing with all of it."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import openai
import openai_harmony as hm
import oracle
import pytest

from grader import lessons
from grader.endpoint import Endpoint, config, load_recordings
from grader.runner import run_script

ROOT = Path(__file__).resolve().parent.parent
LESSON_PATH = ROOT / "lessons/13-tool-calling.md"
LESSON = LESSON_PATH.read_text(encoding="utf-8")
PROSE = " ".join(LESSON.split())
EXAMPLES = ROOT / "examples/13"
QUESTION = "What's the weather like in Lisbon right now?"
RECORDING = "13-tool-calling.json"


def _tools(name: str) -> list[dict[str, Any]]:
    """The `tools = [...]` literal of a reference script, read without running it."""
    tree = ast.parse((EXAMPLES / name).read_text(encoding="utf-8"))
    found = next(n.value for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "tools")
    return ast.literal_eval(found)


def _conversation(tools: list[dict[str, Any]] | None, reasoning: bool, answered: bool) -> list[hm.Message]:
    """The harmony messages vLLM 0.33.0 builds (build_harmony_preamble, parse_chat_input_to_harmony_message) for
    the weather question, then, when `answered`, the recorded call (reasoning first when sent) and its result."""
    recorded = oracle.reply(RECORDING, "weather-call")
    system = hm.SystemContent.new().with_conversation_start_date(oracle.START_DATE)
    out = [hm.Message.from_role_and_content(hm.Role.SYSTEM, system)]
    if tools:
        descriptions = [hm.ToolDescription.new(t["function"]["name"], t["function"].get("description") or "",
                                               t["function"].get("parameters")) for t in tools]
        out.append(hm.Message.from_role_and_content(hm.Role.DEVELOPER,
                                                    hm.DeveloperContent.new().with_function_tools(descriptions)))
    out.append(hm.Message.from_role_and_content(hm.Role.USER, QUESTION))
    if answered:
        if reasoning:
            out.append(hm.Message.from_role_and_content(hm.Role.ASSISTANT, recorded["reasoning"]).with_channel("analysis"))
        call = recorded["tool_calls"][0]
        arguments = json.dumps(call["arguments"])  # vLLM's json.dumps(json.loads(text)): ", " and ": "
        out.append(hm.Message.from_role_and_content(hm.Role.ASSISTANT, arguments).with_channel("commentary")
                   .with_recipient(f"functions.{call['name']}").with_content_type("json"))
        result = json.dumps({"city": "Lisbon", "temperature_c": 19, "conditions": "sunny"})
        out.append(hm.Message.from_author_and_content(hm.Author.new(hm.Role.TOOL, f"functions.{call['name']}"), result)
                   .with_channel("commentary").with_recipient("assistant"))
    return out


def _prompt_text(messages: list[hm.Message]) -> str:
    """render_for_completion's text, with the legacy header `_use_legacy_tool_call_headers` restores for an earlier
    assistant call (`assistant to=functions.f<|channel|>commentary json`)."""
    encoding = oracle._encoding()
    tokens = encoding.render_conversation_for_completion(hm.Conversation.from_messages(messages), hm.Role.ASSISTANT,
                                                         hm.RenderConversationConfig(auto_drop_analysis=False))
    text = encoding.decode(tokens)
    return re.sub(r"<\|start\|>assistant<\|channel\|>commentary to=(functions\.\w+) <\|constrain\|>json<\|message\|>",
                  r"<|start|>assistant to=\1<|channel|>commentary json<|message|>", text)


def _prompt_tokens(tools: list[dict[str, Any]] | None, reasoning: bool = False, answered: bool = False) -> int:
    return oracle.count(_prompt_text(_conversation(tools, reasoning, answered)))


@pytest.fixture(scope="module")
def section_endpoint() -> Iterator[Endpoint]:
    with Endpoint(load_recordings([ROOT / "recordings" / RECORDING])) as running:
        yield running


def _run(endpoint: Endpoint, name: str) -> str:
    session = endpoint.new_session()
    settings = {"OPENAI_BASE_URL": endpoint.base_url, "OPENAI_API_KEY": session.api_key, "MODEL": config.SERVED_MODEL}
    run = run_script(f"examples/13/{name}", ROOT, settings)
    assert run.exit_code == 0, run.stderr
    return run.stdout


def test_the_code_the_lesson_types_is_the_reference() -> None:
    built = {Path(s.target).name: s.code for s in lessons.steps(LESSON_PATH) if s.action == "file"}
    assert set(built) == {"weather_tool.py", "tool_choice.py"}
    for name, code in built.items():
        assert code == (EXAMPLES / name).read_text(encoding="utf-8"), name


def test_the_developer_message_the_lesson_shows() -> None:
    text = _prompt_text(_conversation(_tools("weather_tool.py"), reasoning=False, answered=False))
    shown = re.search(r"ends like this:\n\n```text\n(.*?)\n```", LESSON, re.S)
    assert shown and text.endswith(shown.group(1) + f"<|start|>user<|message|>{QUESTION}<|end|><|start|>assistant")


def test_the_token_counts_the_lesson_quotes() -> None:
    tools = _tools("weather_tool.py")
    with_tools, without = _prompt_tokens(tools), _prompt_tokens(None)
    sent_back, not_sent = _prompt_tokens(tools, True, True), _prompt_tokens(tools, False, True)
    assert (with_tools, without, sent_back, not_sent) == (135, 76, 216, 188)
    assert f"`prompt_tokens` is {with_tools}, where the same question without `tools` is {without}" in PROSE
    assert f"`prompt_tokens`: {sent_back}." in PROSE and f"falls to {not_sent}: {sent_back - not_sent} tokens fewer" in PROSE
    reasoning = oracle.count(oracle.reply(RECORDING, "weather-call")["reasoning"])
    frame = oracle.count("<|start|>assistant<|channel|>analysis<|message|><|end|>")
    assert sent_back - not_sent == reasoning + frame
    assert f"the {reasoning} tokens of reasoning plus the {frame} that frame" in PROSE
    assert f"prints {sent_back} and {not_sent} `prompt_tokens`" in PROSE and f"difference of {sent_back - not_sent}" in PROSE


def test_argument_tokens_count_as_reasoning() -> None:
    """HarmonyParser._is_reasoning_token: non-special tokens in analysis, or in commentary to a function."""
    recorded = oracle.reply(RECORDING, "weather-call")
    reasoning, arguments = oracle.count(recorded["reasoning"]), oracle.count(json.dumps(recorded["tool_calls"][0]["arguments"]))
    assert f"reasoning_tokens` is {reasoning + arguments}: {reasoning} tokens of reasoning and the {arguments} tokens" in PROSE


def test_the_sdk_sends_the_reasoning_back() -> None:
    """Appending the SDK's message object sends every field the server returned, vLLM's `reasoning` included."""
    seen: list[httpx2.Request] = []
    reply = {"id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": "m",
             "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
                 "role": "assistant", "content": None, "reasoning": "Use the tool.",
                 "tool_calls": [{"id": "chatcmpl-tool-0123456789abcdef", "type": "function",
                                 "function": {"name": "get_weather", "arguments": "{\"city\": \"Lisbon\"}"}}]}}],
             "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}

    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json=reply)

    client = openai.OpenAI(base_url="http://mock.invalid/v1", api_key="k", max_retries=0,
                           http_client=httpx2.Client(transport=httpx2.MockTransport(handle)))
    messages: list[Any] = [{"role": "user", "content": QUESTION}]
    messages.append(client.chat.completions.create(model="m", messages=messages).choices[0].message)
    client.chat.completions.create(model="m", messages=messages)
    sent = json.loads(seen[1].content)["messages"][1]
    assert sent["reasoning"] == "Use the tool." and sent["tool_calls"] == reply["choices"][0]["message"]["tool_calls"]
    assert "The SDK's message object carries vLLM's `reasoning` field, and appending the object sends it back" in PROSE


def test_the_endpoint_gives_the_same_numbers(section_endpoint: Endpoint) -> None:
    weather = _run(section_endpoint, "weather_tool.py")
    assert "prompt_tokens: 135" in weather and "prompt_tokens: 216" in weather
    assert 'the model asks for: get_weather {"city": "Lisbon"}' in weather
    back = _run(section_endpoint, "reasoning_back.py")
    assert "prompt_tokens 216" in back and "prompt_tokens 188" in back and "difference: 28 tokens" in back


def test_the_reply_fields_the_lesson_describes(section_endpoint: Endpoint) -> None:
    """make_tool_call_id: chatcmpl-tool-<16 hex>; a forced named tool reports finish_reason stop
    (tool_calls_utils.resolve_finish_reason); argument tokens count as reasoning."""
    session = section_endpoint.new_session()
    client = openai.OpenAI(base_url=section_endpoint.base_url, api_key=session.api_key)
    tools = _tools("weather_tool.py")
    first = client.chat.completions.create(model=config.SERVED_MODEL, messages=[{"role": "user", "content": QUESTION}],
                                           tools=tools)
    call = first.choices[0].message.tool_calls[0]
    assert re.fullmatch(r"chatcmpl-tool-[0-9a-f]{16}", call.id) and "`chatcmpl-tool-` followed by\n  16 hex digits" in LESSON
    assert call.function.arguments == '{"city": "Lisbon"}' and first.choices[0].message.content is None
    assert first.usage.completion_tokens_details.reasoning_tokens == 29
    named = client.chat.completions.create(
        model=config.SERVED_MODEL, messages=[{"role": "user", "content": "Will I need an umbrella in Lisbon today?"}],
        tools=tools, tool_choice={"type": "function", "function": {"name": "get_weather"}})
    assert named.choices[0].finish_reason == "stop" and named.choices[0].message.tool_calls
    assert "The named function makes the call too, yet its `finish_reason` is `stop`" in PROSE
