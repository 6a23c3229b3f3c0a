"""Which runs of a learner file grading starts, counted by the script itself: only those the selected checks read,
and again when a busy machine held the grading endpoint up."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.grading import grade
from grader.suite import catalog, runs

ROOT = Path(__file__).resolve().parent.parent


def _counting(tmp_path: Path, reference: str) -> Path:
    """A folder holding the reference, which first adds a line to runs.txt each time it runs."""
    folder = tmp_path / "work"
    folder.mkdir()
    tally = tmp_path / "runs.txt"
    name = Path(reference).name
    (folder / name).write_text(f"open({str(tally)!r}, 'a').write('run\\n')\n" + (ROOT / reference).read_text())
    return tally


def test_only_the_runs_the_selected_checks_read_start(tmp_path: Path) -> None:
    section = catalog.load("06")
    tally = _counting(tmp_path, "examples/06/stream_sdk.py")
    runs_of_file = 1 + len(section.files["stream_sdk.py"].scenarios)
    assert runs_of_file > 1  # it has a variant run and a run with another model
    every = grade(section, what=str(tmp_path / "work"), only=["stream_sdk.py"])
    assert tally.read_text().count("run") == runs_of_file
    assert every.passed, [c for c in every.checks if c.status != "passed"]
    tally.unlink()
    one = grade(section, what=str(tmp_path / "work"), only=["stream_sdk.py"],
                checks={"work": {"asks for a stream (\"stream\": true)"}})
    assert [c.name for c in one.checks] == ["asks for a stream (\"stream\": true)"]
    assert tally.read_text().count("run") == 1  # the plain run only


def test_a_stream_the_endpoint_fell_behind_on_is_run_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runs, "LATE", -1.0)  # every streamed event counts as late
    tally = _counting(tmp_path, "examples/06/stream_sdk.py")
    result = grade(catalog.load("06"), what=str(tmp_path / "work"), only=["stream_sdk.py"],
                checks={"work": {"asks for a stream (\"stream\": true)"}})
    assert [c.status for c in result.checks] == ["passed"]
    assert tally.read_text().count("run") == runs.ATTEMPTS
