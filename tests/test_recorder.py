"""The recorder round trip: references run through the proxy against a stand-in upstream (a second
recorded endpoint on loopback); a planted key must never reach the recording file."""

from __future__ import annotations

import shutil
from pathlib import Path

import requests

from grader.suite import Section, catalog
from grader.endpoint import Endpoint, load_recordings, recordings
from grader.endpoint.recordings import RecordingFile
from grader.recorder import redact
from grader.recorder.record import record

ROOT = Path(__file__).resolve().parent.parent
PLANTED = "sk-planted-9f8e7d6c5b4a39281706f5e4d3c2b1a0"


def _upstream_recordings() -> list[RecordingFile]:
    """Section 01's recordings, with a reply that leaks the key back, as a careless proxy might."""
    files = load_recordings([ROOT / "recordings/01-hello-world.json"])
    leaky = files[0].interactions[0].model_copy(deep=True)
    assert leaky.response is not None and leaky.response.reply is not None
    leaky.response.reply.content = f"Hello! (debug: called with Bearer {PLANTED})"
    files[0].interactions[0] = leaky
    return files


def test_record_round_trip_writes_no_credential(tmp_path: Path) -> None:
    out = tmp_path / "01.json"
    shutil.copy(ROOT / "recordings/01-hello-world.json", out)
    with Endpoint(_upstream_recordings()) as upstream:
        upstream.new_session(PLANTED)
        merged = record(catalog.load("01"), {"OPENAI_BASE_URL": upstream.base_url, "OPENAI_API_KEY": PLANTED,
                                              "MODEL": "openai/gpt-oss-120b"}, out)
        upstream_log = upstream.app.session.requests()

    guarded = [r for r in upstream_log if r.auth != "open"]
    assert guarded and all(r.auth == "ok" for r in guarded), "the proxy must send the real key upstream"
    text = out.read_text()
    assert PLANTED not in text and "planted" not in text
    assert "authorization" not in text.lower()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert PLANTED not in path.read_text(errors="replace")

    reloaded = recordings.load(out)  # still a valid recording file
    kinds = {i.name: (i.provenance or reloaded.provenance).kind for i in reloaded.interactions}
    assert kinds["greeting"] == "recorded" and kinds["pirate-greeting"] == "recorded"
    greeting = next(i for i in merged.interactions if i.name == "greeting")
    assert greeting.provenance is not None and greeting.provenance.vllm_version == "0.33.0"
    assert greeting.response is not None and isinstance(greeting.response.body, dict)
    assert redact.REDACTED in greeting.response.body["choices"][0]["message"]["content"]
    # byte-level shape is kept: every null of vLLM's body survives the round trip
    assert greeting.response.body["choices"][0]["message"]["refusal"] is None
    assert "prompt_logprobs" in greeting.response.body


def test_recorded_file_replays(tmp_path: Path) -> None:
    """What the recorder writes is served again by the endpoint, ids and usage refreshed per request."""
    out = tmp_path / "01.json"
    shutil.copy(ROOT / "recordings/01-hello-world.json", out)
    with Endpoint(load_recordings([ROOT / "recordings/01-hello-world.json"])) as upstream:
        upstream.new_session(PLANTED)
        record(catalog.load("01"), {"OPENAI_BASE_URL": upstream.base_url, "OPENAI_API_KEY": PLANTED,
                                     "MODEL": "openai/gpt-oss-120b"}, out)
    with Endpoint(load_recordings([out])) as replay:
        session = replay.new_session()
        first = requests.post(replay.base_url + "/chat/completions", headers={"Authorization": f"Bearer {session.api_key}"},
                              json={"model": "openai/gpt-oss-120b", "messages": [{"role": "user", "content": "hi"}]}).json()
        second = requests.post(replay.base_url + "/chat/completions", headers={"Authorization": f"Bearer {session.api_key}"},
                               json={"model": "openai/gpt-oss-120b", "messages": [{"role": "user", "content": "hi " * 40}]}).json()
    assert first["id"] != second["id"]
    assert second["usage"]["prompt_tokens"] > first["usage"]["prompt_tokens"]
    assert first["choices"][0]["message"]["content"] == "Hello there, it's great to meet you!"
