"""The learner's everyday commands end cleanly: a closed pipe, an unreachable endpoint, an old Python."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from grader import examples, install

ROOT = Path(__file__).resolve().parent.parent
STATE = str(Path(tempfile.gettempdir()) / f"course-progress-under-test-{os.getpid()}.json")  # not the learner's


def test_progress_into_a_closed_pipe_ends_without_a_traceback() -> None:
    """`make progress | head -1`: the reader is gone before the table is written."""
    env = {**os.environ, "COURSE_STATE_FILE": STATE, "NO_COLOR": "1"}
    process = subprocess.Popen([sys.executable, "-m", "grader", "progress"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0
    assert errors == ""


def test_examples_with_an_unreachable_endpoint_say_so_in_a_few_lines() -> None:
    with socket.socket() as held:  # bound, never listening: connections are refused, and no other test gets the port
        held.bind(("127.0.0.1", 0))
        port = held.getsockname()[1]
        env = {**os.environ, "OPENAI_BASE_URL": f"http://127.0.0.1:{port}/v1", "OPENAI_API_KEY": "sk-test",
               "MODEL": "openai/gpt-oss-120b"}
        done = subprocess.run([sys.executable, "-m", "grader", "examples", "01"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert f"nothing answered at http://127.0.0.1:{port}/v1/models" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr and "$ python" not in done.stdout
    assert len((done.stdout + done.stderr).splitlines()) <= 4


def test_setup_on_an_old_python_says_what_it_needs(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "version_info", (3, 9, 18, "final", 0))
    assert install.main() == 1
    said = capsys.readouterr().err
    assert "The course needs Python 3.10 or newer" in said and "is Python 3.9.18" in said
    assert "make setup PYTHON=" in said


def test_the_oldest_python_is_the_same_everywhere() -> None:
    oldest = "%d.%d" % install.OLDEST
    assert f'requires-python = ">={oldest}"' in (ROOT / "pyproject.toml").read_text()
    assert f"You need Python {oldest} or newer" in (ROOT / "README.md").read_text()


def test_setup_without_make_leaves_the_marker_make_looks_for() -> None:
    target = re.search(r"^(\S+): pyproject.toml constraints.txt$", (ROOT / "Makefile").read_text(), re.M)
    assert target and target.group(1) == "$(VENV)/.installed"
    assert Path(install.MARKER) == ROOT / ".venv" / ".installed"


def test_examples_count_a_failure_the_lesson_intends_as_expected(capsys: pytest.CaptureFixture[str]) -> None:
    assert all((ROOT / script).is_file() for script in examples.ON_PURPOSE)
    broken = "examples/06/stream_error.py"
    assert examples.unexpected_exit(broken, 1, offline=True) is None
    assert "(exit status 1 on purpose: the recorded stream breaks" in capsys.readouterr().out
    assert "but the lesson has it fail" in str(examples.unexpected_exit(broken, 0, offline=True))
    assert examples.unexpected_exit(broken, 0, offline=False) is None  # a live server has no drills
    assert examples.unexpected_exit("examples/01/raw_http.py", 1, offline=True) == "exited with status 1"
