"""Section 02, Anatomy of a Response: every field of the envelope, finish reasons, n, headers and the request id."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from ..checks import CheckFailed, Evidence, check, quote, quote_output
from ..checks.common import CHAT, budget_of, in_order, posts_chat, sends_key, sent_with_requests, sent_with_sdk
from ..course import entry
from ..endpoint import wire
from ..endpoint.session import LoggedRequest
from . import Exercise, Section

FINISH_WORDS = re.compile(r"\b(stop|length|tool_calls)\b")
HTTP_DATE = re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT\b")
ISO_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}\b")


def _squash(text: str) -> str:
    return " ".join(text.split())


def _integers(text: str) -> list[int]:
    """Whole numbers standing on their own: "68", "68.", "=68," but not the digits inside an id or 9.46."""
    return [int(n) for n in re.findall(r"(?<![\w.-])\d+(?!\w)(?!\.\d)", text)]


def _answers(ev: Evidence) -> list[LoggedRequest]:
    """The chat requests the server answered with a completion, or a failure that says why there are none."""
    chats = ev.chats()
    answered = [r for r in chats if r.status == 200 and isinstance(r.response, dict)]
    if answered:
        return answered
    if chats:
        last = chats[-1]
        raise CheckFailed(f"expected a completion to read; the server answered {last.status}: "
                          f"{quote(json.dumps(last.response), 200)}")
    ev.one(CHAT, "a chat request")
    return []


def _choices(request: LoggedRequest) -> list[dict[str, Any]]:
    return [c for c in request.response.get("choices") or [] if isinstance(c, dict)]


def _content(choice: dict[str, Any]) -> str | None:
    return (choice.get("message") or {}).get("content")


def _crash_line(ev: Evidence) -> str:
    lines = [line.strip() for line in ev.run.stderr.strip().splitlines() if line.strip()]
    return lines[-1] if lines else f"exit code {ev.run.exit_code}"


def _printed(ev: Evidence) -> str:
    """What the script printed, and how it ended when it crashed part-way."""
    crashed = f"\n(then it stopped with an error: {quote(_crash_line(ev), 160)})" if ev.run.exit_code else ""
    return quote_output(ev.output) + crashed


# --- the envelope -------------------------------------------------------------------------------------------------

@check("prints the id, object, model and system_fingerprint the server sent")
def prints_envelope(ev: Evidence) -> None:
    data = _answers(ev)[0].response
    printed = ev.output
    for name in ("id", "object", "model", "system_fingerprint"):
        value = data.get(name)
        if value is not None and str(value) not in printed:
            raise CheckFailed(f"expected the {name} the server sent, {value!r}, in your output; your script printed:\n"
                              f"{_printed(ev)}\nPrint data[{name!r}] (or response.{name}) rather than "
                              "typing a value.")


def _date_forms(moment: datetime) -> list[str]:
    """Ways a script may write the date: 2026-11-22, 22/11/2026, Nov 22 (with the year elsewhere, as ctime does)."""
    forms = [moment.strftime(f) for f in ("%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y")]
    for month in (moment.strftime("%b"), moment.strftime("%B")):
        for day in (f"{moment.day}", f"{moment.day:02d}"):
            forms += [f"{month} {day}", f"{day} {month}"]
    return forms


@check("shows created as a calendar date")
def shows_created_as_date(ev: Evidence) -> None:
    created = _answers(ev)[0].response.get("created")
    if not isinstance(created, int):
        raise CheckFailed(f"the server's created field was {created!r}, not a Unix time; please report this.")
    printed = _squash(ev.output)
    moments = [datetime.fromtimestamp(created, tz=timezone.utc), datetime.fromtimestamp(created)]
    if any(str(m.year) in printed and form in printed for m in moments for form in _date_forms(m)):
        return
    raise CheckFailed(f"expected created ({created}, seconds since 1970) turned into a date such as "
                      f"{moments[0].strftime('%Y-%m-%d %H:%M:%S')} UTC; your script printed:\n"
                      f"{_printed(ev)}\nUse datetime.fromtimestamp(created, tz=timezone.utc).")


def _shown_forms(text: str) -> list[str]:
    """A text as print() shows it, or escaped inside printed JSON or a repr."""
    return [_squash(form) for form in (text, json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1],
                                       repr(text)[1:-1])]


@check("prints every choice's finish_reason and content")
def prints_choices(ev: Evidence) -> None:
    printed = _squash(ev.output)
    words = Counter(FINISH_WORDS.findall(ev.output))
    for request in _answers(ev):
        choices = _choices(request)
        for choice in choices:
            content = _content(choice)
            if content and not any(form in printed for form in _shown_forms(content)):
                hint = ("A cut-off answer is still text: print it, and say that it is incomplete."
                        if choice.get("finish_reason") == "length" else
                        f"The server sent {len(choices)} choice(s): loop over all of them, not only the first.")
                raise CheckFailed(f"expected the content of choice {choice.get('index')}, {quote(content, 100)!r}, in "
                                  f"your output; your script printed:\n{_printed(ev)}\n{hint}")
        reasons = [c.get("finish_reason") for c in choices]
        if any(words[reason] < count for reason, count in Counter(reasons).items()):
            raise CheckFailed(f"expected the finish_reason of each of the {len(choices)} choice(s), {reasons}, in "
                              f"your output; your script printed:\n{_printed(ev)}\n"
                              "Print choice.finish_reason next to each choice's content.")


@check("prints the prompt, completion and total token counts the server sent")
def prints_usage(ev: Evidence) -> None:
    numbers = _integers(ev.output)
    for request in _answers(ev):
        usage = request.response.get("usage") or {}
        wanted = {name: usage.get(name) for name in ("prompt_tokens", "completion_tokens", "total_tokens")}
        missing = {name: value for name, value in wanted.items() if value not in numbers}
        if missing:
            raise CheckFailed(f"expected the usage numbers the server sent, {wanted}, in your output; "
                              f"{', '.join(missing)} did not appear. Your script printed:\n{_printed(ev)}\n"
                              "Read them from usage instead of counting or typing them.")


def _json_objects(text: str) -> Iterator[dict[str, Any]]:
    decoder = json.JSONDecoder()
    position = text.find("{")
    while position != -1:
        try:
            found, end = decoder.raw_decode(text, position)
        except ValueError:
            position = text.find("{", position + 1)
            continue
        if isinstance(found, dict):
            yield found
        position = text.find("{", end)


@check("prints the whole response as JSON")
def prints_json(ev: Evidence) -> None:
    data = _answers(ev)[0].response
    for found in _json_objects(ev.output):
        if found.get("id") == data.get("id") and isinstance(found.get("choices"), list) and "usage" in found:
            return
    python_repr = "ChatCompletion(" in ev.output
    hint = ("That is the object's Python repr, not JSON. " if python_repr else "")
    raise CheckFailed(f"expected the whole response as a JSON object (with id {data.get('id')!r}, choices and usage) "
                      f"in your output; none was found. {hint}Print response.model_dump_json(indent=2) or "
                      f"response.to_json(). Your script printed:\n{_printed(ev)}")


# --- finish_reason -------------------------------------------------------------------------------------------------

@check('sends a max_tokens small enough to cut the reply off (finish_reason "length")')
def cuts_reply(ev: Evidence) -> None:
    answered = _answers(ev)
    if any(c.get("finish_reason") == "length" for r in answered for c in _choices(r)):
        return
    sent = [budget_of(r) for r in answered]
    raise CheckFailed(f"expected at least one reply cut off by its budget (finish_reason \"length\"); your script "
                      f"sent max_tokens={sent[0] if len(sent) == 1 else sent} and every reply finished on its own. "
                      "Send a budget far smaller than an answer needs, such as max_tokens=16.")


@check("copes with content: null when the budget ends inside the reasoning")
def survives_null(ev: Evidence) -> None:
    answered = _answers(ev)
    empty = [r for r in answered for c in _choices(r) if c.get("finish_reason") == "length" and _content(c) is None]
    if not empty:
        sent = [budget_of(r) for r in answered]
        raise CheckFailed(f"expected a budget so small that the model is still reasoning when it runs out, which "
                          f"leaves content null; with max_tokens={sent[0] if len(sent) == 1 else sent} the server "
                          "sent part of an answer instead. Try max_tokens=16.")
    if ev.run.exit_code != 0:
        raise CheckFailed(f"the server sent content: null (the budget ran out during the reasoning), and your script "
                          f"stopped with an error: {_crash_line(ev)}. Check for None before using the content, and "
                          "say that there is no answer.")


@check("asks for three choices with n=3")
def asks_three(ev: Evidence) -> None:
    chats = ev.chats() or [ev.one(CHAT, "a chat request")]
    sent = [ev.body_of(r).get("n") for r in chats]
    if 3 not in sent:
        shown = sent[0] if len(sent) == 1 else sent
        raise CheckFailed(f"expected one request with n=3; your script sent n={shown!r} in {len(chats)} request(s). "
                          "One call with n=3 returns three choices; three calls are three separate requests.")


# --- headers -------------------------------------------------------------------------------------------------------

@check("reads the response with requests")
def used_requests(ev: Evidence) -> None:
    agents = [r.headers.get("user-agent", "") for r in ev.chats() or [ev.one(CHAT, "a chat request")]]
    if not any(a.startswith("python-requests/") for a in agents):
        raise CheckFailed(f"expected one request made with the requests library (its headers are response.headers); "
                          f"your requests came from {sorted(set(agents))}.")


@check("prints the HTTP status code")
def prints_status(ev: Evidence) -> None:
    statuses = sorted({r.status for r in ev.chats() or [ev.one(CHAT, "a chat request")]})
    if not set(statuses) & set(_integers(ev.output)):
        raise CheckFailed(f"expected the status code the server answered, {statuses[0]}, in your output; your script "
                          f"printed:\n{_printed(ev)}\nPrint response.status_code.")


def _printed_times(text: str) -> list[float]:
    found = []
    for match in HTTP_DATE.findall(text):
        found.append(parsedate_to_datetime(match).timestamp())
    for match in ISO_TIME.findall(text):
        moment = datetime.fromisoformat(match.replace(" ", "T"))
        found += [moment.replace(tzinfo=timezone.utc).timestamp(), moment.timestamp()]
    return found


@check("prints the content-length and date the server sent with the response")
def prints_headers(ev: Evidence) -> None:
    answered = _answers(ev)
    numbers = _integers(ev.output)
    lengths = [len(wire.dumps(r.response)) for r in answered]
    if not set(lengths) & set(numbers):
        raise CheckFailed(f"expected the response's content-length header, {lengths[0]}, in your output; your script "
                          f"printed:\n{_printed(ev)}\nRead response.headers['content-length'] (the "
                          "headers of the response, not of response.request).")
    start, end = answered[0].started - 5, (answered[-1].finished or answered[-1].started) + 5
    if not any(start <= moment <= end for moment in _printed_times(ev.output)):
        raise CheckFailed("expected the response's date header (for example 'Sun, 22 Nov 2026 10:15:00 GMT'), the "
                          f"time the server answered, in your output; your script printed:\n{_printed(ev)}\n"
                          "Read response.headers['date'].")


@check("copes with a response that has no x-request-id header")
def copes_without_request_id(ev: Evidence) -> None:
    _answers(ev)
    if ev.run.exit_code == 0:
        return
    about = "request-id" in ev.run.stderr.lower() or "request_id" in ev.run.stderr.lower()
    hint = ("This server sends no x-request-id header, so headers['x-request-id'] raises KeyError: use "
            "headers.get('x-request-id') and say when it is missing." if about else
            "Make the script finish when a header it looks for is missing.")
    raise CheckFailed(f"your script stopped with an error: {_crash_line(ev)}. {hint}")


@check("reads the headers again through the SDK's with_raw_response")
def uses_raw_response(ev: Evidence) -> None:
    chats = ev.chats() or [ev.one(CHAT, "a chat request")]
    if any(r.headers.get("x-stainless-raw-response") == "true" for r in chats):
        return
    raise CheckFailed(f"expected a call through client.chat.completions.with_raw_response.create(...); none of your "
                      f"{len(chats)} request(s) came through it (the SDK marks those with an X-Stainless-Raw-Response "
                      "header).")


# --- challenge 1: the budget ladder -------------------------------------------------------------------------------

def _first_reason(request: LoggedRequest) -> str | None:
    choices = _choices(request)
    return choices[0].get("finish_reason") if choices else None


@check('raises max_tokens on each call, from a cut-off reply to one that finishes with "stop"')
def grows_budget(ev: Evidence) -> None:
    answered = _answers(ev)
    budgets = [budget_of(r) for r in answered]
    if len(answered) < 3:
        raise CheckFailed(f"expected at least three calls with growing budgets; your script made {len(answered)} "
                          f"with max_tokens {budgets}.")
    if not all(isinstance(b, int) for b in budgets) or any(b <= a for a, b in zip(budgets, budgets[1:])):
        raise CheckFailed(f"expected every call to send a larger max_tokens than the one before; your script sent "
                          f"{budgets}.")
    reasons = [_first_reason(r) for r in answered]
    if reasons[0] != "length":
        raise CheckFailed(f"expected the first budget to be too small (finish_reason \"length\"); with max_tokens="
                          f"{budgets[0]} the reply already finished. Start lower, such as 8.")
    if reasons[-1] != "stop":
        raise CheckFailed(f"expected the last call to finish with \"stop\"; the finish reasons were {reasons} for "
                          f"budgets {budgets}. Keep growing the budget until the reply finishes.")


@check("stops calling once a reply finishes")
def stops_after_stop(ev: Evidence) -> None:
    answered = _answers(ev)
    reasons = [_first_reason(r) for r in answered]
    finished = [i for i, reason in enumerate(reasons) if reason != "length"]
    if not finished:
        raise CheckFailed(f"no reply finished: the finish reasons were {reasons}. Keep growing the budget until one "
                          "does, then stop.")
    extra = len(ev.chats()) - (finished[0] + 1)
    if extra:
        raise CheckFailed(f"the reply to call {finished[0] + 1} finished with {reasons[finished[0]]!r}, yet your "
                          f"script made {extra} more call(s). Check finish_reason after each call and break out of "
                          "the loop.")


@check("prints each call's finish_reason, in order")
def prints_finish_in_order(ev: Evidence) -> None:
    reasons = [_first_reason(r) for r in _answers(ev)]
    if not in_order(reasons, FINISH_WORDS.findall(ev.output)):  # type: ignore[arg-type]
        raise CheckFailed(f"expected the finish reasons the server sent, {reasons}, in that order in your output; "
                          f"your script printed:\n{_printed(ev)}")


@check("prints each call's completion_tokens, in order")
def prints_completion_tokens(ev: Evidence) -> None:
    counts = [(r.usage() or {}).get("completion_tokens") for r in _answers(ev)]
    if not in_order(counts, _integers(ev.output)):  # type: ignore[arg-type]
        raise CheckFailed(f"expected the completion_tokens the server reported, {counts}, in that order in your "
                          f"output; your script printed:\n{_printed(ev)}")


# --- challenge 2: your own request id -----------------------------------------------------------------------------

@check("sends its own X-Request-Id header")
def sends_own_id(ev: Evidence) -> None:
    request = ev.one(CHAT, "a chat request")
    if not request.headers.get("x-request-id", "").strip():
        raise CheckFailed("expected an X-Request-Id header on the request, holding an id your script made (for "
                          "example uuid.uuid4().hex); your script sent none. With the SDK, pass "
                          "extra_headers={'X-Request-Id': my_id}.")


@check("prints the response id the server built from it")
def prints_built_id(ev: Evidence) -> None:
    request = _answers(ev)[0]
    built = request.response.get("id", "")
    if built not in ev.output:
        raise CheckFailed(f"expected the id of the response, {built!r}, in your output; your script printed:\n"
                          f"{_printed(ev)}\nPrint the response's id and compare it with your own.")


# --- challenge 3: a log line you can trust ------------------------------------------------------------------------

@check("never prints the API key")
def never_logs_key(ev: Evidence) -> None:
    ev.one(CHAT, "a chat request")
    written = ev.output + ev.run.stderr
    secret = ev.api_key.removeprefix("sk-course-")
    pieces = {secret[i:i + 12] for i in range(max(1, len(secret) - 11))}
    if ev.api_key in written or any(piece in written for piece in pieces):
        where = "its output" if ev.api_key in ev.output or any(p in ev.output for p in pieces) else "stderr"
        raise CheckFailed(f"the key from OPENAI_API_KEY appeared in {where}. A log must never hold the Authorization "
                          "header: replace its value with something like '[redacted]' before logging.")


def _records(ev: Evidence) -> list[Any]:
    lines = [line for line in ev.output.splitlines() if line.strip()]
    records = []
    for number, line in enumerate(lines, 1):
        try:
            records.append(json.loads(line))
        except ValueError:
            raise CheckFailed(f"expected every line of output to be one JSON object; line {number} is not JSON: "
                              f"{quote(line, 120)!r}. Write each record with json.dumps(record) (no indent), "
                              "which also escapes the newlines inside a reply.") from None
    return records


@check("prints each log record as one line of JSON")
def json_lines(ev: Evidence) -> None:
    ev.one(CHAT, "a chat request")
    records = _records(ev)
    if not records:
        raise CheckFailed("expected at least one JSON log record in the output; your script printed nothing.")
    if not all(isinstance(r, dict) for r in records):
        raise CheckFailed("expected every line to be a JSON object ({...}); some lines are other JSON values.")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@check("logs the request it sent and the response it got")
def logs_both(ev: Evidence) -> None:
    request = _answers(ev)[0]
    try:
        texts = list(_strings(_records(ev)))
    except CheckFailed:
        texts = [ev.output]
    users = [m.get("content") for m in request.messages() if m.get("role") == "user"]
    asked = str(users[-1]) if users else ""
    answer_id = request.response.get("id", "")
    if asked and not any(asked in t for t in texts):
        raise CheckFailed(f"expected the request in the log, including the user message you sent, "
                          f"{quote(asked, 80)!r}; it is not in your output:\n{_printed(ev)}")
    if not any(answer_id in t for t in texts):
        raise CheckFailed(f"expected the response in the log, including its id {answer_id!r}; it is not in your "
                          f"output:\n{_printed(ev)}")


SECTION = Section(
    entry=entry("02"),
    exercises=[
        Exercise(
            work="anatomy.py", reference="examples/02/anatomy.py", summary="every field of the raw JSON response",
            see="The envelope, top to bottom",
            checks=[sent_with_requests(), posts_chat(), sends_key(), prints_envelope, shows_created_as_date,
                    prints_choices, prints_usage],
        ),
        Exercise(
            work="anatomy_sdk.py", reference="examples/02/anatomy_sdk.py",
            summary="the same fields as SDK objects, and the response as JSON",
            see="The same response as SDK objects",
            checks=[sent_with_sdk(), sends_key(), prints_envelope, prints_choices, prints_usage, prints_json],
        ),
        Exercise(
            work="finish_length.py", reference="examples/02/finish_length.py",
            summary='forcing finish_reason "length" and coping with it',
            see="Why a reply stops: finish_reason",
            checks=[posts_chat(), sends_key(), cuts_reply, survives_null, prints_choices],
        ),
        Exercise(
            work="choices.py", reference="examples/02/choices.py", summary="three answers in one call with n=3",
            see="Several answers at once: n",
            checks=[posts_chat(), sends_key(), asks_three, prints_choices],
        ),
        Exercise(
            work="headers.py", reference="examples/02/headers.py",
            summary="the status and headers, with requests and with_raw_response",
            see="Headers: the part outside the JSON",
            checks=[used_requests, sends_key(), prints_status, prints_headers, copes_without_request_id,
                    uses_raw_response],
        ),
        Exercise(
            work="budget_ladder.py", reference="examples/02/budget_ladder.py", summary="challenge 1: a budget ladder",
            see="Challenges", challenge=True,
            checks=[grows_budget, stops_after_stop, prints_finish_in_order, prints_completion_tokens],
        ),
        Exercise(
            work="request_id.py", reference="examples/02/request_id.py", summary="challenge 2: your own request id",
            see="Challenges", challenge=True,
            checks=[sends_own_id, prints_built_id, copes_without_request_id],
        ),
        Exercise(
            work="log_call.py", reference="examples/02/log_call.py", summary="challenge 3: a log line you can trust",
            see="Challenges", challenge=True,
            checks=[never_logs_key, json_lines, logs_both],
        ),
    ],
)
