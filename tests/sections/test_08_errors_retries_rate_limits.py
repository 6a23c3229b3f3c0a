"""Section 08 · Errors, Retries & Rate Limits: failures by hand, a retry loop, the SDK's retries, timeouts.

The recording's drills (a phrase such as drill:429 in the last user message) script the server's failures; the
request log's timestamps are the evidence for how long a script waited between attempts. A busy machine only
stretches those gaps, so a test may ask for a wait of at least so long, never at most: where it must tell waits
apart (backoff, pacing), it compares them with each other or with a pause of a whole second.
"""

from __future__ import annotations

import ast
import functools
import re

import pytest

from grader import paths
from grader.checks import CheckFailed, Evidence, quote, quote_output
from grader.checks.common import (
    CHAT,
    find_values,
    last_user,
    replies_printed_once,
    sends_key,
    sends_model_from_env,
    sent_with_requests,
    sent_with_sdk,
    squash,
)
from grader.checks.streams import prints_as_it_arrives
from grader.endpoint import recordings
from grader.endpoint.session import LoggedRequest
from grader.suite import Section

MAX_OUTAGE_ATTEMPTS = 6  # the lesson caps at 4; anything from 2 to 6 is a sensible cap
GROWTH = 1.25  # doubling with up to 25 % jitter gives at least 1.5; the slack absorbs timing noise
STALL = 2.5  # seconds drill:stall keeps silent before it answers
ONE_SECOND = 1.0  # the read timeout the lesson sets (the SDK announces it in X-Stainless-Read-Timeout)
RESET_WAIT = 0.95  # seconds: the drills' Retry-After and reset are 1 s, and the log measures from the server's side

SECTION = Section("08", pace=1.0, workers=8)  # paced streams and retry waits: runs mostly wait

errors = SECTION.file("errors.py", reference="examples/08/errors.py",
                      summary="a 400, a 401 and a 404, reported by hand", see="Meet the errors by hand")
backoff = SECTION.file("backoff.py", reference="examples/08/backoff.py", summary="a retry loop with backoff and caps",
                       see="A retry loop by hand", timeout=25.0)
sdk_errors = SECTION.file("sdk_errors.py", reference="examples/08/sdk_errors.py",
                          summary="the SDK's retries and exceptions", see="Let the SDK retry")
timeouts = SECTION.file("timeouts.py", reference="examples/08/timeouts.py",
                        summary="a read timeout that gives up cleanly", see="Timeouts")
quota = SECTION.file("quota.py", reference="examples/08/quota.py", summary="challenge 1: pace by rate-limit headers",
                     see="Challenges", challenge=True)
polite_batch = SECTION.file("polite_batch.py", reference="examples/08/polite_batch.py",
                            summary="challenge 2: a small concurrency limit", see="Challenges", challenge=True)
stream_timeout = SECTION.file("stream_timeout.py", reference="examples/08/stream_timeout.py",
                              summary="challenge 3: a short timeout and a long stream", see="Challenges",
                              challenge=True)


# --- reading the request log -----------------------------------------------------------------------------------------

def _drill(ev: Evidence, name: str) -> list[LoggedRequest]:
    return [r for r in ev.chats() if r.interaction == f"drill-{name}"]


def _what_was_sent(ev: Evidence) -> str:
    chats = ev.chats()
    if not chats:
        return f"no chat request: {ev.why_nothing()}"
    texts = list(dict.fromkeys(quote(last_user(r), 50) for r in chats))
    shown = ", ".join(repr(t) for t in texts[:4]) + (" …" if len(texts) > 4 else "")
    return f"chat requests whose last user messages were {shown}"


def _need_drill(ev: Evidence, name: str) -> list[LoggedRequest]:
    found = _drill(ev, name)
    refused = [r for r in ev.chats() if f"drill:{name}" in last_user(r)]
    if not found and refused:  # sent, but refused before the drill could run (a wrong key, an unknown model)
        raise CheckFailed(f"your script sent 'drill:{name}', but the server refused it with {refused[0].status} before "
                          f"the drill ran: {quote(str(refused[0].response), 200)}")
    if not found:
        raise CheckFailed(f"expected a request whose user message contains 'drill:{name}' (the endpoint's scripted "
                          f"failure); your script sent {_what_was_sent(ev)}.")
    return found


