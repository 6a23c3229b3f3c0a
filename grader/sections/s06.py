"""Section 06, Streaming: server-sent events by hand, then with the SDK; usage, timing and broken streams."""

from __future__ import annotations

import re
from typing import Any

from ..checks import Check, CheckFailed, Evidence, check, quote, quote_output
from ..checks.common import (
    CHAT, posts_chat, printed_integers, prints_reply, sends_key, sent_with_requests, sent_with_sdk,
)
from ..course import entry
from ..endpoint.session import LoggedRequest
from . import Exercise, Section

BROKEN = "lighthouse-breaks"  # the recorded interaction whose streams break (tests/recordings/06-streaming.json)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _bare(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _events(request: LoggedRequest) -> list[Any]:
    """The SSE payloads the endpoint planned for a streamed request (JSON objects, "[DONE]")."""
    return request.response if isinstance(request.response, list) else []


def _delta(event: Any) -> dict[str, Any]:
    if isinstance(event, dict) and event.get("choices"):
        delta = event["choices"][0].get("delta")
        return delta if isinstance(delta, dict) else {}
    return {}


def _first(request: LoggedRequest, field: str) -> int | None:
    """The index of the first event whose delta carries text in `field` ("content" or "reasoning")."""
    for number, event in enumerate(_events(request)):
        if _delta(event).get(field):
            return number
    return None


def _last(request: LoggedRequest, field: str) -> int | None:
    """The index of the last event whose delta carries text in `field`."""
    found = [n for n, event in enumerate(_events(request)) if _delta(event).get(field)]
    return found[-1] if found else None


def _sent_at(request: LoggedRequest, number: int | None) -> float | None:
    """When the endpoint wrote event `number`, or None if it never did."""
    if number is None or number >= len(request.event_times):
        return None
    return request.event_times[number]


def _reasoning(request: LoggedRequest) -> str:
    return "".join(_delta(e).get("reasoning") or "" for e in _events(request))


def _error_event(request: LoggedRequest) -> dict[str, Any] | None:
    for event in _events(request):
        if isinstance(event, dict) and isinstance(event.get("error"), dict):
            return event["error"]
    return None


def _complete(request: LoggedRequest) -> bool:
    """The stream ran to data: [DONE] with no error event on the way."""
    events = _events(request)
    return bool(events) and events[-1] == "[DONE]" and _error_event(request) is None


def _streams(ev: Evidence) -> list[LoggedRequest]:
    """The chat requests the endpoint answered with a stream; a failure says why there are none."""
    chats = ev.chats() or [ev.one(CHAT, "a chat request")]
    streamed = [r for r in chats if r.status == 200 and _events(r)]
    if not streamed:
        last = chats[-1]
        if last.status != 200:
            raise CheckFailed(f"the server answered {last.status}: {quote(str(last.response), 200)}")
        raise CheckFailed("the server answered with one JSON body, not a stream: send \"stream\": true in the request "
                          "body (with the SDK: stream=True).")
    return streamed


def _when_printed(ev: Evidence, byte_end: int) -> float | None:
    """When the first `byte_end` bytes of the output had reached the grader."""
    for moment, total in ev.run.stdout_arrivals:
        if total >= byte_end:
            return moment
    return None


def _stderr_tail(ev: Evidence) -> str:
    """The last line of what the script wrote to stderr (its exception), without a final full stop."""
    lines = [line.strip() for line in ev.run.stderr.strip().splitlines() if line.strip()]
    return quote(lines[-1], 160).rstrip(".") if lines else f"exit code {ev.run.exit_code}"


@check("asks for a stream (\"stream\": true)")
def asks_for_stream(ev: Evidence) -> None:
    for request in ev.chats() or [ev.one(CHAT, "a chat request")]:
        body = ev.body_of(request)
        if body.get("stream") is not True:
            sent = "no stream field" if "stream" not in body else f"stream={body['stream']!r}"
            raise CheckFailed(f"expected \"stream\": true in the request body; your script sent {sent}:\n"
                              f"{ev.sent(request)}\nWith requests put \"stream\": True in the JSON payload; with the "
                              "SDK pass stream=True to create().")


