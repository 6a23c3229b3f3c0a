"""Section 08, Errors, Retries & Rate Limits: failures by hand, a retry loop, the SDK's retries, timeouts.

The recording's drills (a phrase such as drill:429 in the last user message) script the server's failures;
the request log's timestamps are the evidence for how long a script waited between attempts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from .. import paths
from ..checks import CheckFailed, Evidence, check, quote, quote_output
from ..checks.common import CHAT, prints_reply, sends_key, sent_with_requests, sent_with_sdk
from ..course import entry
from ..endpoint import recordings
from ..endpoint.session import LoggedRequest
from . import Exercise, Section

MAX_OUTAGE_ATTEMPTS = 6  # the lesson caps at 4; anything from 2 to 6 is a sensible cap
GROWTH = 1.25  # doubling with up to 25 % jitter gives at least 1.5; the slack absorbs timing noise
MARGIN = 0.5  # seconds a timed-out script may take beyond its read timeout to stop


def _drill(ev: Evidence, name: str) -> list[LoggedRequest]:
    return [r for r in ev.chats() if r.interaction == f"drill-{name}"]


def _last_user(request: LoggedRequest) -> str:
    users = [m for m in request.messages() if m.get("role") == "user"]
    return str(users[-1].get("content", "")) if users else ""


def _what_was_sent(ev: Evidence) -> str:
    chats = ev.chats()
    if not chats:
        return f"no chat request: {ev.why_nothing()}"
    texts = list(dict.fromkeys(quote(_last_user(r), 50) for r in chats))
    shown = ", ".join(repr(t) for t in texts[:4]) + (" …" if len(texts) > 4 else "")
    return f"chat requests whose last user messages were {shown}"


def _need_drill(ev: Evidence, name: str) -> list[LoggedRequest]:
    found = _drill(ev, name)
    if not found:
        raise CheckFailed(f"expected a request whose user message contains 'drill:{name}' (the endpoint's scripted "
                          f"failure); your script sent {_what_was_sent(ev)}.")
    return found


def _wait(before: LoggedRequest, after: LoggedRequest) -> float:
    """Seconds between the server's answer to one attempt and the arrival of the next."""
    return after.started - (before.finished or before.started)


def _statuses(requests: list[LoggedRequest]) -> list[int]:
    return [r.status for r in requests]


def _retry_counts(requests: list[LoggedRequest]) -> list[str]:
    return [r.headers.get("x-stainless-retry-count", "?") for r in requests]


def _server_message(request: LoggedRequest) -> str:
    """The server's own words in an error body: error.message, or a bare error string (vLLM's 401)."""
    body = request.response
    if not isinstance(body, dict):
        return ""
    error = body.get("error", body)
    if isinstance(error, dict):
        return str(error.get("message") or "")
    return str(error)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _reported_text(ev: Evidence) -> str:
    """What the script told its user: stdout, plus stderr when that is a message rather than a traceback."""
    stderr = ev.run.stderr if "Traceback (most recent call last)" not in ev.run.stderr else ""
    return ev.output + "\n" + stderr


def _reports(ev: Evidence, request: LoggedRequest) -> str | None:
    """None when the output shows the request's status code and the start of the server's message, else what lacks."""
    text = _reported_text(ev)
    numbers = re.findall(r"(?<![\w.])\d+(?![\w.])", text)
    message = _squash(_server_message(request))[:40]
    lacks = []
    if str(request.status) not in numbers:
        lacks.append(f"the status code {request.status}")
    if message and message not in _squash(text):
        lacks.append(f"the server's message {message!r}…")
    return " and ".join(lacks) or None


def _check_reported(ev: Evidence, failures: list[tuple[str, LoggedRequest]], hint: str) -> None:
    for label, request in failures:
        lacks = _reports(ev, request)
        if lacks:
            raise CheckFailed(f"expected your output to report {label} with {lacks}; your script printed:\n"
                              f"{quote_output(ev.output)}\n{hint}")


# errors.py ------------------------------------------------------------------------------------------------------


def _errors_with(ev: Evidence, status: int) -> list[LoggedRequest]:
    return [r for r in ev.chats() if r.status == status]


