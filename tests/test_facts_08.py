"""What lesson 08 states about errors, retries and timeouts, pinned against the installed openai SDK, requests
and the recorded endpoint, so that an upgrade which changes any of it fails here first."""

from __future__ import annotations

import inspect
import logging
import re
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2
import openai
import oracle
import pytest
import requests
from openai import _constants
from openai._models import FinalRequestOptions

from grader.endpoint import Endpoint, config, recordings
from grader.endpoint.session import LoggedRequest, Session

ROOT = Path(__file__).resolve().parent.parent
LESSON = (ROOT / "lessons/08-errors-retries-rate-limits.md").read_text()
RECORDING = recordings.load(ROOT / "recordings/08-errors-retries-rate-limits.json")
MODEL = config.SERVED_MODEL


def _client(endpoint: Endpoint, session: Session, **options: Any) -> openai.OpenAI:
    return openai.OpenAI(base_url=endpoint.base_url, api_key=session.api_key, **options)


def _ask(client: openai.OpenAI, text: str, **extra: Any) -> str:
    response = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": text}], **extra)
    return response.choices[0].message.content or ""


def _raises(call: Callable[[], object]) -> Exception:
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - the test inspects whatever was raised
        return exc
    raise AssertionError("expected the call to raise")


def _attempts(session: Session, drill: str) -> list[LoggedRequest]:
    return [r for r in session.requests() if r.interaction == f"drill-{drill}"]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_sdk_defaults() -> None:
    client = openai.OpenAI(api_key="x", base_url="http://127.0.0.1:1/v1")
    assert client.max_retries == openai.DEFAULT_MAX_RETRIES == 2
    assert "`max_retries` is 2 by default, so a call makes up to 3 attempts" in LESSON
    assert (client.timeout.connect, client.timeout.read) == (5.0, 600)
    assert "5 seconds to\nconnect, then **600 seconds**" in LESSON
    assert (_constants.INITIAL_RETRY_DELAY, _constants.MAX_RETRY_DELAY, _constants.MAX_RETRY_AFTER_DELAY) == (0.5, 8.0, 120)
    assert "`min(0.5 × 2ⁿ, 8)`" in LESSON and "more than 120 seconds" in LESSON
    assert inspect.signature(requests.Session.request).parameters["timeout"].default is None
    assert "`requests` has no default timeout at all" in LESSON


def test_two_503s_are_retried_with_growing_jittered_waits(endpoint, session, sdk_sleeps) -> None:
    assert _ask(_client(endpoint, session), "drill:503 Name one ocean.").startswith("Back in business")
    attempts = _attempts(session, "503")
    assert [r.status for r in attempts] == [503, 503, 200]
    assert [r.headers["x-stainless-retry-count"] for r in attempts] == ["0", "1", "2"]
    first, second = sdk_sleeps
    assert 0.375 <= first <= 0.5 and 0.75 <= second <= 1.0
    assert all(b.started >= a.finished for a, b in zip(attempts, attempts[1:])), "one attempt after another"
    assert "0.375 to 0.5 s,\n  then 0.75 to 1 s" in LESSON


def test_which_statuses_the_sdk_retries_and_the_class_it_raises(endpoint, session) -> None:
    client = _client(endpoint, session, max_retries=1)
    cases = {  # the drill (or request), whether one retry follows, the exception class
        "drill:408": (True, openai.APIStatusError),
        "drill:409": (True, openai.ConflictError),
        "drill:500": (True, openai.InternalServerError),
        "drill:502": (True, openai.InternalServerError),
        "drill:outage": (True, openai.InternalServerError),
        "drill:403": (False, openai.PermissionDeniedError),
        "drill:422": (False, openai.UnprocessableEntityError),
        "drill:long-wait": (False, openai.RateLimitError),
    }
    with ThreadPoolExecutor(len(cases)) as pool:
        raised = dict(zip(cases, pool.map(lambda text: _raises(lambda: _ask(client, text)), cases)))
    for text, (retried, kind) in cases.items():
        assert type(raised[text]) is kind, text
        assert len(_attempts(session, text.removeprefix("drill:"))) == (2 if retried else 1), text
    assert type(_raises(lambda: _ask(client, "word " * 140_000))) is openai.BadRequestError
    assert type(_raises(lambda: _ask(client.with_options(api_key="not-my-key"), "hi"))) is openai.AuthenticationError
    assert type(_raises(lambda: client.chat.completions.create(model="no-such-model", messages=[]))) is openai.NotFoundError
    assert [r.status for r in session.requests()[-3:]] == [400, 401, 404], "400, 401 and 404 are not retried"
    assert "it retries 408, 409, 429 and every status of 500 or more" in LESSON
    assert "A status without a class of its own, such as 408, raises a plain `APIStatusError`" in LESSON


