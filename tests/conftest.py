"""Shared fixtures: a recorded endpoint with every section's recordings, and section loading."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.endpoint import Endpoint, load_recordings  # noqa: E402
from grader.endpoint.session import Session  # noqa: E402

RECORDINGS = sorted((ROOT / "tests" / "recordings").glob("*.json"))


@pytest.fixture(scope="session")
def endpoint() -> Iterator[Endpoint]:
    with Endpoint(load_recordings(RECORDINGS)) as running:
        yield running


@pytest.fixture
def session(endpoint: Endpoint) -> Session:
    """A fresh key and an empty request log for one test."""
    return endpoint.new_session()