@check("triggers a 400 Bad Request")
def triggers_400(ev: Evidence) -> None:
    if not _errors_with(ev, 400):
        raise CheckFailed(f"expected a request the server refuses with 400, such as a prompt longer than the context "
                          f"window ('word ' * 140_000); your script sent {_what_was_sent(ev)}, answered "
                          f"{_statuses(ev.chats())}.")


@check("triggers a 401 with a wrong key")
def triggers_401(ev: Evidence) -> None:
    if not [r for r in _errors_with(ev, 401) if r.auth in ("wrong", "missing")]:
        keys = sorted({r.auth for r in ev.chats()})
        raise CheckFailed(f"expected a request with a made-up key, which the server answers with 401; every request "
                          f"your script sent carried {'the right key' if keys == ['ok'] else keys} "
                          f"({_what_was_sent(ev)}).")


@check("triggers a 404 with a model the server does not serve")
def triggers_404(ev: Evidence) -> None:
    if not _errors_with(ev, 404):
        models = sorted({str(r.json_field("model")) for r in ev.chats()})
        raise CheckFailed(f"expected a request for a model the server lacks, which it answers with 404; your script "
                          f"asked for {models or 'nothing'} and got {_statuses(ev.chats())}.")


@check("sends each failing request only once")
def each_failure_once(ev: Evidence) -> None:
    seen: dict[tuple[str, str], list[LoggedRequest]] = {}
    for request in ev.chats():
        if request.status >= 400:
            seen.setdefault((request.auth, request.raw_body), []).append(request)
    for same in seen.values():
        if len(same) > 1:
            raise CheckFailed(f"your script sent the same failing request {len(same)} times ({same[0].status}): "
                              f"{ev.sent(same[0])}. A 400, 401 or 404 comes back the same however often you ask: "
                              "report it instead of retrying.")


@check("prints each error's status code and the server's message")
def reports_errors(ev: Evidence) -> None:
    failures = [(f"the {r.status}", r) for r in ev.chats() if r.status in (400, 401, 404)]
    if not failures:
        raise CheckFailed(f"expected failing requests to report; your script sent {_what_was_sent(ev)}.")
    _check_reported(ev, failures, "Print response.status_code and the message from the JSON body "
                                  "(body['error']['message'], or body['error'] when it is a plain string).")


@check("never prints the API key")
def hides_key(ev: Evidence) -> None:
    for name, text in (("output", ev.output), ("error output", ev.run.stderr)):
        if ev.api_key and ev.api_key in text:
            raise CheckFailed(f"your script's {name} contains the key from OPENAI_API_KEY. Error reports and logs "
                              "travel further than code: print the status and the server's message, never the "
                              "request headers.")


# backoff.py -----------------------------------------------------------------------------------------------------


@check("waits at least the Retry-After (1 s) after the 429, then retries")
def honours_retry_after(ev: Evidence) -> None:
    attempts = _need_drill(ev, "429")
    if len(attempts) < 2:
        raise CheckFailed("the server answered 429 with Retry-After: 1, and your script never asked again. "
                          "Retry a 429 after the number of seconds in its Retry-After header.")
    waited = _wait(attempts[0], attempts[1])
    if waited < 0.95:
        raise CheckFailed(f"the 429 said Retry-After: 1, but your script asked again after {waited:.2f} s. Read "
                          "response.headers['retry-after'] and sleep that many seconds before the next attempt.")


@check("waits longer before each retry of the 503s")
def backoff_grows(ev: Evidence) -> None:
    attempts = _need_drill(ev, "503")
    if len(attempts) < 3:
        raise CheckFailed(f"drill:503 answers 503 twice and then 200; your script made {len(attempts)} attempt(s) "
                          f"({_statuses(attempts)}). Retry 5xx answers.")
    first, second = _wait(attempts[0], attempts[1]), _wait(attempts[1], attempts[2])
    if first < 0.05:
        raise CheckFailed(f"your script retried the 503 after only {first:.3f} s. Wait before every retry, or a busy "
                          "server gets busier.")
    if second < GROWTH * first:
        raise CheckFailed(f"your script waited {first:.2f} s and then {second:.2f} s: the second wait should be at "
                          f"least {GROWTH}x the first. Double the delay for each retry (exponential backoff) and shave "
                          "at most a quarter off at random (jitter); full jitter, from 0, does not keep waits growing.")