def _wait(before: LoggedRequest, after: LoggedRequest) -> float:
    """Seconds between the server's answer to one attempt and the arrival of the next (never less than the script
    slept: the server notes its answer before sending it)."""
    return after.started - (before.finished or before.started)


def _statuses(requests: list[LoggedRequest]) -> list[int]:
    return [r.status for r in requests]


def _retry_counts(requests: list[LoggedRequest]) -> list[str]:
    return [r.headers.get("x-stainless-retry-count", "?") for r in requests]


def _errors_with(ev: Evidence, status: int) -> list[LoggedRequest]:
    return [r for r in ev.chats() if r.status == status]


def _answered_drills(ev: Evidence, *names: str) -> list[LoggedRequest]:
    """For replies_printed_once: the answered attempts of these drills."""
    found = [r for name in names for r in _drill(ev, name) if r.status == 200 and r.abandoned is None]
    if not found:
        for name in names:
            _need_drill(ev, name)
        raise CheckFailed(f"none of the drills {', '.join('drill:' + n for n in names)} got through to an "
                          f"answer: {[_statuses(_drill(ev, n)) for n in names]}.")
    return found


# --- reports of a failure ----------------------------------------------------------------------------------------

def _server_message(request: LoggedRequest) -> str:
    """The server's own words in an error body: error.message, or a bare error string (vLLM's 401)."""
    body = request.response
    if not isinstance(body, dict):
        return ""
    error = body.get("error", body)
    if isinstance(error, dict):
        return str(error.get("message") or "")
    return str(error)


def _reports(ev: Evidence, request: LoggedRequest) -> str | None:
    """None when the output shows the request's status code and the start of the server's message, else what lacks.

    What the script told its user is stdout, plus stderr when that is a message rather than a traceback."""
    text = ev.output + "\n" + (ev.run.stderr if "Traceback (most recent call last)" not in ev.run.stderr else "")
    numbers = re.findall(r"(?<![\w.])\d+(?![\w.])", text)
    message = squash(_server_message(request))[:40]
    lacks = []
    if str(request.status) not in numbers:
        lacks.append(f"the status code {request.status}")
    if message and message not in squash(text):
        lacks.append(f"the server's message {message!r}…")
    return " and ".join(lacks) or None


def _check_reported(ev: Evidence, failures: list[tuple[str, LoggedRequest]], hint: str) -> None:
    for label, request in failures:
        lacks = _reports(ev, request)
        if lacks:
            raise CheckFailed(f"expected your output to report {label} with {lacks}; your script printed:\n"
                              f"{quote_output(ev.output)}\n{hint}")


# --- work/errors.py ----------------------------------------------------------------------------------------------

def test_errors_uses_requests(errors: Evidence) -> None:
    """sends its request with the requests library"""
    sent_with_requests(errors)


def test_errors_triggers_400(errors: Evidence) -> None:
    """triggers a 400 Bad Request"""
    if not _errors_with(errors, 400):
        raise CheckFailed(f"expected a request the server refuses with 400, such as a prompt longer than the context "
                          f"window ('word ' * 140_000); your script sent {_what_was_sent(errors)}, answered "
                          f"{_statuses(errors.chats())}.")


def test_errors_triggers_401(errors: Evidence) -> None:
    """triggers a 401 with a wrong key"""
    if not [r for r in _errors_with(errors, 401) if r.auth in ("wrong", "missing")]:
        keys = sorted({r.auth for r in errors.chats()})
        raise CheckFailed(f"expected a request with a made-up key, which the server answers with 401; every request "
                          f"your script sent carried {'the right key' if keys == ['ok'] else keys} "
                          f"({_what_was_sent(errors)}).")


def test_errors_triggers_404(errors: Evidence) -> None:
    """triggers a 404 with a model the server does not serve"""
    if not _errors_with(errors, 404):
        models = sorted({str(r.json_field("model")) for r in errors.chats()})
        raise CheckFailed(f"expected a request for a model the server lacks, which it answers with 404; your script "
                          f"asked for {models or 'nothing'} and got {_statuses(errors.chats())}.")