def test_retry_after_in_seconds_is_honoured(endpoint, session, sdk_sleeps) -> None:
    _ask(_client(endpoint, session), "drill:429 Name one planet.")
    attempts = _attempts(session, "429")
    assert [r.status for r in attempts] == [429, 200]
    assert sdk_sleeps == [1.0], "the Retry-After: 1 the drill sends"


def test_retry_after_ms_wins_over_retry_after(endpoint, session, sdk_sleeps) -> None:
    _ask(_client(endpoint, session), "drill:retry-after-ms Name one planet.")
    assert [r.status for r in _attempts(session, "retry-after-ms")] == [429, 200]
    assert sdk_sleeps == [0.25], "250 ms, not the 2 s of Retry-After"
    assert "a `retry-after-ms` header wins if present, then `Retry-After`" in LESSON


def test_a_retry_after_over_120_seconds_is_not_retried(endpoint, session, sdk_sleeps) -> None:
    error = _raises(lambda: _ask(_client(endpoint, session), "drill:long-wait Name one mountain."))
    assert isinstance(error, openai.RateLimitError) and sdk_sleeps == []
    assert len(_attempts(session, "long-wait")) == 1


def test_max_retries_per_client_and_per_call(endpoint, session) -> None:
    client = _client(endpoint, session)
    once = client.with_options(max_retries=1)
    assert (once.max_retries, client.max_retries) == (1, 2)
    error = _raises(lambda: _ask(once, "drill:outage Name one river."))
    assert isinstance(error, openai.InternalServerError)
    assert [r.headers["x-stainless-retry-count"] for r in _attempts(session, "outage")] == ["0", "1"]
    error = _raises(lambda: _ask(_client(endpoint, session, max_retries=0), "drill:429 Name one planet."))
    assert isinstance(error, openai.RateLimitError) and error.response.headers.get("retry-after") == "1"
    assert len(_attempts(session, "429")) == 1


def test_what_an_error_carries(endpoint, session) -> None:
    client = _client(endpoint, session, max_retries=0)
    outage = _raises(lambda: _ask(client, "drill:outage Name one river."))
    assert isinstance(outage, openai.APIStatusError) and outage.status_code == 503
    assert outage.body == {"message": "No healthy upstream: the model server is restarting.",
                           "type": "ServiceUnavailableError", "param": None, "code": 503}
    assert str(outage) == outage.message == "Error code: 503 - No healthy upstream: the model server is restarting."
    wrong = _raises(lambda: _ask(client.with_options(api_key="not-my-key"), "hi"))
    assert (wrong.status_code, wrong.body, str(wrong)) == (401, "Unauthorized", "Error code: 401")
    html = _raises(lambda: _ask(client, "drill:502 hi"))
    assert isinstance(html.body, str) and html.body.startswith("<html>") and str(html) == "Error code: 502"
    unknown = _raises(lambda: client.chat.completions.create(model="no-such-model", messages=[]))
    assert str(unknown) == ("Error code: 404 - The model `no-such-model` does not exist. "
                            "Valid aliases: openai/gpt-oss-120b.")
    assert "unknown model: 404 The model `no-such-model` does not exist. Valid aliases: openai/gpt-oss-120b." in LESSON
    no_route = _raises(lambda: _ask(openai.OpenAI(base_url=endpoint.root_url, api_key=session.api_key, max_retries=0),
                                    "hi"))
    assert isinstance(no_route, openai.NotFoundError) and no_route.body == {"detail": "Not Found"}
    too_long = _raises(lambda: _ask(client, "word " * 140_000))
    # get_max_tokens' ValueError: no param (vLLM's harmony chat route skips the renderer's own length check)
    assert too_long.body == {"message": "Input length (140068) exceeds model's maximum context length (131072).",
                             "type": "BadRequestError", "param": None, "code": 400}
    assert f"prompt too long: 400 {too_long.body['message']}\n" in LESSON
    assert oracle.prompt_tokens([{"role": "user", "content": "word " * 140_000}]) == 140068


def test_the_exception_family_tree() -> None:
    statuses = [openai.BadRequestError, openai.AuthenticationError, openai.PermissionDeniedError, openai.NotFoundError,
                openai.ConflictError, openai.UnprocessableEntityError, openai.RateLimitError, openai.InternalServerError]
    assert all(issubclass(kind, openai.APIStatusError) for kind in statuses)
    assert issubclass(openai.APITimeoutError, openai.APIConnectionError)
    assert issubclass(openai.APIConnectionError, openai.APIError) and issubclass(openai.APIStatusError, openai.APIError)
    assert not issubclass(openai.APIConnectionError, openai.APIStatusError)
    for kind in [*statuses, openai.APIStatusError, openai.APIConnectionError, openai.APITimeoutError]:
        assert f"── {kind.__name__} " in LESSON, kind.__name__


