"""Every recording validates, says where it came from, and no file a learner sees holds a key."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from grader.endpoint import config, recordings
from grader.endpoint.recordings import RecordingError

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "tests").rglob("*.json"))
RECORDINGS = [p for p in FILES if json.loads(p.read_text()).get("interactions") is not None]
KEY_SHAPE = re.compile(r"\bsk-(?!live-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c)[A-Za-z0-9_\-]{20,}")


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: p.name)
def test_recording_validates_and_states_provenance(path: Path) -> None:
    loaded = recordings.load(path)
    kinds = {loaded.provenance.kind} | {i.provenance.kind for i in loaded.interactions if i.provenance}
    if loaded.provenance.kind == "authored":
        assert loaded.provenance.vllm_version == config.VLLM_VERSION
        assert "not captured" in loaded.provenance.note or "written by hand" in loaded.provenance.note.lower()
    for interaction in loaded.interactions:
        if interaction.provenance and interaction.provenance.kind == "recorded":
            assert interaction.provenance.recorded_on
    assert kinds <= {"authored", "recorded"}


def test_recording_files_are_named_for_their_section() -> None:
    for path in (ROOT / "recordings").glob("*.json"):
        assert recordings.load(path).section == path.name[:2]


def test_no_key_in_recordings_examples_or_lessons() -> None:
    """The only key-shaped string allowed is the obviously fake one inside hard-coded-key fixtures."""
    places = [*RECORDINGS, *(ROOT / "examples").rglob("*.py"), *(ROOT / "lessons").glob("*.md"), ROOT / "README.md"]
    for path in places:
        found = KEY_SHAPE.findall(path.read_text(encoding="utf-8"))
        assert not found, f"{path}: key-shaped text {found}"


@pytest.mark.parametrize("broken, message", [
    ("{not json", "is not valid JSON"),
    ('{"format": 1, "section": "x", "provenance": {"kind": "captured", "vllm_version": "0"}, "interactions": []}',
     "provenance.kind"),
    ('{"format": 1, "section": "x", "provenance": {"kind": "recorded", "vllm_version": "0.33.0"}, "interactions": []}',
     "recorded_on"),
    ('{"format": 1, "section": "x", "provenance": {"kind": "authored", "vllm_version": "0.33.0"}, "interactions": '
     '[{"name": "a", "description": "d", "match": {"rote": "POST /v1/x"}, "response": {"body": {}}}]}',
     "interactions[0] ('a').match"),
])
def test_malformed_recording_gets_a_clear_message(tmp_path: Path, broken: str, message: str) -> None:
    path = tmp_path / "99-broken.json"
    path.write_text(broken)
    with pytest.raises(RecordingError) as raised:
        recordings.load(path)
    assert message in str(raised.value) and str(path) in str(raised.value)
