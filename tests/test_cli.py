"""The learner's commands: exit codes, JSON on stdout only, clear words for bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from grader.grading import GradingError, grade
from grader.suite import catalog

ROOT = Path(__file__).resolve().parent.parent
STATE = str(Path(tempfile.gettempdir()) / f"course-progress-under-test-{os.getpid()}.json")  # not the learner's


def grader(*args: str, work: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COURSE_STATE_FILE": STATE}
    if work is not None:
        env["COURSE_WORK_DIR"] = str(work)
    return subprocess.run([sys.executable, "-m", "grader", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_json_is_the_only_output(tmp_path: Path) -> None:
    done = grader("check", "01", "--json", work=tmp_path)
    assert done.returncode == 1
    result = json.loads(done.stdout)
    assert result["section"] == "01" and result["passed"] is False
    assert {c["status"] for c in result["checks"]} == {"missing"}
    assert set(result["checks"][0]) == {"name", "file", "status", "message"}


def test_the_json_schema_is_pinned(tmp_path: Path) -> None:
    """`check NN --json` is read by classroom tools: its shape and wording change only on purpose."""
    done = grader("check", "01", "--json", work=tmp_path)
    expected = json.loads((ROOT / "tests/snapshots/check-01-not-started.json").read_text(encoding="utf-8"))
    assert json.loads(done.stdout) == expected


def test_empty_work_reads_as_not_started(tmp_path: Path) -> None:
    done = grader("check", "01", work=tmp_path)
    assert done.returncode == 1
    assert "work/hello.py  (a chat call by hand with requests)" in done.stdout
    assert "not started: work/hello.py does not exist yet" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_a_failing_check_quotes_what_the_script_did(tmp_path: Path) -> None:
    (tmp_path / "hello.py").write_text("print('Hello!')\n")
    done = grader("check", "01", "--only", "hello.py", work=tmp_path)
    assert done.returncode == 1
    assert "✗ POSTs to OPENAI_BASE_URL + /chat/completions" in done.stdout
    assert "your script sent nothing: it finished without sending any request" in done.stdout
    assert "see: lessons/01-hello-world.md § Write your first call: raw HTTP (reference: examples/01/raw_http.py)" in done.stdout


def test_a_hanging_script_is_stopped_and_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    section = catalog.load("01")
    monkeypatch.setattr(section.files["hello.py"], "timeout", 1.5)
    (tmp_path / "hello.py").write_text("import time\ntime.sleep(30)\n")
    result = grade(section, what=str(tmp_path), only=["hello.py"])
    assert {c.status for c in result.checks} == {"error"}
    assert "still running after 1.5 s, its time limit" in result.checks[0].message  # stretched when the machine
    assert "so the grader stopped it" in result.checks[0].message  # is busy: see test_grading_runs.py


def test_a_malformed_recording_is_reported_not_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": 1, "section": "01"}')
    section = catalog.load("01")
    monkeypatch.setattr(section, "extra_recordings", (str(broken),))
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "hello.py").write_text("print('hi')\n")
    with pytest.raises(GradingError) as raised:
        grade(section, what=str(tmp_path / "work"))
    assert "does not follow the recording format" in str(raised.value) and "provenance" in str(raised.value)


def test_a_request_no_recording_answers_is_explained(tmp_path: Path) -> None:
    (tmp_path / "list_models.py").write_text(
        "import os, requests\n"
        "r = requests.post(os.environ['OPENAI_BASE_URL'] + '/completions', json={'prompt': 'x'},\n"
        "                  headers={'Authorization': 'Bearer ' + os.environ['OPENAI_API_KEY']})\nprint(r.text)\n")
    result = grade(catalog.load("01"), what=str(tmp_path), only=["list_models.py"])
    message = result.checks[0].message
    assert "your script sent POST /v1/completions (answered 400)" in message
    assert "The recorded endpoint has no recording for POST /v1/completions" in message


def test_unknown_and_coming_sections() -> None:
    unknown = grader("check", "99")
    assert unknown.returncode != 0 and "There is no section '99'" in unknown.stderr
    coming = grader("check", "24")
    assert coming.returncode != 0 and "coming soon" in coming.stderr


def test_solutions_pass_and_progress_lists_every_section(tmp_path: Path) -> None:
    done = grader("check", "01", "--solutions", "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["passed"] is True
    progress = grader("progress")
    assert progress.returncode == 0 and len([l for l in progress.stdout.splitlines() if l[:2].isdigit()]) == 24
