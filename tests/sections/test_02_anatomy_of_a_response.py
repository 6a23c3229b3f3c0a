"""Section 02 · Anatomy of a Response: every field of the envelope, finish reasons, n, headers and the request id.

Each test is one check a learner sees; its docstring is the sentence in their report. A test names the learner
file it grades by its fixture: `anatomy` is one run of work/anatomy.py, `headers` one run of work/headers.py.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

from grader.checks import CheckFailed, Evidence, quote
from grader.checks.common import (
    CHAT,
    budget_of,
    by_hand,
    find_values,
    in_order,
    posts_chat,
    printed_integers,
    printed_moments,
    printed_with_error,
    prints_usage,
    sends_key,
    sends_model_from_env,
    sent_with_requests,
    sent_with_sdk,
    squash,
    text_spots,
)
from grader.endpoint import wire
from grader.endpoint.session import LoggedRequest
from grader.suite import Section

SECTION = Section("02")
FINISH_WORDS = re.compile(r"\b(stop|length|tool_calls)\b")
COMPLETION = "completion|output|out|used|generated|spent|tokens"  # words that may label completion_tokens

anatomy = SECTION.file("anatomy.py", reference="examples/02/anatomy.py", summary="every field of the raw JSON response",
                       see="The envelope, top to bottom")
anatomy_sdk = SECTION.file("anatomy_sdk.py", reference="examples/02/anatomy_sdk.py",
                           summary="the same fields as SDK objects, and the response as JSON",
                           see="The same response as SDK objects")
finish_length = SECTION.file("finish_length.py", reference="examples/02/finish_length.py",
                             summary='forcing finish_reason "length" and coping with it',
                             see="Why a reply stops: finish_reason")
choices = SECTION.file("choices.py", reference="examples/02/choices.py", summary="three answers in one call with n=3",
                       see="Several answers at once: n")
headers = SECTION.file("headers.py", reference="examples/02/headers.py",
                       summary="the status and headers, with requests and with_raw_response",
                       see="Headers: the part outside the JSON")
budget_ladder = SECTION.file("budget_ladder.py", reference="examples/02/budget_ladder.py",
                             summary="challenge 1: a budget ladder", see="Challenges", challenge=True)
request_id = SECTION.file("request_id.py", reference="examples/02/request_id.py",
                          summary="challenge 2: your own request id", see="Challenges", challenge=True)
request_id_again = SECTION.scenario("request_id.py", "again", "a second time")  # a fresh id per run, not a constant
log_call = SECTION.file("log_call.py", reference="examples/02/log_call.py",
                        summary="challenge 3: a log line you can trust", see="Challenges", challenge=True)


# --- reading the completions a run got ----------------------------------------------------------------------------

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


def _first_reason(request: LoggedRequest) -> str | None:
    found = _choices(request)
    return found[0].get("finish_reason") if found else None


def _crash_line(ev: Evidence) -> str:
    return ev.last_error() or f"exit code {ev.run.exit_code}"


def _prints_envelope(ev: Evidence) -> None:
    data = _answers(ev)[0].response
    for name in ("id", "object", "model", "system_fingerprint"):
        value = data.get(name)
        if value is not None and str(value) not in ev.output:
            raise CheckFailed(f"expected the {name} the server sent, {value!r}, in your output; your script printed:\n"
                              f"{printed_with_error(ev)}\nPrint data[{name!r}] (or response.{name}) rather than "
                              "typing a value.")


def _prints_choices(ev: Evidence) -> None:
    words = Counter(FINISH_WORDS.findall(ev.output))
    for request in _answers(ev):
        found = _choices(request)
        contents = Counter(_content(c) for c in found if _content(c))
        for choice in found:
            content = _content(choice)
            plain, dumped = text_spots(ev.output, content) if content else ([], [])
            if not content or len(plain) >= contents[content]:
                continue
            others = [c for c in found if c is not choice and _content(c) and text_spots(ev.output, _content(c))[0]]
            if not ev.output.strip():
                hint = "Your script printed nothing: print each choice's message content."
            elif dumped:
                hint = ("It shows only inside the whole response you printed (the JSON or the SDK object): print "
                        "each choice's message content on its own.")
            elif choice.get("finish_reason") == "length":
                hint = "A cut-off answer is still text: print it, and say that it is incomplete."
            elif others:
                hint = f"The server sent {len(found)} choices and you printed only some: loop over all of them."
            else:
                hint = "Print choice['message']['content'] (choice.message.content with the SDK)."
            raise CheckFailed(f"expected the content of choice {choice.get('index')}, {quote(content, 100)!r}, in "
                              f"your output; your script printed:\n{printed_with_error(ev)}\n{hint}")
        reasons = [c.get("finish_reason") for c in found]
        if any(words[reason] < count for reason, count in Counter(reasons).items()):
            raise CheckFailed(f"expected the finish_reason of each of the {len(found)} choice(s), {reasons}, in "
                              f"your output; your script printed:\n{printed_with_error(ev)}\n"
                              "Print choice.finish_reason next to each choice's content.")


def _prints_usage(ev: Evidence) -> None:
    for request in _answers(ev):
        prints_usage(ev, request.response.get("usage") or {})


def _copes_without_request_id(ev: Evidence) -> None:
    _answers(ev)
    if ev.run.exit_code == 0:
        return
    about = "request-id" in ev.run.stderr.lower() or "request_id" in ev.run.stderr.lower()
    hint = ("This server sends no x-request-id header, so headers['x-request-id'] raises KeyError: use "
            "headers.get('x-request-id') and say when it is missing." if about else
            "Make the script finish when a header it looks for is missing.")
    raise CheckFailed(f"your script stopped with an error: {_crash_line(ev)}. {hint}")


# --- work/anatomy.py ----------------------------------------------------------------------------------------------

def _date_forms(moment: datetime) -> list[str]:
    """Ways a script may write the date: 2026-11-22, 22/11/2026, Nov 22 (with the year elsewhere, as ctime does)."""
    forms = [moment.strftime(f) for f in ("%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y")]
    for month in (moment.strftime("%b"), moment.strftime("%B")):
        for day in (f"{moment.day}", f"{moment.day:02d}"):
            forms += [f"{month} {day}", f"{day} {month}"]
    return forms


def test_anatomy_uses_requests(anatomy: Evidence) -> None:
    """sends its request with the requests library"""
    sent_with_requests(anatomy)


def test_anatomy_posts_chat(anatomy: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(anatomy)


def test_anatomy_sends_key(anatomy: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(anatomy)


def test_anatomy_prints_envelope(anatomy: Evidence) -> None:
    """prints the id, object, model and system_fingerprint the server sent"""
    _prints_envelope(anatomy)


def test_anatomy_created_as_date(anatomy: Evidence) -> None:
    """shows created as a calendar date"""
    created = _answers(anatomy)[0].response.get("created")
    if not isinstance(created, int):
        raise CheckFailed(f"the server's created field was {created!r}, not a Unix time; please report this.")
    printed = squash(anatomy.output)
    moments = [datetime.fromtimestamp(created, tz=timezone.utc), datetime.fromtimestamp(created)]
    if any(str(m.year) in printed and form in printed for m in moments for form in _date_forms(m)):
        return
    raise CheckFailed(f"expected created ({created}, seconds since 1970) turned into a date such as "
                      f"{moments[0].strftime('%Y-%m-%d %H:%M:%S')} UTC; your script printed:\n"
                      f"{printed_with_error(anatomy)}\nUse datetime.fromtimestamp(created, tz=timezone.utc).")


@pytest.mark.see("Choices and messages")
def test_anatomy_prints_choices(anatomy: Evidence) -> None:
    """prints every choice's finish_reason and content"""
    _prints_choices(anatomy)