@check("prints each piece of the answer as it arrives")
def prints_progressively(ev: Evidence) -> None:
    request = _streams(ev)[0]
    reply = request.replies()[0] if request.replies() else ""
    first = _first(request, "content")
    if not reply or first is None:
        raise CheckFailed("the server streamed no answer text to print.")
    at = ev.output.find(reply)
    if at < 0:
        raise CheckFailed(f"expected the pieces of the answer printed one after another, so that they add up to the "
                          f"reply {quote(reply, 100)!r}; your script printed:\n{quote_output(ev.output)}\n"
                          "Print each piece with print(piece, end=\"\", flush=True).")
    piece = _delta(_events(request)[first])["content"]
    printed = _when_printed(ev, len(ev.output[:at].encode()) + len(piece.encode()))
    last_sent = _sent_at(request, _last(request, "content"))
    if printed is None or last_sent is None:
        raise CheckFailed("the grader could not time your output against the stream; run the check again.")
    if printed >= last_sent:
        hint = ("All of it appeared at once, when the script ended: Python holds printed text back when the output "
                "is not a terminal, so pass flush=True to print()." if len(ev.run.stdout_arrivals) == 1 else
                "Print each piece inside the loop with flush=True, and with requests pass stream=True to "
                "requests.post so that iter_lines() hands you each line as it arrives.")
        raise CheckFailed(f"expected the first piece of the answer, {piece!r}, to appear while the stream was still "
                          f"coming in; it appeared {(printed - last_sent) * 1000:.0f} ms after the server had sent "
                          f"the last one. {hint}")


@check("prints the answer without the reasoning")
def hides_reasoning(ev: Evidence) -> None:
    for request in _streams(ev):
        reasoning = _reasoning(request)
        if reasoning and _bare(reasoning)[:40] in _bare(ev.output):
            raise CheckFailed(f"expected only the answer (the content deltas) in your output; it also holds the "
                              f"model's reasoning, which began {quote(reasoning, 60)!r}. Reasoning arrives in "
                              "delta.reasoning; print delta.content only.")


def _finishes(name: str, culprit: str, advice: str) -> Check:
    """The run exits cleanly; when it crashed with `culprit` in its traceback, `advice` says why."""

    def run(ev: Evidence) -> None:
        _streams(ev)
        if ev.run.exit_code == 0:
            return
        hint = advice if culprit in ev.run.stderr else "Read the traceback, fix the line it names, and run it again."
        raise CheckFailed(f"your script stopped with an error: {_stderr_tail(ev)}. {hint}")
    return Check(name, run)


@check("sends the streamed reply back as the assistant turn of a second request")
def reassembles_for_history(ev: Evidence) -> None:
    streamed = _streams(ev)
    first, first_messages = streamed[0], streamed[0].messages()
    reply = first.replies()[0] if first.replies() else ""
    later = [r for r in ev.chats() if r is not first]
    if not later:
        raise CheckFailed("expected a second request that continues the conversation; your script sent only one.")
    messages = later[0].messages()
    if messages[: len(first_messages)] != first_messages or len(messages) < len(first_messages) + 2:
        raise CheckFailed(f"expected the second request to resend the first request's messages, then the assistant's "
                          f"reply, then a new user message; its roles were {later[0].roles()}.")
    turn = messages[len(first_messages)]
    content = turn.get("content")
    if turn.get("role") != "assistant" or content != reply:
        raise CheckFailed(f"expected {{'role': 'assistant', 'content': <the whole streamed reply>}} after the first "
                          f"messages, with the reply {quote(reply, 80)!r} ({len(reply)} characters); your script sent "
                          f"{turn.get('role')!r} with {quote(str(content), 80)!r} "
                          f"({len(str(content))} characters). Join the content pieces (skipping None) with "
                          "''.join(pieces).")