@check(f"gives up on the outage after 2 to {MAX_OUTAGE_ATTEMPTS} attempts")
def caps_attempts(ev: Evidence) -> None:
    attempts = _need_drill(ev, "outage")
    if len(attempts) == 1:
        raise CheckFailed("drill:outage answered 503 and your script never retried it. A 503 is transient: retry it, "
                          "a few times.")
    if len(attempts) > MAX_OUTAGE_ATTEMPTS:
        raise CheckFailed(f"your script tried drill:outage {len(attempts)} times ({_statuses(attempts)[-3:]} at the "
                          f"end). Cap the attempts (the lesson uses 4) so that a long outage ends in a clear error "
                          "instead of a script that never returns.")


@check("gives up at once when Retry-After is longer than its budget")
def respects_budget(ev: Evidence) -> None:
    attempts = _need_drill(ev, "long-wait")
    if len(attempts) > 1:
        raise CheckFailed(f"drill:long-wait asked for Retry-After: 300, and your script tried again "
                          f"{len(attempts) - 1} time(s), after {_wait(attempts[0], attempts[1]):.2f} s. Asking before "
                          "the server says is ignoring it; waiting 5 minutes is more than the budget. Give up at once.")


@check("sends the bad request (400) only once")
def no_retry_400(ev: Evidence) -> None:
    refused = _errors_with(ev, 400)
    if not refused:
        raise CheckFailed(f"expected a request the server refuses with 400 (the lesson's typo: 'message' instead of "
                          f"'messages'); your script sent {_what_was_sent(ev)}, answered {_statuses(ev.chats())}.")
    bodies = [r.raw_body for r in refused]
    repeated = max(bodies.count(b) for b in bodies)
    if repeated > 1:
        raise CheckFailed(f"your script sent the request the server refused with 400 {repeated} times. A 400 is your "
                          "request's fault and fails the same way every time: retry only 408, 409, 429 and 5xx.")


def _answered_drills(*names: str) -> Callable[[Evidence], list[LoggedRequest]]:
    """For prints_reply: the answered attempts of these drills."""
    def pick(ev: Evidence) -> list[LoggedRequest]:
        found = [r for name in names for r in _drill(ev, name) if r.status == 200 and r.abandoned is None]
        if not found:
            for name in names:
                _need_drill(ev, name)
            raise CheckFailed(f"none of the drills {', '.join('drill:' + n for n in names)} got through to an "
                              f"answer: {[_statuses(_drill(ev, n)) for n in names]}.")
        return found
    return pick


# sdk_errors.py --------------------------------------------------------------------------------------------------


@check("gets the drill:503 answer through the SDK's default retries")
def sdk_default_retries(ev: Evidence) -> None:
    attempts = _need_drill(ev, "503")
    first_call = attempts[:3]
    if _statuses(first_call) != [503, 503, 200]:
        raise CheckFailed(f"drill:503 answers 503, 503, then 200; your script's attempts got {_statuses(attempts)}. "
                          "The SDK's default max_retries (2) is just enough: keep the default for this call.")
    if _retry_counts(first_call) != ["0", "1", "2"]:
        raise CheckFailed(f"expected one create() call that the SDK retried (X-Stainless-Retry-Count 0, 1, 2); "
                          f"your attempts carried {_retry_counts(first_call)}.")


@check("stops at the 429 when retries are off (max_retries=0)")
def sdk_no_retries(ev: Evidence) -> None:
    attempts = _need_drill(ev, "429")
    if len(attempts) != 1:
        raise CheckFailed(f"expected one attempt at drill:429 with client.with_options(max_retries=0); your script "
                          f"made {len(attempts)} ({_statuses(attempts)}), so something retried it.")


@check("makes exactly 2 attempts at the outage (max_retries=1)")
def sdk_one_retry(ev: Evidence) -> None:
    attempts = _need_drill(ev, "outage")
    if len(attempts) != 2:
        raise CheckFailed(f"expected 2 attempts at drill:outage, the first try and max_retries=1 retry; your script "
                          f"made {len(attempts)}. Call it through client.with_options(max_retries=1).")