def test_timeouts_connect_read_and_retries(endpoint, session) -> None:
    limits = openai.Timeout(1.0, connect=5.0)
    assert (limits.connect, limits.read, limits.write, limits.pool) == (5.0, 1.0, 1.0, 1.0)
    # The drill answers after a long stall: a timeout error, not the answer, proves the read timeout fired.
    error = _raises(lambda: _ask(_client(endpoint, session, timeout=openai.Timeout(0.3, connect=5.0), max_retries=0),
                                 "drill:stall Name one star."))
    assert type(error) is openai.APITimeoutError and str(error) == "Request timed out."
    assert isinstance(error, openai.APIConnectionError)
    assert _attempts(session, "stall")[0].headers["x-stainless-read-timeout"] == "0.3"
    _raises(lambda: _ask(_client(endpoint, session, timeout=0.2, max_retries=1), "drill:stall Name one star."))
    assert len(_attempts(session, "stall")) == 3, "a timeout is retried like a 5xx"
    _ask(_client(endpoint, session), "Say hello.", timeout=7.0)
    assert session.requests()[-1].headers["x-stainless-read-timeout"] == "7.0"
    _ask(_client(endpoint, session), "Say hello.")
    assert session.requests()[-1].headers["x-stainless-read-timeout"] == "600"
    refused = _raises(lambda: _ask(openai.OpenAI(base_url=f"http://127.0.0.1:{_closed_port()}/v1", api_key="x",
                                                 max_retries=0), "hi"))
    assert type(refused) is openai.APIConnectionError and str(refused) == "Connection error."


def test_a_read_timeout_limits_silence_not_a_whole_stream(endpoint) -> None:
    session = endpoint.new_session(pace=1.0)
    try:
        # Tokens come every 40 ms and the whole answer takes 2 s: a 1.5 s read timeout sits between the two, with room
        # for a busy machine to hold the endpoint's thread up for over a second.
        client = _client(endpoint, session, timeout=openai.Timeout(1.5, connect=5.0), max_retries=0)
        started = time.monotonic()
        stream = client.chat.completions.create(model=MODEL, stream=True,
                                                messages=[{"role": "user", "content": "drill:slow-stream calm"}])
        text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
        assert time.monotonic() - started > 1.0 and text.startswith("A slow answer still arrives")
        assert isinstance(_raises(lambda: _ask(client, "drill:slow-stream calm")), openai.APITimeoutError)
    finally:
        endpoint.new_session(pace=0.0)


def test_openai_log_info_shows_each_retry(endpoint, session, monkeypatch, caplog) -> None:
    logger = logging.getLogger("openai")
    level = logger.level
    monkeypatch.setenv("OPENAI_LOG", "info")
    try:
        openai._utils._logs.setup_logging()  # what `import openai` runs, here with OPENAI_LOG set
        assert logger.level == logging.INFO
        with caplog.at_level(logging.INFO, logger="openai"):
            _ask(_client(endpoint, session), "drill:503 Name one ocean.")
    finally:
        logger.setLevel(level)
    retries = [r.getMessage() for r in caplog.records if r.name.startswith("openai")]
    assert [re.sub(r"\d+\.\d+", "N", m) for m in retries] == [
        "Retrying request in N seconds (retry 1 of 2)", "Retrying request in N seconds (retry 2 of 2)"]
    assert "OPENAI_LOG=info python work/sdk_errors.py" in LESSON


def test_requests_timeouts_and_errors(endpoint, session) -> None:
    assert issubclass(requests.ConnectTimeout, requests.ConnectionError)
    assert issubclass(requests.ConnectTimeout, requests.Timeout) and issubclass(requests.ReadTimeout, requests.Timeout)
    url = f"{endpoint.base_url}/chat/completions"
    auth = {"Authorization": f"Bearer {session.api_key}"}
    with pytest.raises(requests.ReadTimeout):
        requests.post(url, headers=auth, timeout=(5, 0.3),
                      json={"model": MODEL, "messages": [{"role": "user", "content": "drill:stall hi"}]})
    with pytest.raises(requests.ConnectionError):
        requests.post(f"http://127.0.0.1:{_closed_port()}/v1/chat/completions", json={}, timeout=(1, 1))
    typo = requests.post(url, headers=auth, timeout=10,
                         json={"model": MODEL, "message": [{"role": "user", "content": "Name one lake."}]})
    message = typo.json()["error"]["message"]
    assert typo.status_code == 400 and message == (
        "1 validation error:\n  {'type': 'missing', 'loc': 'body.messages', 'msg': 'Field required', "
        "'input': '<dict of 2 items>'}")
    assert "not retrying: 400 " + message in LESSON