def test_errors_each_failure_once(errors: Evidence) -> None:
    """sends each failing request only once"""
    seen: dict[tuple[str, str], list[LoggedRequest]] = {}
    for request in errors.chats():
        if request.status >= 400:
            seen.setdefault((request.auth, request.raw_body), []).append(request)
    for same in seen.values():
        if len(same) > 1:
            raise CheckFailed(f"your script sent the same failing request {len(same)} times ({same[0].status}): "
                              f"{errors.sent(same[0])}. A 400, 401 or 404 comes back the same however often you ask: "
                              "report it instead of retrying.")


def test_errors_reports(errors: Evidence) -> None:
    """prints each error's status code and the server's message"""
    failures = [(f"the {r.status}", r) for r in errors.chats() if r.status in (400, 401, 404)]
    if not failures:
        raise CheckFailed(f"expected failing requests to report; your script sent {_what_was_sent(errors)}.")
    _check_reported(errors, failures, "Print response.status_code and the message from the JSON body "
                                      "(body['error']['message'], or body['error'] when it is a plain string).")


@pytest.mark.see("Security: error messages and logs leak")
def test_errors_hides_key(errors: Evidence) -> None:
    """never prints the API key"""
    for name, text in (("output", errors.output), ("error output", errors.run.stderr)):
        if errors.api_key and errors.api_key in text:
            raise CheckFailed(f"your script's {name} contains the key from OPENAI_API_KEY. Error reports and logs "
                              "travel further than code: print the status and the server's message, never the "
                              "request headers.")


# --- work/backoff.py ---------------------------------------------------------------------------------------------

def test_backoff_uses_requests(backoff: Evidence) -> None:
    """sends its request with the requests library"""
    sent_with_requests(backoff)