@check("asks for usage in the stream (stream_options include_usage)")
def asks_for_usage(ev: Evidence) -> None:
    request = ev.one(CHAT, "a chat request")
    options = ev.body_of(request).get("stream_options")
    if not (isinstance(options, dict) and options.get("include_usage") is True):
        raise CheckFailed(f"expected \"stream_options\": {{\"include_usage\": true}} in the request body; your script "
                          f"sent stream_options={options!r}.")


@check("prints the token counts from the usage chunk")
def prints_usage(ev: Evidence) -> None:
    request = _streams(ev)[0]
    usage = request.usage()
    if usage is None:
        raise CheckFailed("the server sent no usage chunk, because the request did not ask for one.")
    wanted = [f"{name}={usage[name]}" for name in ("prompt_tokens", "completion_tokens", "total_tokens")]
    missing = [pair for pair in wanted if int(pair.split("=")[1]) not in printed_integers(ev)]
    if missing:
        raise CheckFailed(f"expected the counts the usage chunk carried ({', '.join(wanted)}) in your output; "
                          f"missing: {', '.join(missing)}. Your script printed:\n"
                          f"{quote_output(ev.output)}\nPrint chunk.usage from the last chunk instead of counting.")


_TIME = re.compile(r"(?<![\w.])(\d+)(?:\.(\d+))?(?:\s*(ms|milliseconds|s|secs?|seconds)\b)?(?!\w)")


def _times(ev: Evidence) -> list[tuple[float, float]]:
    """Every number printed, in seconds (ms divided by 1000), with how far rounding may have moved it."""
    found = []
    for whole, decimals, unit in _TIME.findall(ev.output):
        scale = 1000 if unit in ("ms", "milliseconds") else 1
        found.append((float(f"{whole}.{decimals or 0}") / scale, 0.5 * 10 ** -len(decimals) / scale + 1e-6))
    return found


def _two_times(ev: Evidence) -> tuple[tuple[float, float], tuple[float, float]]:
    """The last two numbers printed: (seconds, rounding) for the first token, then for the total."""
    found = _times(ev)
    if len(found) < 2:
        raise CheckFailed(f"expected two times printed last: the wait for the first token, then the total, in seconds; "
                          f"your script printed:\n{quote_output(ev.output)}")
    return found[-2], found[-1]


@check("prints the time to the first token, then the total time")
def prints_two_times(ev: Evidence) -> None:
    _two_times(ev)


@check("its first-token time is below its total time")
def first_below_total(ev: Evidence) -> None:
    (first, _), (total, _) = _two_times(ev)
    if not first < total:
        raise CheckFailed(f"expected the first-token time to be smaller than the total; your script printed "
                          f"{first:g} s and then {total:g} s. Take the total time after the loop has read the whole "
                          "stream, not right after create() returns.")


@check("times the wait until the first piece of the answer")
def times_first_token(ev: Evidence) -> None:
    (first, rounding), _ = _two_times(ev)
    request = _streams(ev)[0]
    arrived = _sent_at(request, _first(request, "content"))
    if arrived is None:
        raise CheckFailed("the server streamed no answer text, so there was no first token to time.")
    least = arrived - request.started
    if first < least - rounding:
        role = (request.event_times[0] - request.started) if request.event_times else 0.0
        raise CheckFailed(f"the first piece of the answer left the server {least:.2f} s after your request arrived, "
                          f"so your script cannot have seen it sooner; it printed {first:.2f} s. The first chunks "
                          f"(the role chunk at {role:.2f} s, then the reasoning) carry no answer text: stop the clock "
                          "at the first chunk whose delta.content is not empty, and start it just before create() "
                          "sends the request, not after it returns.")


