"""An endpoint with the fidelity tests' own interactions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from grader.endpoint import Endpoint, load_recordings
from grader.endpoint.session import Session


@pytest.fixture(scope="module")
def fidelity() -> Iterator[Endpoint]:
    with Endpoint(load_recordings([Path(__file__).with_name("fidelity.json")])) as running:
        yield running


@pytest.fixture
def fsession(fidelity: Endpoint) -> Session:
    return fidelity.new_session()


@pytest.fixture
def post(fidelity: Endpoint, fsession: Session) -> Callable[..., requests.Response]:
    """POST JSON to a path on the fidelity endpoint with the right key."""

    def send(path: str, body: Any, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {fsession.api_key}", **kwargs.pop("headers", {})}
        kwargs.setdefault("timeout", 10)
        return requests.post(fidelity.root_url + path, json=body, headers=headers, **kwargs)

    return send