def test_backoff_sends_key(backoff: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(backoff)


@pytest.mark.see("Honour Retry-After")
def test_backoff_honours_retry_after(backoff: Evidence) -> None:
    """waits at least the Retry-After (1 s) after the 429, then retries"""
    attempts = _need_drill(backoff, "429")
    if len(attempts) < 2:
        raise CheckFailed("the server answered 429 with Retry-After: 1, and your script never asked again. "
                          "Retry a 429 after the number of seconds in its Retry-After header.")
    waited = _wait(attempts[0], attempts[1])
    if waited < RESET_WAIT:
        raise CheckFailed(f"the 429 said Retry-After: 1, but your script asked again after {waited:.2f} s. Read "
                          "response.headers['retry-after'] and sleep that many seconds before the next attempt.")


def _grows(attempts: list[LoggedRequest]) -> bool:
    """Whether the last wait between these attempts is at least GROWTH times the first."""
    waits = [_wait(before, after) for before, after in zip(attempts, attempts[1:])]
    return len(waits) >= 2 and waits[-1] >= GROWTH * waits[0]


@pytest.mark.see("Backoff and jitter")
def test_backoff_grows(backoff: Evidence) -> None:
    """waits longer before each retry of the 503s"""
    attempts = _need_drill(backoff, "503")
    if len(attempts) < 3:
        raise CheckFailed(f"drill:503 answers 503 twice and then 200; your script made {len(attempts)} attempt(s) "
                          f"({_statuses(attempts)}). Retry 5xx answers.")
    first, second = _wait(attempts[0], attempts[1]), _wait(attempts[1], attempts[2])
    if first < 0.05:
        raise CheckFailed(f"your script retried the 503 after only {first:.3f} s. Wait before every retry, or a busy "
                          "server gets busier.")
    # A busy machine can stretch one short wait past the next; the outage's retries, made by the same loop, are a
    # second chance to show the growth (the reference's run from 0.2 s to 0.8 s).
    if not _grows(attempts[:3]) and not _grows(_drill(backoff, "outage")):
        raise CheckFailed(f"your script waited {first:.2f} s and then {second:.2f} s: the second wait should be at "
                          f"least {GROWTH}x the first. Double the delay for each retry (exponential backoff) and shave "
                          "at most a quarter off at random (jitter); full jitter, from 0, does not keep waits growing.")


def _uses_randomness(source: str) -> bool:
    """Whether a script imports random or secrets (or numpy's random): what jitter needs."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return True  # the run's own failure says more than this check could
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        if any(n.split(".")[0] in ("random", "secrets") or n == "numpy.random" for n in names):
            return True
        if isinstance(node, ast.Attribute) and node.attr == "random":  # np.random.uniform(...)
            return True
    return False


@pytest.mark.see("Backoff and jitter")
def test_backoff_jitter(backoff: Evidence) -> None:
    """adds jitter: a random share of each backoff wait"""
    # Jitter of a quarter of 0.2 s is lost in the timing noise of a busy machine, so this check reads the script.
    if len(_drill(backoff, "503")) > 1 and not _uses_randomness(backoff.source):
        raise CheckFailed("your script retried the 503s, but nothing in it is random, so every client that failed "
                          "together retries together. Shave a random share off each wait: "
                          "delay * random.uniform(0.75, 1.0).")


@pytest.mark.see("Know when to stop")
def test_backoff_caps_attempts(backoff: Evidence) -> None:
    """gives up on the outage after 2 to 6 attempts"""
    attempts = _need_drill(backoff, "outage")
    if len(attempts) == 1:
        raise CheckFailed("drill:outage answered 503 and your script never retried it. A 503 is transient: retry it, "
                          "a few times.")
    if len(attempts) > MAX_OUTAGE_ATTEMPTS:
        raise CheckFailed(f"your script tried drill:outage {len(attempts)} times ({_statuses(attempts)[-3:]} at the "
                          f"end). Cap the attempts (the lesson uses 4) so that a long outage ends in a clear error "
                          "instead of a script that never returns.")


@pytest.mark.see("Know when to stop")
def test_backoff_respects_budget(backoff: Evidence) -> None:
    """gives up at once when Retry-After is longer than its budget"""
    attempts = _need_drill(backoff, "long-wait")
    if len(attempts) > 1:
        raise CheckFailed(f"drill:long-wait asked for Retry-After: 300, and your script tried again "
                          f"{len(attempts) - 1} time(s), after {_wait(attempts[0], attempts[1]):.2f} s. Asking before "
                          "the server says is ignoring it; waiting 5 minutes is more than the budget. Give up at once.")


@pytest.mark.see("Know when to stop")
def test_backoff_no_retry_400(backoff: Evidence) -> None:
    """sends the bad request (400) only once"""
    refused = _errors_with(backoff, 400)
    if not refused:
        raise CheckFailed(f"expected a request the server refuses with 400 (the lesson's typo: 'message' instead of "
                          f"'messages'); your script sent {_what_was_sent(backoff)}, answered "
                          f"{_statuses(backoff.chats())}.")
    bodies = [r.raw_body for r in refused]
    repeated = max(bodies.count(b) for b in bodies)
    if repeated > 1:
        raise CheckFailed(f"your script sent the request the server refused with 400 {repeated} times. A 400 is your "
                          "request's fault and fails the same way every time: retry only 408, 409, 429 and 5xx.")


def test_backoff_prints_reply(backoff: Evidence) -> None:
    """prints the reply the server sent"""
    replies_printed_once(backoff, _answered_drills(backoff, "429", "503"))


# --- work/sdk_errors.py ------------------------------------------------------------------------------------------

def test_sdk_errors_uses_sdk(sdk_errors: Evidence) -> None:
    """sends its request through the openai SDK"""
    sent_with_sdk(sdk_errors)


def test_sdk_errors_default_retries(sdk_errors: Evidence) -> None:
    """gets the drill:503 answer through the SDK's default retries"""
    attempts = _need_drill(sdk_errors, "503")
    first_call = attempts[:3]
    if _statuses(first_call) != [503, 503, 200]:
        raise CheckFailed(f"drill:503 answers 503, 503, then 200; your script's attempts got {_statuses(attempts)}. "
                          "The SDK's default max_retries (2) is just enough: keep the default for this call.")
    if _retry_counts(first_call) != ["0", "1", "2"]:
        raise CheckFailed(f"expected one create() call that the SDK retried (X-Stainless-Retry-Count 0, 1, 2); "
                          f"your attempts carried {_retry_counts(first_call)}.")


def test_sdk_errors_prints_reply(sdk_errors: Evidence) -> None:
    """prints the reply the server sent"""
    replies_printed_once(sdk_errors, _answered_drills(sdk_errors, "503"))


@pytest.mark.see("The exception classes")
def test_sdk_errors_no_retries(sdk_errors: Evidence) -> None:
    """stops at the 429 when retries are off (max_retries=0)"""
    attempts = _need_drill(sdk_errors, "429")
    if len(attempts) != 1:
        raise CheckFailed(f"expected one attempt at drill:429 with client.with_options(max_retries=0); your script "
                          f"made {len(attempts)} ({_statuses(attempts)}), so something retried it.")


@pytest.mark.see("The exception classes")
def test_sdk_errors_one_retry(sdk_errors: Evidence) -> None:
    """makes exactly 2 attempts at the outage (max_retries=1)"""
    attempts = _need_drill(sdk_errors, "outage")
    if len(attempts) != 2:
        raise CheckFailed(f"expected 2 attempts at drill:outage, the first try and max_retries=1 retry; your script "
                          f"made {len(attempts)}. Call it through client.with_options(max_retries=1).")


@pytest.mark.see("The exception classes")
def test_sdk_errors_wrong_key(sdk_errors: Evidence) -> None:
    """gets a 401 for a wrong key, in one attempt"""
    refused = [r for r in sdk_errors.chats() if r.status == 401 and r.auth in ("wrong", "missing")]
    if not refused:
        raise CheckFailed(f"expected a call through a client with a made-up key, answered 401; your script sent "
                          f"{_what_was_sent(sdk_errors)}, answered {_statuses(sdk_errors.chats())}.")
    if len(refused) > 1:
        raise CheckFailed(f"your script sent the wrong key {len(refused)} times. A 401 never gets better by asking "
                          "again.")


@pytest.mark.see("The exception classes")
def test_sdk_errors_no_loop_around_sdk(sdk_errors: Evidence) -> None:
    """leaves retrying to the SDK (no loop of its own around create())"""
    groups: dict[str, list[LoggedRequest]] = {}
    for request in sdk_errors.chats():
        groups.setdefault(request.interaction or f"status {request.status}", []).append(request)
    for key, requests in groups.items():
        for before, after in zip(requests, requests[1:]):
            if before.status >= 400 and after.headers.get("x-stainless-retry-count") == "0":
                name = key.replace("drill-", "drill:")
                raise CheckFailed(f"after the SDK raised for {name} ({before.status}), your script called create() "
                                  "again. The SDK has already retried as often as max_retries allows; a loop around "
                                  "it multiplies the attempts. Catch the exception and report it.")


@pytest.mark.see("The exception classes")
def test_sdk_errors_reports(sdk_errors: Evidence) -> None:
    """prints the status code and the server's message of each error"""
    failures = []
    for name in ("429", "outage"):
        attempts = _drill(sdk_errors, name)
        if attempts and attempts[-1].status >= 400:
            failures.append((f"drill:{name}'s {attempts[-1].status}", attempts[-1]))
    failures += [("the wrong key's 401", r) for r in sdk_errors.chats() if r.status == 401][:1]
    if not failures:
        raise CheckFailed(f"expected errors to report (drill:429, drill:outage, a wrong key); your script sent "
                          f"{_what_was_sent(sdk_errors)}.")
    _check_reported(sdk_errors, failures, "Print e.status_code and the server's message: e.body['message'], or "
                                          "e.body itself when it is a string (the 401 body is just 'Unauthorized').")


# --- work/timeouts.py --------------------------------------------------------------------------------------------

def _read_timeout(request: LoggedRequest) -> float:
    value = request.headers.get("x-stainless-read-timeout")
    try:
        return float(value) if value is not None else float("inf")
    except ValueError:
        return float("inf")


def test_timeouts_uses_sdk(timeouts: Evidence) -> None:
    """sends its request through the openai SDK"""
    sent_with_sdk(timeouts)


def test_timeouts_stall_once(timeouts: Evidence) -> None:
    """sends drill:stall once (max_retries=0)"""
    attempts = _need_drill(timeouts, "stall")
    if len(attempts) > 1:
        raise CheckFailed(f"your script sent drill:stall {len(attempts)} times: the SDK retries a timeout "
                          f"(max_retries is 2 by default), so each retry waits the whole timeout again. "
                          "Set max_retries=0 on this client.")


def test_timeouts_gives_up(timeouts: Evidence) -> None:
    """gives up before the stalled answer arrives"""
    first = _need_drill(timeouts, "stall")[0]
    timeout = _read_timeout(first)
    # The endpoint notes a hang-up during the stall; a busy machine can delay one past it, so a read timeout shorter
    # than the stall (the SDK sends it in X-Stainless-Read-Timeout) shows the same intent.
    if first.abandoned is None and timeout >= STALL:
        shown = "no read timeout" if timeout == float("inf") else f"a read timeout of {timeout:g} s"
        raise CheckFailed(f"the server stalled 2.5 s and your script, with {shown}, waited for the answer. Set "
                          "timeout=Timeout(1.0, connect=5.0) on the client so it gives up after 1 s of silence.")


def _over_one_second(request: LoggedRequest) -> str | None:
    """The read timeout a request announced, in words, when it is longer than the lesson's 1 s; else None."""
    timeout = _read_timeout(request)
    if timeout <= ONE_SECOND:
        return None
    return "no read timeout" if timeout == float("inf") else f"a read timeout of {timeout:g} s"


def test_timeouts_one_second(timeouts: Evidence) -> None:
    """sets the 1 s read timeout the lesson asks for"""
    first = _need_drill(timeouts, "stall")[0]
    shown = _over_one_second(first)
    if shown and "x-stainless-read-timeout" in first.headers:
        raise CheckFailed(f"the lesson asks for a read timeout of 1 s; your client had {shown} (the SDK sends it in "
                          "the X-Stainless-Read-Timeout header). Pass timeout=Timeout(1.0, connect=5.0).")


def test_timeouts_exits_clearly(timeouts: Evidence) -> None:
    """exits with a clear message instead of a traceback"""
    run = timeouts.run
    if run.exit_code == 0:
        stalled = _drill(timeouts, "stall")
        gave_up = bool(stalled) and (stalled[0].abandoned is not None or _read_timeout(stalled[0]) < STALL)
        what = ("the call timed out, but your script" if gave_up else
                "your script waited out the stall, so its call never timed out (see the check above), and it")
        raise CheckFailed(f"{what} exited with code 0 and printed:\n"
                          f"{quote_output(timeouts.output)}\nA script whose call timed out should say so in its exit "
                          "code: sys.exit('...') prints your message and exits with 1.")
    if "Traceback (most recent call last)" in run.stderr:
        last = [line for line in run.stderr.strip().splitlines() if line.strip()]
        raise CheckFailed(f"your script ended with a traceback ({quote(last[-1] if last else '', 120)}). Catch "
                          "APITimeoutError and exit with one line that says what happened: sys.exit('...').")
    if not (run.stdout + run.stderr).strip():
        raise CheckFailed("your script exited with an error code but printed nothing. Say what happened: "
                          "sys.exit('No answer within 1 second ...').")


# --- work/quota.py (challenge 1) ---------------------------------------------------------------------------------

@functools.cache
def _quota_windows() -> list[int]:
    """x-ratelimit-remaining-requests of each answer drill:quota gives, in order, from the recording itself (the
    request log keeps response bodies, not headers)."""
    recording = recordings.load(paths.ROOT / SECTION.entry.recording)
    drill = next(i for i in recording.interactions if i.name == "drill-quota")
    return [int(r.headers["x-ratelimit-remaining-requests"]) for r in drill.responses or []]


def _remaining(request: LoggedRequest, ev: Evidence) -> int:
    """What the drill told this request: the nth answer of its sequence (the last one repeats)."""
    windows = _quota_windows()
    position = _drill(ev, "quota").index(request)
    return windows[min(position, len(windows) - 1)]


def test_quota_asks(quota: Evidence) -> None:
    """asks at least 3 drill:quota questions"""
    answered = [r for r in _need_drill(quota, "quota") if r.status == 200]
    if len(answered) < 3:
        raise CheckFailed(f"expected 3 answered drill:quota requests, to see the window run out and reset; the "
                          f"server answered {len(answered)}.")


def test_quota_prints_remaining(quota: Evidence) -> None:
    """prints the remaining count after each answer"""
    expected = [_remaining(r, quota) for r in _need_drill(quota, "quota") if r.status == 200]
    if not find_values(quota, "remaining|left|remain", expected, units={"": 1.0}):
        raise CheckFailed(f"expected the x-ratelimit-remaining-requests values the server sent, {expected}, in "
                          f"your output in that order, each next to a word such as remaining or left; your script "
                          f"printed:\n{quote_output(quota.output)}")


def test_quota_waits_for_reset(quota: Evidence) -> None:
    """waits for the reset when no requests remain"""
    attempts = _need_drill(quota, "quota")
    for before, after in zip(attempts, attempts[1:]):
        if _remaining(before, quota) == 0 and _wait(before, after) < RESET_WAIT:
            raise CheckFailed(f"an answer said x-ratelimit-remaining-requests: 0 and x-ratelimit-reset-requests: 1s, "
                              f"and your script sent the next request {_wait(before, after):.2f} s later. Sleep "
                              "until the window resets.")
    if len(attempts) < 3:
        raise CheckFailed(f"expected a request after the window ran out (the third drill:quota question); your "
                          f"script sent {len(attempts)}.")


def test_quota_no_needless_wait(quota: Evidence) -> None:
    """does not wait while requests remain"""
    attempts = _need_drill(quota, "quota")
    for before, after in zip(attempts, attempts[1:]):
        # a needless pause is one as long as the reset; a busy machine can delay a script's next request, not that far
        if _remaining(before, quota) > 0 and _wait(before, after) >= RESET_WAIT:
            raise CheckFailed(f"the answer said one request remained in the window, and your script still waited "
                              f"{_wait(before, after):.2f} s. Pause only when the remaining count reaches 0.")


# --- work/polite_batch.py (challenge 2) --------------------------------------------------------------------------

def _in_flight(ev: Evidence) -> int:
    """The most chat requests the server was working on at the same moment (each one takes it 0.3 s)."""
    chats = [r for r in ev.chats() if r.finished is not None]
    return max((sum(1 for q in chats if q.started <= r.started < q.finished) for r in chats), default=0)


def test_polite_batch_sends_six(polite_batch: Evidence) -> None:
    """sends at least 6 questions"""
    answered = [r for r in polite_batch.chats() if r.status == 200]
    if len(answered) < 6:
        raise CheckFailed(f"expected 6 answered questions; the server answered {len(answered)} "
                          f"({_what_was_sent(polite_batch)}).")


def test_polite_batch_at_most_two(polite_batch: Evidence) -> None:
    """never has more than 2 requests in flight"""
    polite_batch.one(CHAT, "a chat request")
    most = _in_flight(polite_batch)
    if most > 2:
        raise CheckFailed(f"at one moment the server was answering {most} of your requests at once. A burst like "
                          "that is what trips rate limits: cap it, e.g. ThreadPoolExecutor(max_workers=2).")


def test_polite_batch_uses_two(polite_batch: Evidence) -> None:
    """keeps 2 requests in flight"""
    polite_batch.one(CHAT, "a chat request")
    if _in_flight(polite_batch) < 2:
        raise CheckFailed("your requests went one at a time. The point is a small limit, not none: let two run "
                          "together, e.g. ThreadPoolExecutor(max_workers=2).")


def test_polite_batch_prints_reply(polite_batch: Evidence) -> None:
    """prints the reply the server sent"""
    replies_printed_once(polite_batch)


# --- work/stream_timeout.py (challenge 3) ------------------------------------------------------------------------

def test_stream_timeout_uses_sdk(stream_timeout: Evidence) -> None:
    """sends its request through the openai SDK"""
    sent_with_sdk(stream_timeout)


def test_stream_timeout_streams(stream_timeout: Evidence) -> None:
    """streams the drill:slow-stream answer"""
    if not _drill(stream_timeout, "slow-stream"):
        if _drill(stream_timeout, "slow-stream-whole"):
            raise CheckFailed("your script asked for the drill:slow-stream answer without stream=True, so the server "
                              "sends it only after 2 s of generating, all at once. Pass stream=True.")
        _need_drill(stream_timeout, "slow-stream")
    if not [r for r in _drill(stream_timeout, "slow-stream") if r.status == 200]:
        raise CheckFailed(f"the streamed drill:slow-stream request was answered "
                          f"{_statuses(_drill(stream_timeout, 'slow-stream'))}.")


def test_stream_timeout_short_timeout(stream_timeout: Evidence) -> None:
    """keeps a read timeout shorter than the whole streamed answer"""
    streamed = [r for r in _drill(stream_timeout, "slow-stream") if r.status == 200]
    if not streamed:
        whole = _drill(stream_timeout, "slow-stream-whole")
        raise CheckFailed(f"expected a streamed drill:slow-stream request; your script sent "
                          f"{'a non-streaming one' if whole else _what_was_sent(stream_timeout)}.")
    request = streamed[0]
    timeout = _read_timeout(request)
    took = (request.finished or request.started) - request.started  # paced: about 2 s, longer on a busy machine
    if timeout >= took or _over_one_second(request):
        shown = "no read timeout" if timeout == float("inf") else f"a read timeout of {timeout:g} s"
        raise CheckFailed(f"the stream took {took:.1f} s and your client had {shown}, so the point is not shown. "
                          "Use the 1 s read timeout of timeouts.py: the stream finishes anyway.")


def test_stream_timeout_prints_as_it_arrives(stream_timeout: Evidence) -> None:
    """prints the answer as it arrives, not after the stream has ended"""
    prints_as_it_arrives(stream_timeout, _answered_drills(stream_timeout, "slow-stream")[0])


def test_stream_timeout_prints_reply(stream_timeout: Evidence) -> None:
    """prints the reply the server sent"""
    replies_printed_once(stream_timeout, _answered_drills(stream_timeout, "slow-stream"))


# --- every file: the model id comes from MODEL --------------------------------------------------------------------

errors_other_model = SECTION.other_model("errors.py")
backoff_other_model = SECTION.other_model("backoff.py")
sdk_errors_other_model = SECTION.other_model("sdk_errors.py")
timeouts_other_model = SECTION.other_model("timeouts.py")
quota_other_model = SECTION.other_model("quota.py")
polite_batch_other_model = SECTION.other_model("polite_batch.py")
stream_timeout_other_model = SECTION.other_model("stream_timeout.py")


def test_errors_model_from_env(errors_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(errors_other_model)


def test_backoff_model_from_env(backoff_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(backoff_other_model)


def test_sdk_errors_model_from_env(sdk_errors_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(sdk_errors_other_model)


def test_timeouts_model_from_env(timeouts_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(timeouts_other_model)


def test_quota_model_from_env(quota_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(quota_other_model)


def test_polite_batch_model_from_env(polite_batch_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(polite_batch_other_model)


def test_stream_timeout_model_from_env(stream_timeout_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(stream_timeout_other_model)


# --- variant runs: against a differently configured server, printed values must follow this run's response ----------

errors_variant = SECTION.variant("errors.py")
backoff_variant = SECTION.variant("backoff.py")
sdk_errors_variant = SECTION.variant("sdk_errors.py")


def test_errors_reports_404_in_full_variant(errors_variant: Evidence) -> None:
    """prints the server's whole message for the unknown model (it names the models the server serves)"""
    told = errors_variant.output + "\n" + (errors_variant.run.stderr if "Traceback (most recent call last)" not in
                                           errors_variant.run.stderr else "")  # a report on stderr counts, as above
    for request in _errors_with(errors_variant, 404):
        message = _server_message(request)
        if squash(message) not in squash(told):
            raise CheckFailed(f"expected the message this server sent for the 404, {message!r}, in your output; your "
                              f"script printed:\n{quote_output(errors_variant.output)}\nPrint "
                              "body['error']['message'] as it came back: another server names other models.")
        return
    test_errors_triggers_404(errors_variant)


def test_backoff_prints_reply_variant(backoff_variant: Evidence) -> None:
    """prints the reply the server sent"""
    test_backoff_prints_reply(backoff_variant)


def test_sdk_errors_prints_reply_variant(sdk_errors_variant: Evidence) -> None:
    """prints the reply the server sent"""
    test_sdk_errors_prints_reply(sdk_errors_variant)
