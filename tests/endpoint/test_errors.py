"""vLLM's error answers, byte for byte, and the routes its key does not guard."""

from __future__ import annotations

import pytest
import requests

from grader.endpoint import config

MODEL = config.SERVED_MODEL
CHAT = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}


def test_unknown_model_404(post) -> None:
    response = post("/v1/chat/completions", {**CHAT, "model": "gpt-4o"})
    assert response.status_code == 404
    assert response.text == ('{"error":{"message":"The model `gpt-4o` does not exist. Valid aliases: '
                             'openai/gpt-oss-120b.","type":"NotFoundError","param":"model","code":404}}')


def test_wrong_or_missing_key_401(fidelity) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}):
        response = requests.post(fidelity.base_url + "/chat/completions", json=CHAT, headers=headers)
        assert response.status_code == 401
        assert response.content == b'{"error":"Unauthorized"}'
        assert response.headers["content-length"] == "24"


def test_scheme_is_case_insensitive(fidelity, fsession) -> None:
    response = requests.post(fidelity.base_url + "/chat/completions", json=CHAT,
                             headers={"Authorization": f"bearer {fsession.api_key}"})
    assert response.status_code == 200


def test_unguarded_routes_need_no_key(fidelity) -> None:
    assert requests.post(fidelity.root_url + "/tokenize", json={"prompt": "hi"}).status_code == 200
    assert requests.post(fidelity.root_url + "/detokenize", json={"tokens": [1]}).status_code == 200
    assert requests.get(fidelity.root_url + "/version").status_code == 200
    assert requests.get(fidelity.root_url + "/health").status_code == 200


def test_fastapi_404_and_405(fidelity, fsession) -> None:
    auth = {"Authorization": f"Bearer {fsession.api_key}"}
    missing = requests.get(fidelity.root_url + "/v1/nothing-here", headers=auth)
    assert (missing.status_code, missing.text) == (404, '{"detail":"Not Found"}')
    wrong = requests.get(fidelity.base_url + "/chat/completions", headers=auth)
    assert (wrong.status_code, wrong.text) == (405, '{"detail":"Method Not Allowed"}')
    assert wrong.headers["allow"] == "POST"


def test_completions_context_length_400(post) -> None:
    """The renderer's length check, which /v1/completions goes through (the harmony chat route does not: C3)."""
    response = post("/v1/completions", {"model": MODEL, "prompt": "hello " * 140_000})
    assert response.status_code == 400
    error = response.json()["error"]
    count = error["message"].split("contains ")[1].split(" ")[0]
    assert error == {
        "message": f"This model's maximum context length is 131072 tokens. However, your prompt contains {count} input "
                   "tokens, which exceeds this limit even without any output tokens. Please reduce the length of the "
                   f"input prompt. (parameter=input_tokens, value={count})",
        "type": "BadRequestError", "param": "input_tokens", "code": 400}
    assert int(count) > 131072


def test_max_tokens_is_clamped_near_the_limit(post) -> None:
    """vLLM 0.33 silently clamps max_tokens to what the window leaves, instead of a 400."""
    response = post("/v1/chat/completions", {**CHAT, "max_tokens": 10_000_000})
    assert response.status_code == 200


def test_malformed_json_and_media_type(fidelity, fsession) -> None:
    auth = {"Authorization": f"Bearer {fsession.api_key}"}
    bad = requests.post(fidelity.base_url + "/chat/completions", data=b"{nope",
                        headers={**auth, "content-type": "application/json"})
    assert bad.status_code == 400
    assert bad.json()["error"]["type"] == "Bad Request"
    assert "'type': 'json_invalid'" in bad.json()["error"]["message"]
    unlabeled = requests.post(fidelity.base_url + "/chat/completions", data=b'{"messages":[]}', headers=auth)
    assert unlabeled.status_code == 400
    assert unlabeled.json()["error"]["message"] == (
        "1 validation error:\n  Unsupported Media Type: Only 'application/json' is allowed")
    latin1 = requests.post(fidelity.base_url + "/chat/completions", data='{"messages":"é"}'.encode("latin-1"),
                           headers={**auth, "content-type": "application/json"})
    assert latin1.status_code == 400 and "json_invalid" in latin1.text


