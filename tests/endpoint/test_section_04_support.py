"""What Section 04 added to the endpoint: range and presence matching, vLLM's greedy-n refusal, logprobs as asked."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from grader.endpoint import Endpoint, config
from grader.endpoint.matcher import Request, find, specificity
from grader.endpoint.recordings import Match, RecordingFile

CHAT = "POST /v1/chat/completions"
LOGPROBS = {"content": [
    {"token": "Hi", "logprob": -0.25, "bytes": [72, 105],
     "top_logprobs": [{"token": "Hi", "logprob": -0.25, "bytes": [72, 105]},
                      {"token": "Hey", "logprob": -1.5, "bytes": [72, 101, 121]},
                      {"token": "Yo", "logprob": -3.0, "bytes": [89, 111]}]},
]}
RECORDING = RecordingFile.model_validate({
    "section": "test",
    "provenance": {"kind": "authored", "vllm_version": config.VLLM_VERSION},
    "interactions": [
        {"name": "cool", "description": "a low temperature",
         "match": {"route": CHAT, "between": {"temperature": [0.01, 0.5]}}, "response": {"reply": {"content": "cool"}}},
        {"name": "stopped", "description": "stop strings sent", "match": {"route": CHAT, "present": ["stop"]},
         "response": {"reply": {"content": "one, two, three"}}},
        {"name": "plain", "description": "anything else, with logprobs recorded", "match": {"route": CHAT},
         "response": {"reply": {"content": "Hi", "logprobs": LOGPROBS}}},
    ],
})
BASE = {"model": config.SERVED_MODEL, "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture(scope="module")
def support() -> Iterator[Endpoint]:
    with Endpoint([RECORDING]) as running:
        yield running


@pytest.fixture
def chat(support: Endpoint) -> Callable[..., requests.Response]:
    session = support.new_session()

    def send(**fields: Any) -> requests.Response:
        return requests.post(support.base_url + "/chat/completions", json={**BASE, **fields},
                             headers={"Authorization": f"Bearer {session.api_key}"}, timeout=10)

    return send


def _matched(body: dict[str, Any]) -> str:
    found = find(RECORDING.interactions, Request("POST", "/v1/chat/completions", body))
    return getattr(found, "name", "miss")


def test_between_reads_numbers_as_vllm_does() -> None:
    assert _matched({"temperature": 0.2}) == "cool"
    assert _matched({"temperature": "0.2"}) == "cool"  # pydantic's lax mode: vLLM reads it as 0.2
    assert _matched({"temperature": 0.9}) == "plain"
    assert _matched({"temperature": True}) == "plain"
    assert _matched({}) == "plain"


def test_present_needs_a_non_null_value() -> None:
    assert _matched({"stop": ["two"]}) == "stopped"
    assert _matched({"stop": None}) == "plain"


def test_new_conditions_count_towards_specificity() -> None:
    assert specificity(Match(route=CHAT, between={"temperature": (0, 1), "top_p": (0, 1)}, present=["stop"])) == 3


def test_greedy_sampling_refuses_n_above_one(chat) -> None:
    response = chat(temperature=0, n=3)
    assert response.status_code == 400
    assert response.text == ('{"error":{"message":"n must be 1 when using greedy sampling, got 3.",'
                             '"type":"BadRequestError","param":null,"code":400}}')
    assert chat(temperature=0, n=1).status_code == 200
    assert chat(temperature=1.0, n=3).status_code == 200
    assert chat(n=3).status_code == 200  # no temperature: the server's default samples


def test_logprobs_only_when_asked(chat) -> None:
    assert chat().json()["choices"][0]["logprobs"] is None
    content = chat(logprobs=True).json()["choices"][0]["logprobs"]["content"]
    assert content[0]["token"] == "Hi" and content[0]["top_logprobs"] == []  # top_logprobs defaults to 0


def test_top_logprobs_trims_the_alternatives(chat) -> None:
    two = chat(logprobs=True, top_logprobs=2).json()["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
    assert [t["token"] for t in two] == ["Hi", "Hey"]
    lax = chat(logprobs="true", top_logprobs="1").json()["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
    assert [t["token"] for t in lax] == ["Hi"]


def test_top_logprobs_without_logprobs_is_refused(chat) -> None:
    response = chat(top_logprobs=2)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == ("when using `top_logprobs`, `logprobs` must be set to true. "
                                                   "(parameter=top_logprobs)")