@check("times the whole stream, up to its last piece")
def times_whole_stream(ev: Evidence) -> None:
    _, (total, rounding) = _two_times(ev)
    request = _streams(ev)[0]
    ended = _sent_at(request, _last(request, "content"))
    if ended is None:
        raise CheckFailed("the stream ended before its last piece of answer was sent, so there was no end to time.")
    least = ended - request.started
    if total < least - rounding:
        raise CheckFailed(f"the last piece of the answer left the server {least:.2f} s after your request arrived; "
                          f"your script printed a total of {total:.2f} s. Read the total after the loop over the "
                          "stream has finished.")


def _broken(ev: Evidence) -> list[LoggedRequest]:
    chats = ev.chats() or [ev.one(CHAT, "a chat request")]
    hit = [r for r in chats if r.interaction == BROKEN]
    if not hit:
        last = [m for m in chats[0].messages() if m.get("role") == "user"]
        said = quote(str(last[-1].get("content")), 80) if last else "no user message"
        raise CheckFailed(f"expected the streamed request for the recorded story about a lighthouse keeper, whose "
                          f"stream breaks; your script asked {said!r}"
                          f"{'' if chats[0].json_field('stream') is True else ' without stream: true'}. Ask for a "
                          "short story about a lighthouse keeper, with \"stream\": true.")
    return hit


@check("asks for the lighthouse story, whose recorded stream breaks")
def asks_broken_story(ev: Evidence) -> None:
    _broken(ev)


@check("shows the error message the server sent mid-stream")
def shows_stream_error(ev: Evidence) -> None:
    error = _error_event(_broken(ev)[0])
    if error is None:
        raise CheckFailed("your first request for the lighthouse story got a stream without an error event; make "
                          "that request once, at the start of the script.")
    message = str(error.get("message", ""))
    if _squash(message) not in _squash(ev.output + "\n" + ev.run.stderr):
        raise CheckFailed(f"the server sent an error event, data: {{\"error\": {{\"message\": {quote(message, 90)!r}, "
                          f"...}}}}, but your script did not show that message. It printed:\n"
                          f"{quote_output(ev.output)}\nand stopped with: {_stderr_tail(ev)}. Check every event for an "
                          "\"error\" key before you look for choices, and raise (or print) error[\"message\"].")


@check("stops with an error status instead of passing half an answer off as complete")
def fails_on_stream_error(ev: Evidence) -> None:
    _broken(ev)
    if ev.run.exit_code == 0:
        raise CheckFailed("the stream broke with an error event, but your script exited with code 0, as if the half "
                          "answer it printed were complete. Raise an exception (or sys.exit with a message) when an "
                          "event carries an error.")


@check("tries again after each broken stream, until one completes")
def retries_until_complete(ev: Evidence) -> None:
    attempts = _broken(ev)
    if not any(_complete(r) for r in attempts):
        what = ["an error event" if _error_event(r) else "a dropped connection" for r in attempts]
        raise CheckFailed(f"your script made {len(attempts)} attempt(s), which ended with {', then '.join(what)}, and "
                          f"then stopped ({'exit code 0' if ev.run.exit_code == 0 else _stderr_tail(ev)}). "
                          "The recorded endpoint breaks the first stream with an error event and the second by "
                          "dropping the connection; the third completes. Catch both (openai.APIError covers them; with "
                          "requests, an error event and requests.exceptions.ChunkedEncodingError) and try again.")


@check("stops trying once a stream completes")
def stops_after_success(ev: Evidence) -> None:
    attempts = _broken(ev)
    done = next((n for n, r in enumerate(attempts) if _complete(r)), None)
    if done is not None and len(attempts) > done + 1:
        raise CheckFailed(f"stream {done + 1} completed, yet your script sent {len(attempts) - done - 1} more "
                          "request(s). Leave the loop (break) once a stream has run to its end.")


@check("sends the same messages on every attempt")
def same_messages_each_time(ev: Evidence) -> None:
    attempts = _broken(ev)
    for number, request in enumerate(attempts[1:], start=2):
        if request.messages() != attempts[0].messages():
            last = quote(str(request.messages()[-1].get("content")), 80) if request.messages() else ""
            raise CheckFailed(f"expected attempt {number} to resend the first attempt's messages unchanged; it sent "
                              f"roles {request.roles()} instead of {attempts[0].roles()}, ending with {last!r}. Throw "
                              "the broken attempt's text away: it is not part of the conversation.")


