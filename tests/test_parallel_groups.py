"""`make test` runs with `-n 4 --dist loadgroup`: each section's tests must stay on one worker, or its learner
files run once per worker. pytest-xdist groups by rewriting node ids, which pytest 9.2 no longer allows
(pytest-dev/pytest-xdist#1386): nothing fails, the tests just scatter. This proves the installed pair groups, and that
a section suite's checks, which the course plugin marks while collecting, stay together."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

GROUPED = """import pytest

@pytest.mark.parametrize("n", range(6))
@pytest.mark.xdist_group("first")
def test_first(n):
    pass

@pytest.mark.parametrize("n", range(6))
@pytest.mark.xdist_group("second")
def test_second(n):
    pass
"""


def _workers(done: subprocess.CompletedProcess[str], pattern: str) -> dict[str, set[str]]:
    """The workers each group's passed tests ran on (`pattern` finds a worker, then a group name)."""
    assert done.returncode == 0, done.stdout + done.stderr
    workers: dict[str, set[str]] = defaultdict(set)
    for worker, group in re.findall(pattern, done.stdout):
        workers[group].add(worker)
    return workers


def test_loadgroup_keeps_each_group_on_one_worker(tmp_path: Path) -> None:
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    done = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v", "-p", "no:cacheprovider",
                           "--rootdir", str(tmp_path), "test_grouped.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    workers = _workers(done, r"\[(gw\d+)\] .*PASSED .*::test_(first|second)\[")
    assert set(workers) == {"first", "second"}, done.stdout
    assert all(len(found) == 1 for found in workers.values()), f"a group ran on several workers: {dict(workers)}"


def test_a_section_suite_runs_on_one_worker() -> None:
    """The course plugin marks each check with its section's group while collecting, before xdist reads the marks."""
    done = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v", "-p", "no:cacheprovider",
                           "--grade", "examples", "tests/sections/test_01_hello_world.py"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    workers = _workers(done, r"\[(gw\d+)\] .*PASSED .*::test_\w+@section-(01)")
    assert set(workers) == {"01"}, done.stdout
    assert len(workers["01"]) == 1, f"Section 01's checks ran on several workers: {workers['01']}"
