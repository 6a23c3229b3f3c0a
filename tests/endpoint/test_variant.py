"""The variant grading server: a vLLM 0.33.0 configured differently (served name, clock, system date), with a
recording's other wording where it has one; everything else byte for byte the usual endpoint."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import requests

from grader.endpoint import Endpoint, Variant, config, harmony, load_recordings

ROOT = Path(__file__).resolve().parents[2]
VARIANT = Variant()
HELLO = [{"role": "user", "content": "What time does the train arrive?"}]


@pytest.fixture(scope="module")
def both() -> Iterator[tuple[Endpoint, Endpoint]]:
    recordings = load_recordings([ROOT / "recordings/05-reasoning-and-developer-role.json"])
    with Endpoint(recordings) as usual, Endpoint(recordings, variant=VARIANT) as varied:
        yield usual, varied


def _chat(endpoint: Endpoint, body: dict[str, object]) -> requests.Response:
    key = endpoint.new_session().api_key
    return requests.post(endpoint.base_url + "/chat/completions", json=body,
                         headers={"Authorization": f"Bearer {key}"}, timeout=10)


def _train(endpoint: Endpoint, **extra: object) -> requests.Response:
    question = "A train leaves at 14:45 and the trip takes 2 h 50 min. When does it arrive?"
    return _chat(endpoint, {"model": endpoint.app.model, "messages": [{"role": "user", "content": question}], **extra})


def test_the_variant_serves_another_name_everywhere(both: tuple[Endpoint, Endpoint]) -> None:
    _, varied = both
    key = varied.new_session().api_key
    listed = requests.get(varied.base_url + "/models", headers={"Authorization": f"Bearer {key}"}, timeout=10).json()
    assert [(m["id"], m["root"]) for m in listed["data"]] == [(VARIANT.model, VARIANT.model)]
    assert _train(varied).json()["model"] == VARIANT.model
    refused = _chat(varied, {"model": config.SERVED_MODEL, "messages": HELLO})
    assert refused.status_code == 404
    assert refused.json()["error"]["message"] == (f"The model `{config.SERVED_MODEL}` does not exist. "
                                                  f"Valid aliases: {VARIANT.model}.")
    chunks = [json.loads(line[6:]) for line in _train(varied, stream=True).text.splitlines()
              if line.startswith("data: {")]
    assert chunks and {c["model"] for c in chunks} == {VARIANT.model}


def test_the_variant_clock_is_far_from_the_machine_s(both: tuple[Endpoint, Endpoint]) -> None:
    usual, varied = both
    for endpoint, shift in ((usual, 0.0), (varied, VARIANT.clock_shift_s)):
        answer = _train(endpoint)
        served = parsedate_to_datetime(answer.headers["date"]).timestamp()
        assert abs(served - (time.time() + shift)) < 120
        assert abs(answer.json()["created"] - (time.time() + shift)) < 120
    assert abs(VARIANT.clock_shift_s) > 100 * 86_400


def test_the_variant_date_changes_the_prompt_not_its_count(both: tuple[Endpoint, Endpoint]) -> None:
    """vLLM renders VLLM_SYSTEM_START_DATE into the system message; every ISO date takes as many tokens."""
    usual, varied = both
    counts = []
    for endpoint, date in ((usual, config.SYSTEM_START_DATE), (varied, VARIANT.start_date)):
        tokens = requests.post(endpoint.root_url + "/tokenize", json={"model": endpoint.app.model, "messages": HELLO},
                               timeout=10).json()["tokens"]
        assert f"Current date: {date}" in harmony.decode(tokens)
        counts.append((len(tokens), _chat(endpoint, {"model": endpoint.app.model, "messages": HELLO,
                                                      "max_tokens": 1}).json()["usage"]["prompt_tokens"]))
    assert counts[0] == counts[1] and counts[0][0] == counts[0][1]


def test_the_variant_answers_in_the_recording_s_other_words(both: tuple[Endpoint, Endpoint]) -> None:
    usual, varied = both
    first, second = (_train(e).json() for e in (usual, varied))
    recorded = load_recordings([ROOT / "recordings/05-reasoning-and-developer-role.json"])[0].interactions
    reply = next(i for i in recorded if i.name == "train-arrival").response_for(0).reply
    assert reply is not None and reply.variant is not None
    assert first["choices"][0]["message"]["content"] == reply.content
    assert second["choices"][0]["message"]["content"] == reply.variant.content
    assert first["usage"]["completion_tokens"] != second["usage"]["completion_tokens"]


def test_the_variant_has_its_own_fingerprint(both: tuple[Endpoint, Endpoint]) -> None:
    usual, varied = both
    assert _train(usual).json()["system_fingerprint"] == config.SYSTEM_FINGERPRINT
    assert _train(varied).json()["system_fingerprint"] == VARIANT.fingerprint != config.SYSTEM_FINGERPRINT


def test_the_variant_serves_responses_under_its_own_name() -> None:
    """/v1/responses on the variant: its served name in `model`, its clock in `created_at`, its other wording, and
    the usual name refused."""
    recording = ROOT / "recordings/12-beyond-chat-completions.json"
    with Endpoint(load_recordings([recording]), variant=VARIANT) as varied:
        key = varied.new_session().api_key
        body = {"model": VARIANT.model, "input": "What does HTTP status 404 mean?"}
        url, headers = varied.base_url + "/responses", {"Authorization": f"Bearer {key}"}
        answer = requests.post(url, json=body, headers=headers, timeout=10).json()
        refused = requests.post(url, json={**body, "model": config.SERVED_MODEL}, headers=headers, timeout=10)
    assert answer["model"] == VARIANT.model
    assert abs(answer["created_at"] - (time.time() + VARIANT.clock_shift_s)) < 120
    variant = json.loads(recording.read_text())["interactions"][4]["response"]["reply"]["variant"]["content"]
    assert answer["output"][-1]["content"][0]["text"] == variant
    assert refused.status_code == 404