@check("exits without an error once the answer is complete")
def exits_cleanly(ev: Evidence) -> None:
    if ev.run.exit_code != 0:
        raise CheckFailed(f"your script stopped with an error: {_stderr_tail(ev)}. Catch the failure of a "
                          "broken stream and try again instead of letting it end the script.")


@check("shows a sign of life while the model is still reasoning")
def shows_thinking(ev: Evidence) -> None:
    request = _streams(ev)[0]
    began = request.event_times[0] if request.event_times else None
    answered = _sent_at(request, _first(request, "content"))
    if began is None or answered is None:
        raise CheckFailed("the server streamed no answer, so there was no reasoning phase to show.")
    if not any(began <= moment < answered for moment, _ in ev.run.stdout_arrivals):
        raise CheckFailed(f"the model reasoned for {answered - began:.2f} s before the first piece of the answer, "
                          "and none of your output appeared in that time, so a user would stare at a still screen. "
                          "Print something (a dot per reasoning delta, or one 'thinking...') with flush=True as the "
                          "reasoning deltas arrive.")


stops_at_done = _finishes(
    "stops reading at data: [DONE] without an error", "JSONDecodeError",
    "The last event is data: [DONE], which is not JSON: leave the loop when you see it, before json.loads().")
survives_usage_chunk = _finishes(
    "copes with the usage chunk, whose choices list is empty", "IndexError",
    "The usage chunk has choices == []: check `if chunk.choices:` before reading chunk.choices[0].")

SECTION = Section(
    entry=entry("06"),
    pace=0.2,
    exercises=[
        Exercise(
            work="stream_raw.py", reference="examples/06/stream_raw.py", summary="a stream read by hand with requests",
            see="Parse the events",
            checks=[sent_with_requests(), posts_chat(), sends_key(), asks_for_stream, prints_reply(),
                    prints_progressively, hides_reasoning, stops_at_done],
        ),
        Exercise(
            work="stream_sdk.py", reference="examples/06/stream_sdk.py",
            summary="streaming with the SDK, kept in history", see="Keep the reply",
            checks=[sent_with_sdk(), asks_for_stream, prints_reply(Evidence.chats), prints_progressively,
                    hides_reasoning, reassembles_for_history],
        ),
        Exercise(
            work="stream_usage.py", reference="examples/06/stream_usage.py", summary="usage at the end of a stream",
            see="Usage at the end of the stream",
            checks=[asks_for_stream, asks_for_usage, prints_reply(), survives_usage_chunk, prints_usage],
        ),
        Exercise(
            work="ttft.py", reference="examples/06/ttft.py", summary="time to first token and total time",
            see="Time to first token",
            checks=[asks_for_stream, prints_two_times, first_below_total, times_first_token, times_whole_stream],
        ),
        Exercise(
            work="stream_error.py", reference="examples/06/stream_error.py",
            summary="challenge 1: an error event mid-stream", see="Challenges", challenge=True,
            checks=[sent_with_requests(), asks_broken_story, shows_stream_error, fails_on_stream_error],
        ),
        Exercise(
            work="stream_retry.py", reference="examples/06/stream_retry.py",
            summary="challenge 2: try a broken stream again", see="Challenges", challenge=True,
            checks=[asks_broken_story, retries_until_complete, stops_after_success, same_messages_each_time,
                    prints_reply(), exits_cleanly],
        ),
        Exercise(
            work="thinking.py", reference="examples/06/thinking.py",
            summary="challenge 3: a sign of life while the model reasons", see="Challenges", challenge=True,
            checks=[asks_for_stream, shows_thinking, hides_reasoning, prints_reply()],
        ),
    ],
)