@check("gets a 401 for a wrong key, in one attempt")
def sdk_wrong_key(ev: Evidence) -> None:
    refused = [r for r in ev.chats() if r.status == 401 and r.auth in ("wrong", "missing")]
    if not refused:
        raise CheckFailed(f"expected a call through a client with a made-up key, answered 401; your script sent "
                          f"{_what_was_sent(ev)}, answered {_statuses(ev.chats())}.")
    if len(refused) > 1:
        raise CheckFailed(f"your script sent the wrong key {len(refused)} times. A 401 never gets better by asking "
                          "again.")


@check("leaves retrying to the SDK (no loop of its own around create())")
def no_loop_around_sdk(ev: Evidence) -> None:
    groups: dict[str, list[LoggedRequest]] = {}
    for request in ev.chats():
        key = request.interaction if request.interaction else f"status {request.status}"
        groups.setdefault(key, []).append(request)
    for key, requests in groups.items():
        for before, after in zip(requests, requests[1:]):
            if before.status >= 400 and after.headers.get("x-stainless-retry-count") == "0":
                name = key.replace("drill-", "drill:")
                raise CheckFailed(f"after the SDK raised for {name} ({before.status}), your script called create() "
                                  "again. The SDK has already retried as often as max_retries allows; a loop around "
                                  "it multiplies the attempts. Catch the exception and report it.")


@check("prints the status code and the server's message of each error")
def sdk_reports(ev: Evidence) -> None:
    failures = []
    for name in ("429", "outage"):
        attempts = _drill(ev, name)
        if attempts and attempts[-1].status >= 400:
            failures.append((f"drill:{name}'s {attempts[-1].status}", attempts[-1]))
    failures += [("the wrong key's 401", r) for r in ev.chats() if r.status == 401][:1]
    if not failures:
        raise CheckFailed(f"expected errors to report (drill:429, drill:outage, a wrong key); your script sent "
                          f"{_what_was_sent(ev)}.")
    _check_reported(ev, failures, "Print e.status_code and the server's message: e.body['message'], or e.body "
                                  "itself when it is a string (the 401 body is just 'Unauthorized').")


# timeouts.py and stream_timeout.py ------------------------------------------------------------------------------


def _read_timeout(request: LoggedRequest) -> float:
    value = request.headers.get("x-stainless-read-timeout")
    try:
        return float(value) if value is not None else float("inf")
    except ValueError:
        return float("inf")


@check("sends drill:stall once (max_retries=0)")
def stall_once(ev: Evidence) -> None:
    attempts = _need_drill(ev, "stall")
    if len(attempts) > 1:
        raise CheckFailed(f"your script sent drill:stall {len(attempts)} times: the SDK retries a timeout "
                          f"(max_retries is 2 by default), so each retry waits the whole timeout again. "
                          "Set max_retries=0 on this client.")


@check(f"gives up within its read timeout plus {MARGIN} s")
def gives_up_in_time(ev: Evidence) -> None:
    first = _need_drill(ev, "stall")[0]
    timeout = _read_timeout(first)
    if first.abandoned is None:
        shown = "no read timeout" if timeout == float("inf") else f"a read timeout of {timeout:g} s"
        raise CheckFailed(f"the server stalled 2.5 s and your script, with {shown}, waited for the answer. Set "
                          "timeout=Timeout(1.0, connect=5.0) on the client so it gives up after 1 s of silence.")
    took = first.abandoned - first.started
    if took > timeout + MARGIN:
        raise CheckFailed(f"your script's read timeout was {timeout:g} s, but it hung up {took:.1f} s after sending "
                          "drill:stall. Let the client's timeout end the call, rather than something slower.")


@check("exits with a clear message instead of a traceback")
def exits_clearly(ev: Evidence) -> None:
    run = ev.run
    said = (run.stdout + run.stderr).strip()
    if run.exit_code == 0:
        raise CheckFailed(f"the call timed out, but your script exited with code 0 and printed:\n"
                          f"{quote_output(ev.output)}\nA script that failed should say so in its exit code: "
                          "sys.exit('...') prints your message and exits with 1.")
    if "Traceback (most recent call last)" in run.stderr:
        last = [line for line in run.stderr.strip().splitlines() if line.strip()]
        raise CheckFailed(f"your script ended with a traceback ({quote(last[-1] if last else '', 120)}). Catch "
                          "APITimeoutError and exit with one line that says what happened: sys.exit('...').")
    if not said:
        raise CheckFailed("your script exited with an error code but printed nothing. Say what happened: "
                          "sys.exit('No answer within 1 second ...').")


