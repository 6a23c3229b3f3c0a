"""What lesson 02 states about the response envelope, the SDK's objects and the headers, pinned against the
installed openai SDK and the recorded endpoint."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import openai
import oracle
import pytest
import requests
from openai.types.chat import ChatCompletion

from grader.endpoint import Endpoint, config, harmony
from grader.endpoint.recordings import RecordingFile

ROOT = Path(__file__).resolve().parent.parent
LESSON = (ROOT / "lessons/02-anatomy-of-a-response.md").read_text()
LIGHT_YEAR = [{"role": "system", "content": "You are a concise science tutor."},
              {"role": "user", "content": "What is a light-year, in one or two sentences?"}]
ROBOT = [{"role": "system", "content": "You are a playful naming assistant."},
         {"role": "user", "content": "Suggest one name for a friendly kitchen robot."}]
VLLM_EXTRAS = ["prompt_logprobs", "prompt_token_ids", "prompt_text", "kv_transfer_params", "ec_transfer_params",
               "metrics"]


def _client(endpoint: Endpoint, session) -> openai.OpenAI:
    return openai.OpenAI(base_url=endpoint.base_url, api_key=session.api_key)


def _post(endpoint: Endpoint, session, body: dict, headers: dict | None = None) -> requests.Response:
    response = requests.post(f"{endpoint.base_url}/chat/completions", timeout=10,
                             headers={"Authorization": f"Bearer {session.api_key}", **(headers or {})},
                             json={"model": config.SERVED_MODEL, **body})
    response.raise_for_status()
    return response


def _shown(label: str) -> int:
    """A number the lesson prints after `label`, as in 'prompt_tokens: 93'."""
    return int(re.search(rf"^\s*{re.escape(label)} (\d+)", LESSON, re.M).group(1))


# --- the envelope as vLLM 0.33.0 sends it ---------------------------------------------------------------------------

def test_the_fields_the_lesson_walks_through(endpoint, session) -> None:
    data = _post(endpoint, session, {"messages": LIGHT_YEAR}).json()
    assert list(data) == ["id", "object", "created", "model", "choices", "service_tier", "system_fingerprint",
                          "usage", *VLLM_EXTRAS]
    assert re.fullmatch(r"chatcmpl-[0-9a-f]{16}", data["id"])
    assert data["object"] == "chat.completion" and isinstance(data["created"], int)
    assert data["service_tier"] is None and all(data[k] is None for k in VLLM_EXTRAS)
    assert data["system_fingerprint"].startswith(f"vllm-{config.VLLM_VERSION}-tp2-")
    choice = data["choices"][0]
    assert list(choice) == ["index", "message", "logprobs", "finish_reason", "stop_reason", "token_ids",
                            "routed_experts", "weight_versions"]
    assert choice["stop_reason"] is None and choice["finish_reason"] == "stop"
    message = choice["message"]
    assert list(message) == ["role", "content", "refusal", "annotations", "audio", "function_call", "reasoning"]
    assert "tool_calls" not in message  # vLLM 0.33 drops an empty list
    usage = data["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["prompt_tokens_details"] is None
    assert usage["completion_tokens_details"]["reasoning_tokens"] < usage["completion_tokens"]
    assert data["id"] != _post(endpoint, session, {"messages": LIGHT_YEAR}).json()["id"]


def test_the_numbers_the_lesson_shows(endpoint, session) -> None:
    usage = _post(endpoint, session, {"messages": LIGHT_YEAR}).json()["usage"]
    expected = oracle.recorded_usage("02-anatomy-of-a-response.json", "light-year")
    assert (usage["prompt_tokens"], usage["completion_tokens"], usage["completion_tokens_details"]) == (
        oracle.prompt_tokens(LIGHT_YEAR), expected.completion_tokens, {"reasoning_tokens": expected.reasoning_tokens})
    assert (_shown("prompt_tokens:"), _shown("completion_tokens:"), _shown("total_tokens:")) == (
        usage["prompt_tokens"], usage["completion_tokens"], usage["total_tokens"])
    assert _shown("of which reasoning:") == usage["completion_tokens_details"]["reasoning_tokens"]
    assert f"({usage['prompt_tokens']} + {usage['completion_tokens']} = {usage['total_tokens']})" in LESSON
    session = endpoint.new_session()  # headers.py's requests call is the first of its run
    assert f"content-length: {len(_post(endpoint, session, {'messages': LIGHT_YEAR}).content)}" in LESSON
    n3 = _post(endpoint, session, {"messages": ROBOT, "n": 3}).json()
    prose = " ".join(LESSON.split())  # your-turn steps state their numbers in prose
    assert (f"the prompt counted {n3['usage']['prompt_tokens']} tokens and the three answers "
            f"{n3['usage']['completion_tokens']} together") in prose
    short = _post(endpoint, session, {"messages": LIGHT_YEAR, "max_tokens": 16}).json()
    assert f"counts {short['usage']['completion_tokens']} completion tokens" in prose


def test_two_identical_calls_as_the_lesson_shows(endpoint, session) -> None:
    first, second = (_post(endpoint, session, {"messages": LIGHT_YEAR}).json() for _ in range(2))
    table = {line.split()[1]: line.split()[0] for line in LESSON.splitlines() if re.match(r"(same|CHANGED) ", line)}
    assert table["content"] == "CHANGED" and first["choices"][0]["message"]["content"] != \
        second["choices"][0]["message"]["content"]
    assert table["prompt_tokens"] == "same" and first["usage"]["prompt_tokens"] == second["usage"]["prompt_tokens"]
    counts = (first["usage"]["completion_tokens"], second["usage"]["completion_tokens"])
    assert re.search(rf"CHANGED completion_tokens\s+{counts[0]}\s+{counts[1]}$", LESSON, re.M)


def test_a_date_always_takes_the_same_number_of_tokens() -> None:
    sizes = {len(harmony.text_tokens(f"Current date: {date(2026, 1, 1) + timedelta(days)}")) for days in range(800)}
    assert len(sizes) == 1


def test_a_small_budget_can_leave_content_null(endpoint, session) -> None:
    for key in ("max_tokens", "max_completion_tokens"):  # vLLM accepts both names
        data = _post(endpoint, session, {"messages": LIGHT_YEAR, key: 16}).json()
        choice = data["choices"][0]
        assert (choice["finish_reason"], choice["message"]["content"]) == ("length", None)
        assert choice["message"]["reasoning"] and data["usage"]["completion_tokens"] == 16
    partial = _post(endpoint, session, {"messages": LIGHT_YEAR, "max_tokens": 64}).json()["choices"][0]
    assert partial["finish_reason"] == "length" and partial["message"]["content"]


def test_n_three_choices_prompt_counted_once(endpoint, session) -> None:
    one = _post(endpoint, session, {"messages": ROBOT}).json()
    three = _post(endpoint, session, {"messages": ROBOT, "n": 3}).json()
    assert [c["index"] for c in three["choices"]] == [0, 1, 2]
    assert len({c["message"]["content"] for c in three["choices"]}) == 3
    assert three["usage"]["prompt_tokens"] == one["usage"]["prompt_tokens"]
    assert three["usage"]["completion_tokens"] > 2 * one["usage"]["completion_tokens"]


def test_tool_call_preview(endpoint, session) -> None:
    tool = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
    data = _post(endpoint, session, {"messages": [{"role": "user", "content": "Weather in Lisbon?"}],
                                     "tools": [tool]}).json()
    choice = data["choices"][0]
    assert choice["finish_reason"] == "tool_calls" and choice["message"]["content"] is None
    assert choice["message"]["tool_calls"][0]["function"]["name"] == "get_weather"


# --- headers and request ids -----------------------------------------------------------------------------------------

def test_headers_vllm_sends_by_default(endpoint, session) -> None:
    response = _post(endpoint, session, {"messages": LIGHT_YEAR})
    assert set(response.headers) == {"date", "server", "content-length", "content-type"}
    assert response.headers["content-type"] == "application/json" and response.headers["server"] == "uvicorn"
    assert int(response.headers["content-length"]) == len(response.content)
    assert response.headers["date"].endswith(" GMT") and response.reason == "OK"
    assert "x-request-id" not in response.headers
    assert response.request.headers["Authorization"] == f"Bearer {session.api_key}"  # why logs must redact it


def test_x_request_id_becomes_the_completion_id(endpoint, session) -> None:
    response = _post(endpoint, session, {"messages": LIGHT_YEAR}, headers={"X-Request-Id": "my-trace-42"})
    assert response.json()["id"] == "chatcmpl-my-trace-42"
    assert "x-request-id" not in response.headers


def test_sdk_request_id_is_none_without_the_header(endpoint, session) -> None:
    raw = _client(endpoint, session).chat.completions.with_raw_response.create(model=config.SERVED_MODEL,
                                                                               messages=LIGHT_YEAR)
    assert isinstance(raw, openai._legacy_response.LegacyAPIResponse) and raw.status_code == 200
    completion = raw.parse()
    assert isinstance(completion, ChatCompletion)
    assert completion._request_id is None and raw.headers.get("x-request-id") is None
    assert session.requests()[-1].headers.get("x-stainless-raw-response") == "true"  # what the grader looks for


@pytest.fixture(scope="module")
def with_request_id_header() -> Iterator[Endpoint]:
    """A server that sends x-request-id, as vLLM does with --enable-request-id-headers or a gateway may."""
    recording = RecordingFile.model_validate({
        "section": "02", "provenance": {"kind": "authored", "vllm_version": config.VLLM_VERSION},
        "interactions": [{"name": "with-id", "description": "test only", "match": {"route": "POST /v1/chat/completions"},
                          "response": {"headers": {"x-request-id": "7f9c2e1a4b6d4c0e9a8b3f5d2e1c0a9b"},
                                       "reply": {"reasoning": "r", "content": "c"}}}],
    })
    with Endpoint([recording]) as running:
        yield running


def test_sdk_request_id_reads_the_header_when_a_server_sends_it(with_request_id_header: Endpoint) -> None:
    session = with_request_id_header.new_session()
    client = _client(with_request_id_header, session)
    completion = client.chat.completions.create(model=config.SERVED_MODEL, messages=LIGHT_YEAR)
    assert f"SDK _request_id: {completion._request_id}" in LESSON
    raw = client.chat.completions.with_raw_response.create(model=config.SERVED_MODEL, messages=LIGHT_YEAR)
    assert raw.headers.get("x-request-id") == raw.parse()._request_id == completion._request_id


# --- the SDK's objects -----------------------------------------------------------------------------------------------

def test_sdk_keeps_vllm_fields_as_extras(endpoint, session) -> None:
    response = _client(endpoint, session).chat.completions.create(model=config.SERVED_MODEL, messages=LIGHT_YEAR)
    message = response.choices[0].message
    assert list(message.model_extra) == ["reasoning"] and message.reasoning == message.model_extra["reasoning"]
    assert list(response.model_extra) == VLLM_EXTRAS
    assert message.tool_calls is None
    assert list(json.loads(response.to_json()))[:3] == ["id", "choices", "created"]  # the SDK's order, not vLLM's


def test_model_dump_fills_in_fields_the_server_never_sent(endpoint, session) -> None:
    response = _client(endpoint, session).chat.completions.create(model=config.SERVED_MODEL, messages=LIGHT_YEAR)
    full, sent = response.model_dump(), response.to_dict()
    assert sent == response.model_dump(exclude_unset=True)
    assert {"metadata", "moderation"} <= set(full) - set(sent)
    assert full["metadata"] is None and full["moderation"] is None
    assert full["choices"][0]["message"]["tool_calls"] is None and "tool_calls" not in sent["choices"][0]["message"]
    extra_details = set(full["usage"]["completion_tokens_details"]) - set(sent["usage"]["completion_tokens_details"])
    assert len(extra_details) == 4 and all(full["usage"]["completion_tokens_details"][k] is None for k in extra_details)


def test_a_missing_extra_raises_attribute_error() -> None:
    body = {"id": "chatcmpl-x", "object": "chat.completion", "created": 0, "model": "m",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "hi"}}]}
    message = ChatCompletion.model_validate(body).choices[0].message
    with pytest.raises(AttributeError):
        message.reasoning  # noqa: B018
    assert getattr(message, "reasoning", None) is None


def test_none_content_has_no_strip() -> None:
    with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'strip'"):
        None.strip()  # type: ignore[union-attr]
    assert "AttributeError: 'NoneType' object has no attribute 'strip'" in LESSON