def test_the_drills_the_lesson_lists_exist() -> None:
    rows = re.findall(r"^\| (`drill:[^|]+)\| ([^|]+) \|$", LESSON, re.M)
    assert len(rows) == 8
    phrases = [p for cell, _ in rows for p in re.findall(r"`(drill:[\w-]+)`", cell)]
    names = {i.name for i in RECORDING.interactions}
    assert all("drill-" + p.removeprefix("drill:") in names for p in phrases), phrases
    first = {i.name: (i.response or (i.responses or [None])[0]) for i in RECORDING.interactions}
    assert first["drill-429"].headers["retry-after"] == "1" and first["drill-long-wait"].headers["retry-after"] == "300"
    assert first["drill-stall"].delay_s == 2.5 and "says nothing for 2.5 seconds" in LESSON
    outage = next(i for i in RECORDING.interactions if i.name == "drill-outage").responses or []
    assert [r.status for r in outage] == [503] * 9 + [200] and "503 nine times in a row" in LESSON


def test_the_root_of_the_tree_and_the_validation_error() -> None:
    assert openai.APIError.__mro__[1] is openai.OpenAIError and openai.OpenAIError.__mro__[1] is Exception
    assert issubclass(openai.APIResponseValidationError, openai.APIError)
    assert not issubclass(openai.APIResponseValidationError, (openai.APIStatusError, openai.APIConnectionError))
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("OPENAI_API_KEY", raising=False)
        missing = _raises(lambda: openai.OpenAI(base_url="http://127.0.0.1:1/v1"))
    assert type(missing) is openai.OpenAIError, "a missing key is an OpenAIError, raised before any request"
    for kind in (openai.OpenAIError, openai.APIError, openai.APIResponseValidationError):
        assert f"{kind.__name__} " in LESSON, kind.__name__


def test_x_should_retry_overrules_the_status() -> None:
    client = openai.OpenAI(api_key="x", base_url="http://127.0.0.1:1/v1")
    def should(status: int, **headers: str) -> bool:
        return client._should_retry(httpx2.Response(status, headers=headers))
    assert should(503) and not should(503, **{"x-should-retry": "false"})
    assert not should(400) and should(400, **{"x-should-retry": "true"})
    assert "`x-should-retry: true` makes the SDK retry whatever the status" in " ".join(LESSON.split())


def test_a_zero_retry_after_means_backoff_and_waits_stop_growing_at_the_cap() -> None:
    client = openai.OpenAI(api_key="x", base_url="http://127.0.0.1:1/v1", max_retries=20)
    options = FinalRequestOptions.construct(method="post", url="/chat/completions")
    zero = [client._calculate_retry_timeout(20, options, httpx2.Headers({"retry-after": "0"})) for _ in range(50)]
    assert all(0.375 <= wait <= 0.5 for wait in zero), "Retry-After: 0 falls back to the first backoff step"
    late = [client._calculate_retry_timeout(20 - n, options, None) for n in (6, 7, 8, 12) for _ in range(25)]
    assert all(6.0 <= wait <= 8.0 for wait in late), "from the cap on, waits are 6 to 8 s and grow no more"
    prose = " ".join(LESSON.split())
    assert "(and a wait of 0 counts as none)" in prose and "every wait is a random 6 to 8 seconds" in prose


def test_a_body_cut_mid_read_is_not_a_connection_error() -> None:
    assert issubclass(requests.exceptions.ChunkedEncodingError, requests.RequestException)
    assert not issubclass(requests.exceptions.ChunkedEncodingError, (requests.ConnectionError, requests.Timeout))
    backoff = (ROOT / "examples/08/backoff.py").read_text()
    assert "requests.exceptions.ChunkedEncodingError) as exc:" in backoff
    assert "It also backs off as usual on `Retry-After: 0`" in " ".join(LESSON.split())


def test_the_deadline_sketch(endpoint, session) -> None:
    sketch = LESSON.split("stream check the clock inside the loop over the chunks too. A sketch:\n\n```python\n")[1]
    space: dict[str, Any] = {}
    exec(sketch.split("\n```")[0], space)  # noqa: S102 - the lesson's own code
    client = _client(endpoint, session)
    answer = space["ask_by"](client, time.monotonic() + 10, model=MODEL, messages=[{"role": "user", "content": "hi"}])
    assert answer.choices[0].message.content
    with pytest.raises(TimeoutError):
        space["ask_by"](client, time.monotonic() + 1.0, model=MODEL,
                        messages=[{"role": "user", "content": "drill:stall Name one star."}])
    assert "(3 × 600 seconds)" in LESSON and "no setting for a limit on the\nwhole call" in LESSON
