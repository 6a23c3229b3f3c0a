"""Section 08 support: a stall (delay_s) notices a client that hangs up; a drill's sequence can start over when idle."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from grader.endpoint import Endpoint, config
from grader.endpoint.recordings import Interaction, RecordingFile
from grader.endpoint.session import Session

STALL = 1.5
RECORDING = RecordingFile.model_validate({
    "section": "08",
    "provenance": {"kind": "authored", "vllm_version": config.VLLM_VERSION, "note": "test interactions"},
    "interactions": [{
        "name": "stall",
        "description": "stalls before answering",
        "match": {"route": "POST /v1/chat/completions"},
        "response": {"delay_s": STALL, "reply": {"content": "late"}},
    }],
})


@pytest.fixture(scope="module")
def stalling() -> Iterator[Endpoint]:
    with Endpoint([RECORDING]) as running:
        yield running


def _ask(endpoint: Endpoint, key: str, timeout: float) -> requests.Response:
    body = {"model": config.SERVED_MODEL, "messages": [{"role": "user", "content": "hi"}]}
    return requests.post(endpoint.base_url + "/chat/completions", json=body,
                         headers={"Authorization": f"Bearer {key}"}, timeout=timeout)


def test_a_client_that_waits_gets_the_answer_after_the_stall(stalling: Endpoint) -> None:
    session = stalling.new_session()
    started = time.monotonic()
    response = _ask(stalling, session.api_key, timeout=60)  # a hang guard: the first request loads the vocabulary
    assert response.status_code == 200
    assert time.monotonic() - started >= STALL
    assert session.requests()[0].abandoned is None


def test_a_client_that_hangs_up_is_logged_when_it_did(stalling: Endpoint) -> None:
    session = stalling.new_session()
    asked = time.time()
    with pytest.raises(requests.ReadTimeout):
        _ask(stalling, session.api_key, timeout=0.3)
    while session.requests()[0].finished is None:  # the stall ends within STALL (the test's own timeout guards it)
        time.sleep(0.01)
    entry = session.requests()[0]
    assert entry.abandoned is not None  # set only when the stall ends before its time: the client hung up first
    assert entry.abandoned >= asked + 0.3  # no sooner than the client's timeout, however busy the machine
    assert entry.finished >= entry.abandoned


class _Clock:
    """time.monotonic for the session module, moved by hand: idleness without sleeping (a busy machine can stretch
    any real sleep)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


def test_a_sequence_starts_over_after_restart_after_s_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = _Clock()
    monkeypatch.setattr("grader.endpoint.session.time", clock)
    session = Session("key")
    steps = []
    for _ in range(3):
        steps.append(session.next_call("drill", restart_after=0.2))
        clock.now += 0.19
    clock.now += 0.2
    assert steps + [session.next_call("drill", restart_after=0.2)] == [0, 1, 2, 0]


def test_without_restart_after_a_sequence_never_starts_over(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = _Clock()
    monkeypatch.setattr("grader.endpoint.session.time", clock)
    session = Session("key")
    session.next_call("drill")
    clock.now += 3600
    assert session.next_call("drill", restart_after=None) == 1
    assert Interaction.model_fields["restart_after_s"].default is None


def test_the_recording_format_accepts_restart_after_s() -> None:
    interaction = Interaction.model_validate({
        "name": "drill", "description": "a 429, then an answer", "restart_after_s": 5,
        "match": {"route": "POST /v1/chat/completions"},
        "responses": [{"status": 429, "body": {"error": "slow down"}}, {"reply": {"content": "ok"}}],
    })
    assert interaction.restart_after_s == 5