@check("streams the drill:slow-stream answer")
def streams_slow_answer(ev: Evidence) -> None:
    if not _drill(ev, "slow-stream"):
        if _drill(ev, "slow-stream-whole"):
            raise CheckFailed("your script asked for the drill:slow-stream answer without stream=True, so the server "
                              "sends it only after 2 s of generating, all at once. Pass stream=True.")
        _need_drill(ev, "slow-stream")
    answered = [r for r in _drill(ev, "slow-stream") if r.status == 200]
    if not answered:
        raise CheckFailed(f"the streamed drill:slow-stream request was answered {_statuses(_drill(ev, 'slow-stream'))}.")


@check("keeps a read timeout shorter than the whole streamed answer")
def short_timeout_survives(ev: Evidence) -> None:
    streamed = [r for r in _drill(ev, "slow-stream") if r.status == 200]
    if not streamed:
        whole = _drill(ev, "slow-stream-whole")
        raise CheckFailed(f"expected a streamed drill:slow-stream request; your script sent "
                          f"{'a non-streaming one' if whole else _what_was_sent(ev)}.")
    request = streamed[0]
    timeout = _read_timeout(request)
    took = (request.finished or request.started) - request.started
    if timeout >= took:
        shown = "no read timeout" if timeout == float("inf") else f"a read timeout of {timeout:g} s"
        raise CheckFailed(f"the stream took {took:.1f} s and your client had {shown}, so the point is not shown. "
                          "Use the 1 s read timeout of timeouts.py: the stream finishes anyway.")


# quota.py -------------------------------------------------------------------------------------------------------


@functools.cache
def _quota_windows() -> list[int]:
    """x-ratelimit-remaining-requests of each answer drill:quota gives, in order, from the recording itself."""
    recording = recordings.load(paths.ROOT / entry("08").recording)
    drill = next(i for i in recording.interactions if i.name == "drill-quota")
    return [int(r.headers["x-ratelimit-remaining-requests"]) for r in drill.responses or []]


def _remaining(request: LoggedRequest, ev: Evidence) -> int:
    """What the drill told this request: the nth answer of its sequence (the last one repeats)."""
    windows = _quota_windows()
    position = _drill(ev, "quota").index(request)
    return windows[min(position, len(windows) - 1)]


@check("asks at least 3 drill:quota questions")
def asks_quota(ev: Evidence) -> None:
    answered = [r for r in _need_drill(ev, "quota") if r.status == 200]
    if len(answered) < 3:
        raise CheckFailed(f"expected 3 answered drill:quota requests, to see the window run out and reset; the "
                          f"server answered {len(answered)}.")


@check("prints the remaining count after each answer")
def prints_remaining(ev: Evidence) -> None:
    answered = [r for r in _need_drill(ev, "quota") if r.status == 200]
    expected = [_remaining(r, ev) for r in answered]
    numbers = [int(n) for n in re.findall(r"(?<![\w.])\d+(?![\w.])", ev.output)]
    position = 0
    for value in expected:
        try:
            position = numbers.index(value, position) + 1
        except ValueError:
            raise CheckFailed(f"expected the x-ratelimit-remaining-requests values the server sent, {expected}, in "
                              f"your output in that order; your script printed:\n{quote_output(ev.output)}") from None


@check("waits for the reset when no requests remain")
def waits_for_reset(ev: Evidence) -> None:
    attempts = _need_drill(ev, "quota")
    for before, after in zip(attempts, attempts[1:]):
        if _remaining(before, ev) == 0 and _wait(before, after) < 0.95:
            raise CheckFailed(f"an answer said x-ratelimit-remaining-requests: 0 and x-ratelimit-reset-requests: 1s, "
                              f"and your script sent the next request {_wait(before, after):.2f} s later. Sleep "
                              "until the window resets.")
    if len(attempts) < 3:
        raise CheckFailed(f"expected a request after the window ran out (the third drill:quota question); your "
                          f"script sent {len(attempts)}.")


