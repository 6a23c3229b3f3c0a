"""Shared fixtures: a recorded endpoint with every section's recordings; and a guard that the course's own
tests leave the checkout (the learner's work/ above all) exactly as they found it."""

from __future__ import annotations

import hashlib
import os
import sys
import threading
import time
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.endpoint import Endpoint, load_recordings  # noqa: E402
from grader.endpoint.session import Session  # noqa: E402

RECORDINGS = sorted((ROOT / "recordings").glob("*.json"))


@pytest.fixture(scope="session")
def endpoint() -> Iterator[Endpoint]:
    with Endpoint(load_recordings(RECORDINGS)) as running:
        yield running


@pytest.fixture(autouse=True, scope="module")
def _progress_file_removed(request: pytest.FixtureRequest) -> Iterator[None]:
    """A module that points the course's commands at a progress file of its own (its STATE) leaves none behind."""
    yield
    state = getattr(request.module, "STATE", None)
    if state:
        Path(state).unlink(missing_ok=True)


@pytest.fixture
def session(endpoint: Endpoint) -> Session:
    """A fresh key and an empty request log for one test."""
    return endpoint.new_session()


@pytest.fixture
def sdk_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits the openai SDK asks for between retries in this test's thread, in order.

    Tests pin these numbers rather than the gaps they measure on the clock, which a busy machine stretches."""
    import openai._base_client as base_client

    asked: list[float] = []
    caller = threading.get_ident()

    def sleep(seconds: float) -> None:
        if threading.get_ident() == caller:
            asked.append(seconds)
        time.sleep(seconds)

    monkeypatch.setattr(base_client, "time", types.SimpleNamespace(**{**vars(time), "sleep": sleep}))
    return asked


_BEFORE = pytest.StashKey[dict[str, str]]()
UNGUARDED = {".git", ".venv", "__pycache__", ".pytest_cache"}


def _snapshot(root: Path) -> dict[str, str]:
    """Every file of the checkout outside the tool folders, by content."""
    found = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in UNGUARDED and not d.endswith(".egg-info")]
        for name in files:
            path = Path(folder, name)
            found[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def pytest_sessionstart(session: pytest.Session) -> None:
    """Guard `make test` (the section suites grade the references only): the xdist controller, or a run without
    xdist; never a run that grades work/ or a folder of the user's, whose files they may be saving meanwhile."""
    config = session.config
    references_only = set(config.getoption("grade") or ["work"]) == {"examples"}
    reporter = config.pluginmanager.get_plugin("terminalreporter")  # none in a run the grader starts itself
    if references_only and reporter is not None and not hasattr(config, "workerinput"):
        config.stash[_BEFORE] = _snapshot(ROOT)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    before = session.config.stash.get(_BEFORE, None)
    if before is None:
        return
    after = _snapshot(ROOT)
    changed = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    if changed:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        reporter.write("\n")
        reporter.write_line("The tests changed the checkout (a test may write only in a temporary folder): "
                            + ", ".join(changed[:10]), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