@pytest.mark.see("Usage: what a call costs")
def test_anatomy_prints_usage(anatomy: Evidence) -> None:
    """prints the prompt, completion and total token counts the server sent"""
    _prints_usage(anatomy)


# --- work/anatomy_sdk.py ------------------------------------------------------------------------------------------

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


def test_anatomy_sdk_uses_sdk(anatomy_sdk: Evidence) -> None:
    """sends its request through the openai SDK"""
    sent_with_sdk(anatomy_sdk)


def test_anatomy_sdk_sends_key(anatomy_sdk: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(anatomy_sdk)


def test_anatomy_sdk_prints_envelope(anatomy_sdk: Evidence) -> None:
    """prints the id, object, model and system_fingerprint the server sent"""
    _prints_envelope(anatomy_sdk)


def test_anatomy_sdk_prints_choices(anatomy_sdk: Evidence) -> None:
    """prints every choice's finish_reason and content"""
    _prints_choices(anatomy_sdk)


def test_anatomy_sdk_prints_usage(anatomy_sdk: Evidence) -> None:
    """prints the prompt, completion and total token counts the server sent"""
    _prints_usage(anatomy_sdk)


@pytest.mark.see("Back to JSON")
def test_anatomy_sdk_prints_json(anatomy_sdk: Evidence) -> None:
    """prints the whole response as JSON"""
    data = _answers(anatomy_sdk)[0].response
    for found in _json_objects(anatomy_sdk.output):
        if found.get("id") == data.get("id") and isinstance(found.get("choices"), list) and "usage" in found:
            return
    hint = "That is the object's Python repr, not JSON. " if "ChatCompletion(" in anatomy_sdk.output else ""
    raise CheckFailed(f"expected the whole response as a JSON object (with id {data.get('id')!r}, choices and usage) "
                      f"in your output; none was found. {hint}Print response.model_dump_json(indent=2) or "
                      f"response.to_json(). Your script printed:\n{printed_with_error(anatomy_sdk)}")


# --- work/finish_length.py ----------------------------------------------------------------------------------------

def test_finish_length_posts_chat(finish_length: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(finish_length)


def test_finish_length_sends_key(finish_length: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(finish_length)


def test_finish_length_cuts_reply(finish_length: Evidence) -> None:
    """sends a max_tokens small enough to cut the reply off (finish_reason "length")"""
    answered = _answers(finish_length)
    if any(c.get("finish_reason") == "length" for r in answered for c in _choices(r)):
        return
    sent = [budget_of(r) for r in answered]
    raise CheckFailed(f"expected at least one reply cut off by its budget (finish_reason \"length\"); your script "
                      f"sent max_tokens={sent[0] if len(sent) == 1 else sent} and every reply finished on its own. "
                      "Send a budget far smaller than an answer needs, such as max_tokens=16.")


def test_finish_length_survives_null(finish_length: Evidence) -> None:
    """copes with content: null when the budget ends inside the reasoning"""
    answered = _answers(finish_length)
    empty = [r for r in answered for c in _choices(r) if c.get("finish_reason") == "length" and _content(c) is None]
    if not empty:
        sent = [budget_of(r) for r in answered]
        raise CheckFailed(f"expected a budget so small that the model is still reasoning when it runs out, which "
                          f"leaves content null; with max_tokens={sent[0] if len(sent) == 1 else sent} the server "
                          "sent part of an answer instead. Try max_tokens=16.")
    if finish_length.run.exit_code != 0:
        raise CheckFailed(f"the server sent content: null (the budget ran out during the reasoning), and your script "
                          f"stopped with an error: {_crash_line(finish_length)}. Check for None before using the "
                          "content, and say that there is no answer.")


def test_finish_length_prints_choices(finish_length: Evidence) -> None:
    """prints every choice's finish_reason and content"""
    _prints_choices(finish_length)


# --- work/choices.py ----------------------------------------------------------------------------------------------

def test_choices_posts_chat(choices: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(choices)


def test_choices_sends_key(choices: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(choices)


def test_choices_asks_three(choices: Evidence) -> None:
    """asks for three choices with n=3"""
    chats = choices.chats() or [choices.one(CHAT, "a chat request")]
    sent = [choices.body_of(r).get("n") for r in chats]
    if 3 not in sent:
        shown = sent[0] if len(sent) == 1 else sent
        raise CheckFailed(f"expected one request with n=3; your script sent n={shown!r} in {len(chats)} request(s). "
                          "One call with n=3 returns three choices; three calls are three separate requests.")


def test_choices_prints_choices(choices: Evidence) -> None:
    """prints every choice's finish_reason and content"""
    _prints_choices(choices)


# --- work/headers.py ----------------------------------------------------------------------------------------------

def test_headers_uses_requests(headers: Evidence) -> None:
    """reads the response with requests"""
    if not any(by_hand(r) for r in headers.chats() or [headers.one(CHAT, "a chat request")]):
        raise CheckFailed("expected one request made with the requests library (its headers are response.headers); "
                          "every request came from the openai SDK (each carried its X-Stainless-* headers).")


def test_headers_sends_key(headers: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(headers)


def test_headers_prints_status(headers: Evidence) -> None:
    """prints the HTTP status code"""
    statuses = sorted({r.status for r in headers.chats() or [headers.one(CHAT, "a chat request")]})
    if not set(statuses) & set(printed_integers(headers)):
        raise CheckFailed(f"expected the status code the server answered, {statuses[0]}, in your output; your script "
                          f"printed:\n{printed_with_error(headers)}\nPrint response.status_code.")


def test_headers_prints_headers(headers: Evidence) -> None:
    """prints the content-length and date the server sent with the response"""
    answered = _answers(headers)
    lengths = [len(wire.dumps(r.response)) for r in answered]  # the log keeps the body, not its headers
    if not set(lengths) & set(printed_integers(headers)):
        raise CheckFailed(f"expected the response's content-length header, {lengths[0]}, in your output; your script "
                          f"printed:\n{printed_with_error(headers)}\nRead response.headers['content-length'] (the "
                          "headers of the response, not of response.request).")
    shift = answered[0].response.get("created", answered[0].started) - answered[0].started  # the server's clock
    start, end = answered[0].started + shift - 5, (answered[-1].finished or answered[-1].started) + shift + 5
    if not any(start <= moment <= end for moment in printed_moments(headers.output)):
        raise CheckFailed("expected the response's date header (for example 'Sun, 22 Nov 2026 10:15:00 GMT'), the "
                          f"time the server answered, in your output; your script printed:\n"
                          f"{printed_with_error(headers)}\nRead response.headers['date'].")


@pytest.mark.see("The request id")
def test_headers_copes_without_request_id(headers: Evidence) -> None:
    """copes with a response that has no x-request-id header"""
    _copes_without_request_id(headers)


@pytest.mark.see("The request id")
def test_headers_uses_raw_response(headers: Evidence) -> None:
    """reads the headers again through the SDK's with_raw_response"""
    chats = headers.chats() or [headers.one(CHAT, "a chat request")]
    if any(r.headers.get("x-stainless-raw-response") == "true" for r in chats):
        return
    raise CheckFailed(f"expected a call through client.chat.completions.with_raw_response.create(...); none of your "
                      f"{len(chats)} request(s) came through it (the SDK marks those with an X-Stainless-Raw-Response "
                      "header).")


# --- work/budget_ladder.py (challenge 1) --------------------------------------------------------------------------

def test_budget_ladder_grows_budget(budget_ladder: Evidence) -> None:
    '''raises max_tokens on each call, from a cut-off reply to one that finishes with "stop"'''
    answered = _answers(budget_ladder)
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


def test_budget_ladder_doubles(budget_ladder: Evidence) -> None:
    """doubles max_tokens from one call to the next"""
    budgets = [budget_of(r) for r in _answers(budget_ladder)]
    numbers = [b for b in budgets if isinstance(b, int)]
    slow = [(a, b) for a, b in zip(numbers, numbers[1:]) if b < 2 * a]
    if len(numbers) < 2 or slow:
        raise CheckFailed(f"expected each budget to be double the one before (8, 16, 32 ...); your script sent "
                          f"max_tokens {budgets}" + (f", and {slow[0][1]} is less than twice {slow[0][0]}" if slow
                                                     else "") + ". Multiply the budget by 2 after each cut-off reply.")


def test_budget_ladder_stops_after_stop(budget_ladder: Evidence) -> None:
    """stops calling once a reply finishes"""
    reasons = [_first_reason(r) for r in _answers(budget_ladder)]
    finished = [i for i, reason in enumerate(reasons) if reason != "length"]
    if not finished:
        raise CheckFailed(f"no reply finished: the finish reasons were {reasons}. Keep growing the budget until one "
                          "does, then stop.")
    extra = len(budget_ladder.chats()) - (finished[0] + 1)
    if extra:
        raise CheckFailed(f"the reply to call {finished[0] + 1} finished with {reasons[finished[0]]!r}, yet your "
                          f"script made {extra} more call(s). Check finish_reason after each call and break out of "
                          "the loop.")


def test_budget_ladder_prints_finish_in_order(budget_ladder: Evidence) -> None:
    """prints each call's finish_reason, in order"""
    reasons = [_first_reason(r) for r in _answers(budget_ladder)]
    if not in_order(reasons, FINISH_WORDS.findall(budget_ladder.output)):  # type: ignore[arg-type]
        raise CheckFailed(f"expected the finish reasons the server sent, {reasons}, in that order in your output; "
                          f"your script printed:\n{printed_with_error(budget_ladder)}")


def test_budget_ladder_prints_completion_tokens(budget_ladder: Evidence) -> None:
    """prints each call's completion_tokens, in order"""
    counts = [(r.usage() or {}).get("completion_tokens") for r in _answers(budget_ladder)]
    if not find_values(budget_ladder, COMPLETION, counts,  # type: ignore[arg-type]
                       avoid="max budget limit prompt total"):
        raise CheckFailed(f"expected the completion_tokens the server reported, {counts}, in that order in your "
                          f"output, each next to a word that names it (completion_tokens, used, output); your script "
                          f"printed:\n{printed_with_error(budget_ladder)}")


# --- work/request_id.py (challenge 2) -----------------------------------------------------------------------------

def test_request_id_sends_own_id(request_id: Evidence) -> None:
    """sends its own X-Request-Id header"""
    request = request_id.one(CHAT, "a chat request")
    if not request.headers.get("x-request-id", "").strip():
        raise CheckFailed("expected an X-Request-Id header on the request, holding an id your script made (for "
                          "example uuid.uuid4().hex); your script sent none. With the SDK, pass "
                          "extra_headers={'X-Request-Id': my_id}.")


def test_request_id_fresh_each_run(request_id: Evidence, request_id_again: Evidence) -> None:
    """makes a fresh id on every run"""
    ids = [ev.one(CHAT, "a chat request").headers.get("x-request-id", "") for ev in (request_id, request_id_again)]
    if ids[0] and ids[0] == ids[1]:
        raise CheckFailed(f"your script sent the X-Request-Id {ids[0]!r} on two runs: an id typed into the script "
                          "names every request the same, so no log can tell them apart. Make a new one each time "
                          "with uuid.uuid4().hex.")


def test_request_id_prints_built_id(request_id: Evidence) -> None:
    """prints the response id the server built from it"""
    built = _answers(request_id)[0].response.get("id", "")
    if built not in request_id.output:
        raise CheckFailed(f"expected the id of the response, {built!r}, in your output; your script printed:\n"
                          f"{printed_with_error(request_id)}\nPrint the response's id and compare it with your own.")


def test_request_id_copes_without_request_id(request_id: Evidence) -> None:
    """copes with a response that has no x-request-id header"""
    _copes_without_request_id(request_id)


# --- work/log_call.py (challenge 3) -------------------------------------------------------------------------------

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


def test_log_call_never_logs_key(log_call: Evidence) -> None:
    """never prints the API key"""
    log_call.one(CHAT, "a chat request")
    written = log_call.output + log_call.run.stderr
    secret = log_call.api_key.removeprefix("sk-course-")
    pieces = {secret[i:i + 12] for i in range(max(1, len(secret) - 11))}
    if log_call.api_key in written or any(piece in written for piece in pieces):
        shown = log_call.api_key in log_call.output or any(piece in log_call.output for piece in pieces)
        where = "its output" if shown else "stderr"
        raise CheckFailed(f"the key from OPENAI_API_KEY appeared in {where}. A log must never hold the Authorization "
                          "header: replace its value with something like '[redacted]' before logging.")


def test_log_call_json_lines(log_call: Evidence) -> None:
    """prints each log record as one line of JSON"""
    log_call.one(CHAT, "a chat request")
    records = _records(log_call)
    if not records:
        raise CheckFailed("expected at least one JSON log record in the output; your script printed nothing.")
    if not all(isinstance(r, dict) for r in records):
        raise CheckFailed("expected every line to be a JSON object ({...}); some lines are other JSON values.")


def test_log_call_logs_both(log_call: Evidence) -> None:
    """logs the request it sent and the response it got"""
    request = _answers(log_call)[0]
    try:
        texts = list(_strings(_records(log_call)))
    except CheckFailed:
        texts = [log_call.output]
    users = [m.get("content") for m in request.messages() if m.get("role") == "user"]
    asked = str(users[-1]) if users else ""
    answer_id = request.response.get("id", "")
    if asked and not any(asked in t for t in texts):
        raise CheckFailed(f"expected the request in the log, including the user message you sent, "
                          f"{quote(asked, 80)!r}; it is not in your output:\n{printed_with_error(log_call)}")
    if not any(answer_id in t for t in texts):
        raise CheckFailed(f"expected the response in the log, including its id {answer_id!r}; it is not in your "
                          f"output:\n{printed_with_error(log_call)}")


# --- every file: the model id comes from MODEL --------------------------------------------------------------------

anatomy_other_model = SECTION.other_model("anatomy.py")
anatomy_sdk_other_model = SECTION.other_model("anatomy_sdk.py")
finish_length_other_model = SECTION.other_model("finish_length.py")
choices_other_model = SECTION.other_model("choices.py")
headers_other_model = SECTION.other_model("headers.py")
budget_ladder_other_model = SECTION.other_model("budget_ladder.py")
request_id_other_model = SECTION.other_model("request_id.py")
log_call_other_model = SECTION.other_model("log_call.py")


def test_anatomy_model_from_env(anatomy_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(anatomy_other_model)


def test_anatomy_sdk_model_from_env(anatomy_sdk_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(anatomy_sdk_other_model)


def test_finish_length_model_from_env(finish_length_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(finish_length_other_model)


def test_choices_model_from_env(choices_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(choices_other_model)


def test_headers_model_from_env(headers_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(headers_other_model)


def test_budget_ladder_model_from_env(budget_ladder_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(budget_ladder_other_model)


def test_request_id_model_from_env(request_id_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(request_id_other_model)


def test_log_call_model_from_env(log_call_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(log_call_other_model)


# --- variant runs: against a differently configured server, printed values must follow this run's response ----------

anatomy_variant = SECTION.variant("anatomy.py")
anatomy_sdk_variant = SECTION.variant("anatomy_sdk.py")
headers_variant = SECTION.variant("headers.py")


def test_anatomy_prints_envelope_variant(anatomy_variant: Evidence) -> None:
    """prints the id, object, model and system_fingerprint the server sent"""
    test_anatomy_prints_envelope(anatomy_variant)


def test_anatomy_created_as_date_variant(anatomy_variant: Evidence) -> None:
    """shows created as a calendar date"""
    test_anatomy_created_as_date(anatomy_variant)


def test_anatomy_sdk_prints_envelope_variant(anatomy_sdk_variant: Evidence) -> None:
    """prints the id, object, model and system_fingerprint the server sent"""
    test_anatomy_sdk_prints_envelope(anatomy_sdk_variant)


def test_headers_prints_headers_variant(headers_variant: Evidence) -> None:
    """prints the content-length and date the server sent with the response"""
    test_headers_prints_headers(headers_variant)
