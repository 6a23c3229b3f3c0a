"""Tool calls through the real SDK, as vLLM 0.33.0 serves them with --enable-auto-tool-choice
--tool-call-parser openai (grader/endpoint/config.py), and the tool_choice checks of its request model."""

from __future__ import annotations

import json
import re

import openai
import pytest

from grader.endpoint import config, harmony

MODEL = config.SERVED_MODEL
TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Weather in a city",
                                           "parameters": {"type": "object",
                                                          "properties": {"city": {"type": "string"}}}}}]
ONE = [{"role": "user", "content": "Weather in Paris?"}]
TWO = [{"role": "user", "content": "Weather in Paris and Rome?"}]


@pytest.fixture
def client(fidelity, fsession) -> openai.OpenAI:
    return openai.OpenAI(base_url=fidelity.base_url, api_key=fsession.api_key)


def test_one_hop_and_the_tool_result(client) -> None:
    """make_tool_call_id gives chatcmpl-tool-<16 hex>; the tool message goes back into the prompt (a hop)."""
    first = client.chat.completions.create(model=MODEL, messages=ONE, tools=TOOLS)
    call = first.choices[0].message.tool_calls[0]
    assert re.fullmatch(r"chatcmpl-tool-[0-9a-f]{16}", call.id)
    assert (call.function.name, json.loads(call.function.arguments)) == ("get_weather", {"city": "Paris"})
    history = [*ONE, first.choices[0].message.model_dump(exclude_none=True),
               {"role": "tool", "tool_call_id": call.id, "content": "18C, sunny"}]
    second = client.chat.completions.create(model=MODEL, messages=history, tools=TOOLS)
    assert second.choices[0].finish_reason == "stop" and second.choices[0].message.content
    assert second.usage.prompt_tokens > first.usage.prompt_tokens


def test_parallel_calls_and_parallel_tool_calls_false(client) -> None:
    """maybe_filter_parallel_tool_calls keeps only the first call when parallel_tool_calls is false."""
    both = client.chat.completions.create(model=MODEL, messages=TWO, tools=TOOLS)
    calls = both.choices[0].message.tool_calls
    assert [json.loads(c.function.arguments)["city"] for c in calls] == ["Paris", "Rome"]
    assert len({c.id for c in calls}) == 2 and both.choices[0].finish_reason == "tool_calls"
    one = client.chat.completions.create(model=MODEL, messages=TWO, tools=TOOLS, parallel_tool_calls=False)
    assert [c.function.arguments for c in one.choices[0].message.tool_calls] == ['{"city": "Paris"}']
    assert one.usage.completion_tokens == both.usage.completion_tokens  # the model still wrote both


def test_a_preamble_is_content_beside_the_calls(client) -> None:
    """_SegmentType: commentary without a recipient is content; its frame and text count as completion tokens."""
    asked = [{"role": "user", "content": "Weather in Paris first?"}]
    reply = client.chat.completions.create(model=MODEL, messages=asked, tools=TOOLS)
    plain = client.chat.completions.create(model=MODEL, messages=ONE, tools=TOOLS)
    message = reply.choices[0].message
    assert message.content == "Checking Paris." and message.tool_calls[0].function.name == "get_weather"
    assert reply.choices[0].finish_reason == "tool_calls"
    preamble = "<|start|>assistant<|channel|>commentary<|message|>Checking Paris.<|end|>"
    extra = len(harmony.encoding().encode(preamble, allowed_special="all"))
    reasoning = reply.usage.completion_tokens_details.reasoning_tokens - plain.usage.completion_tokens_details.reasoning_tokens
    assert reply.usage.completion_tokens - plain.usage.completion_tokens == extra + reasoning


def test_streamed_calls_assemble_in_the_sdk(client) -> None:
    """parse_delta: a call's first delta has id, type, index and name; later ones only index and arguments."""
    with client.chat.completions.stream(model=MODEL, messages=TWO, tools=TOOLS) as stream:
        final = stream.get_final_completion()
    calls = final.choices[0].message.tool_calls
    assert [(c.index, c.function.arguments) for c in calls] == [(0, '{"city":"Paris"}'), (1, '{"city":"Rome"}')]
    assert final.choices[0].finish_reason == "tool_calls"


def test_a_filtered_later_call_still_sends_empty_chunks(post) -> None:
    """ChatStreamProcessor.step filters the delta in place, so a step of the second call streams `{}`."""
    body = {"model": MODEL, "messages": TWO, "tools": TOOLS, "stream": True, "parallel_tool_calls": False}
    chunks = [json.loads(e[6:]) for e in post("/v1/chat/completions", body).text.split("\n\n") if e.startswith("data: {")]
    deltas = [c["choices"][0]["delta"] for c in chunks[1:-1]]
    assert {d["tool_calls"][0]["index"] for d in deltas if "tool_calls" in d} == {0}
    assert {} in deltas


@pytest.mark.parametrize(("extra", "message", "param"), [
    ({"tools": []}, "`tools` must not be an empty array. Either provide at least one tool or omit the field "
                    "entirely.", "tools"),
    ({"tool_choice": "auto"}, "When using `tool_choice`, `tools` must be set.", "tool_choice"),
    ({"tools": TOOLS, "tool_choice": "any"}, 'Invalid value for `tool_choice`: any! Only named tools, "none", '
                                             '"auto" or "required" are supported.', "tool_choice"),
    ({"tools": TOOLS, "tool_choice": {"type": "function", "function": {"name": "get_time"}}},
     "The tool specified in `tool_choice` does not match any of the specified `tools`", "tool_choice"),
    ({"tools": TOOLS, "tool_choice": {"type": "function", "function": {}}},
     'Expected field `name` in `function` in `tool_choice`! Correct usage: `{"type": "function", "function": '
     '{"name": "my_function"}}`', "tool_choice.function.name"),
])
def test_tool_choice_checks(post, extra: dict, message: str, param: str) -> None:
    """ChatCompletionRequest.check_tool_usage raises VLLMValidationError: 400 with the parameter appended."""
    response = post("/v1/chat/completions", {"model": MODEL, "messages": ONE, **extra})
    assert response.status_code == 400
    assert response.json()["error"] == {"message": f"{message} (parameter={param})", "type": "BadRequestError",
                                        "param": param, "code": 400}
