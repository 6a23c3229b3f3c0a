"""How grading starts runs, counted by the script itself: only those the selected checks read, again when a busy
machine held the grading endpoint up, with a time limit that stretches with the load; a check of a case the machine
lacks, reported without holding the section back; and a --grade naming no folder."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader import load
from grader.attacks import cgroups
from grader.grading import grade
from grader.report import render
from grader.suite import catalog, runs
from grader.suite.plugin import NOT_HERE

ROOT = Path(__file__).resolve().parent.parent


def _counting(tmp_path: Path, reference: str) -> Path:
    """A folder holding the reference, which first adds a line to runs.txt each time it runs."""
    folder = tmp_path / "work"
    folder.mkdir()
    tally = tmp_path / "runs.txt"
    name = Path(reference).name
    (folder / name).write_text(f"open({str(tally)!r}, 'a').write('run\\n')\n" + (ROOT / reference).read_text())
    return tally


def test_only_the_runs_the_selected_checks_read_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runs, "LATE", float("inf"))  # a busy machine must not add a repeated run to the count
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


def test_a_time_limit_stretches_with_the_load_but_not_forever(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load.paths, "cores", lambda: 2)
    for average, expected in ((0.5, 20.0), (2.0, 20.0), (6.0, 60.0), (40.0, 20.0 * load.STRETCH)):
        monkeypatch.setattr(load.os, "getloadavg", lambda average=average: (average, average, average))
        assert load.stretched(20.0) == expected


def test_grading_a_folder_that_does_not_exist_is_one_usage_line(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests/sections/test_01_hello_world.py",
                           "--grade", str(tmp_path / "missing")], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR
    assert "--grade" in done.stderr and "expected 'work', 'examples' or a folder" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout and "pluggy" not in done.stderr + done.stdout


def test_a_check_of_a_case_this_machine_lacks_is_said_and_holds_nothing_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """Section 15's sandbox-as-root check needs a grader that is root and can make a pids cgroup: elsewhere it is
    reported as skipped, with the reason, and the section can still be done."""
    @contextlib.contextmanager
    def no_cgroup(cap: int) -> Iterator[None]:
        yield None

    monkeypatch.setattr(cgroups, "pids_cgroup", no_cgroup)
    as_root = "stops a fork bomb when your sandbox runs as root too, where the kernel ignores RLIMIT_NPROC"
    plain = "returns stdout, stderr, exit_code and limit for code that runs and for code that fails"
    result = grade(catalog.load("15"), what="examples", only=["sandbox.py"], checks={"examples": {as_root, plain}})
    statuses = {c.name: (c.status, c.message) for c in result.checks}
    assert statuses[plain] == ("passed", "")
    assert statuses[as_root] == ("skipped", NOT_HERE + cgroups.NO_CGROUP)
    assert result.passed
    shown = io.StringIO()
    render(result, shown)
    assert f"~ {as_root}" in shown.getvalue() and cgroups.NO_CGROUP in shown.getvalue()