@check("does not wait while requests remain")
def no_needless_wait(ev: Evidence) -> None:
    attempts = _need_drill(ev, "quota")
    for before, after in zip(attempts, attempts[1:]):
        if _remaining(before, ev) > 0 and _wait(before, after) > 0.5:
            raise CheckFailed(f"the answer said one request remained in the window, and your script still waited "
                              f"{_wait(before, after):.2f} s. Pause only when the remaining count reaches 0.")


# polite_batch.py ------------------------------------------------------------------------------------------------


def _in_flight(ev: Evidence) -> int:
    """The most chat requests the server was working on at the same moment."""
    chats = [r for r in ev.chats() if r.finished is not None]
    return max((sum(1 for q in chats if q.started <= r.started < q.finished) for r in chats), default=0)


@check("sends at least 6 questions")
def sends_six(ev: Evidence) -> None:
    answered = [r for r in ev.chats() if r.status == 200]
    if len(answered) < 6:
        raise CheckFailed(f"expected 6 answered questions; the server answered {len(answered)} "
                          f"({_what_was_sent(ev)}).")


@check("never has more than 2 requests in flight")
def at_most_two(ev: Evidence) -> None:
    ev.one(CHAT, "a chat request")
    most = _in_flight(ev)
    if most > 2:
        raise CheckFailed(f"at one moment the server was answering {most} of your requests at once. A burst like "
                          "that is what trips rate limits: cap it, e.g. ThreadPoolExecutor(max_workers=2).")


@check("keeps 2 requests in flight")
def uses_two(ev: Evidence) -> None:
    ev.one(CHAT, "a chat request")
    if _in_flight(ev) < 2:
        raise CheckFailed("your requests went one at a time. The point is a small limit, not none: let two run "
                          "together, e.g. ThreadPoolExecutor(max_workers=2).")


SECTION = Section(
    entry=entry("08"),
    pace=1.0,  # drill:slow-stream is paced: its tokens arrive every 40 ms
    exercises=[
        Exercise(
            work="errors.py", reference="examples/08/errors.py", summary="a 400, a 401 and a 404, reported by hand",
            see="Meet the errors by hand",
            checks=[sent_with_requests(), triggers_400, triggers_401, triggers_404, each_failure_once,
                    reports_errors, hides_key],
        ),
        Exercise(
            work="backoff.py", reference="examples/08/backoff.py", summary="a retry loop with backoff and caps",
            see="A retry loop by hand", timeout=25.0,
            checks=[sent_with_requests(), sends_key(), honours_retry_after, backoff_grows, caps_attempts,
                    respects_budget, no_retry_400, prints_reply(_answered_drills("429", "503"))],
        ),
        Exercise(
            work="sdk_errors.py", reference="examples/08/sdk_errors.py", summary="the SDK's retries and exceptions",
            see="Let the SDK retry",
            checks=[sent_with_sdk(), sdk_default_retries, prints_reply(_answered_drills("503")), sdk_no_retries,
                    sdk_one_retry, sdk_wrong_key, no_loop_around_sdk, sdk_reports],
        ),
        Exercise(
            work="timeouts.py", reference="examples/08/timeouts.py", summary="a read timeout that gives up cleanly",
            see="Timeouts",
            checks=[sent_with_sdk(), stall_once, gives_up_in_time, exits_clearly],
        ),
        Exercise(
            work="quota.py", reference="examples/08/quota.py", summary="challenge 1: pace by rate-limit headers",
            see="Challenges", challenge=True,
            checks=[asks_quota, prints_remaining, waits_for_reset, no_needless_wait],
        ),
        Exercise(
            work="polite_batch.py", reference="examples/08/polite_batch.py",
            summary="challenge 2: a small concurrency limit", see="Challenges", challenge=True,
            checks=[sends_six, at_most_two, uses_two, prints_reply()],
        ),
        Exercise(
            work="stream_timeout.py", reference="examples/08/stream_timeout.py",
            summary="challenge 3: a short timeout and a long stream", see="Challenges", challenge=True,
            checks=[sent_with_sdk(), streams_slow_answer, short_timeout_survives,
                    prints_reply(_answered_drills("slow-stream"))],
        ),
    ],
)