def test_validation_errors(post) -> None:
    missing = post("/v1/chat/completions", {"model": MODEL})
    assert missing.status_code == 400
    assert missing.json()["error"] == {
        "message": "1 validation error:\n  {'type': 'missing', 'loc': 'body.messages', 'msg': 'Field required', "
                   "'input': '<dict of 1 items>'}",
        "type": "Bad Request", "param": "body.messages", "code": 400}
    wrong_type = post("/v1/chat/completions", {**CHAT, "temperature": "hot"})
    assert wrong_type.status_code == 400 and wrong_type.json()["error"]["param"] == "body.temperature"
    assert post("/v1/chat/completions", {**CHAT, "temperature": "0.5"}).status_code == 200  # pydantic's lax mode
    options = post("/v1/chat/completions", {**CHAT, "stream_options": {"include_usage": True}})
    assert options.json()["error"] == {
        "message": "Stream options can only be defined when `stream=True`. (parameter=stream_options)",
        "type": "BadRequestError", "param": "stream_options", "code": 400}
    top = post("/v1/chat/completions", {**CHAT, "top_logprobs": 2})
    assert top.status_code == 400 and top.json()["error"]["param"] == "top_logprobs"
    effort = post("/v1/chat/completions", {**CHAT, "reasoning_effort": "extreme"})  # not in the request model's Literal
    assert effort.status_code == 400 and effort.json()["error"]["param"] == "body.reasoning_effort"
    assert "'type': 'literal_error'" in effort.json()["error"]["message"]


def test_miss_explains_the_closest_recordings(post) -> None:
    response = post("/v1/completions", {"model": MODEL, "prompt": "x"})
    assert response.status_code == 200  # the completion interaction matches any prompt
    tools = [{"type": "function", "function": {"name": "f"}}]
    body = {**CHAT, "tools": tools, "messages": [{"role": "user", "content": "hi"},
                                                 {"role": "tool", "content": "42", "tool_call_id": "x"}]}
    # the weather-tool interaction wants no tool result yet; "plain" matches anything: so it answers
    assert post("/v1/chat/completions", body).status_code == 200


def test_offline_endpoint_answers_a_miss_with_a_stand_in(tmp_path) -> None:
    from grader.endpoint import Endpoint
    from grader.endpoint.recordings import RecordingFile

    empty = RecordingFile(section="00", provenance={"kind": "authored", "vllm_version": "0.33.0"}, interactions=[])
    with Endpoint([empty], grading=False) as offline:
        session = offline.new_session()
        reply = requests.post(offline.base_url + "/chat/completions", json=CHAT,
                              headers={"Authorization": f"Bearer {session.api_key}"})
    assert reply.status_code == 200
    assert reply.json()["choices"][0]["message"]["content"].startswith("(offline endpoint)")
    assert "no recording answers this route" in session.requests()[0].miss


def test_the_log_never_keeps_a_key(post, fsession) -> None:
    post("/v1/chat/completions", CHAT)
    post("/v1/chat/completions", CHAT, headers={"Authorization": "Bearer sk-someone-elses-key-1234567890"})
    first, second = fsession.requests()
    assert first.headers["authorization"] == "Bearer <the key from OPENAI_API_KEY>" and first.auth == "ok"
    assert second.headers["authorization"] == "Bearer <a different key: sk-…, 31 characters>"
    assert fsession.api_key not in repr(first) and "someone-elses" not in repr(second)


@pytest.mark.parametrize(("extra", "message", "param"), [
    ({"temperature": 2.5}, "temperature must be in [0, 2], got 2.5. (parameter=temperature, value=2.5)", "temperature"),
    ({"temperature": -1}, "temperature must be non-negative, got -1.0. (parameter=temperature, value=-1.0)",
     "temperature"),
    ({"top_p": 0}, "top_p must be in (0, 1], got 0.0. (parameter=top_p, value=0.0)", "top_p"),
    ({"presence_penalty": 3}, "presence_penalty must be in [-2, 2], got 3.0.", None),
    ({"frequency_penalty": -2.5}, "frequency_penalty must be in [-2, 2], got -2.5.", None),
    ({"max_tokens": 0}, "max_tokens must be at least 1, got 0. (parameter=max_tokens, value=0)", "max_tokens"),
])
def test_sampling_ranges(post, extra: dict, message: str, param: str | None) -> None:
    """SamplingParams._verify_args, with the parameter and value appended where vLLM names them."""
    response = post("/v1/chat/completions", {**CHAT, **extra})
    assert response.status_code == 400
    assert response.json()["error"] == {"message": message, "type": "BadRequestError", "param": param, "code": 400}
