"""`make test` runs with `-n 4 --dist loadgroup`: each section's tests must stay on one worker, or its learner
files run once per worker. pytest-xdist groups by rewriting node ids, which pytest 9.2 no longer allows
(pytest-dev/pytest-xdist#1386): nothing fails, the tests just scatter. This proves the installed pair groups."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

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


def test_loadgroup_keeps_each_group_on_one_worker(tmp_path: Path) -> None:
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    done = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v", "-p", "no:cacheprovider",
                           "--rootdir", str(tmp_path), "test_grouped.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    workers: dict[str, set[str]] = defaultdict(set)
    for worker, group in re.findall(r"\[(gw\d+)\] .*PASSED .*::test_(first|second)\[", done.stdout):
        workers[group].add(worker)
    assert set(workers) == {"first", "second"}, done.stdout
    assert all(len(found) == 1 for found in workers.values()), f"a group ran on several workers: {dict(workers)}"
