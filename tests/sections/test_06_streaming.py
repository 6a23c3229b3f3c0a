"""Section 06 · Streaming: server-sent events by hand, then with the SDK; usage, timing and broken streams.

Each test is one check a learner sees; its docstring is the sentence in their report. A test names the learner
file it grades by its fixture: `stream_raw` is one run of work/stream_raw.py.

Timing: the endpoint logs each event just after writing it (`event_times`) and the runner logs when output reached
the grader (`stdout_arrivals`), on one clock. Checks conclude only what the order of those moments proves: a script
cannot have seen an event before the endpoint logged the one before it. The one bound on a script's speed is
"prints each piece of the answer as it arrives": the first piece must show before the last one is logged, which
at pace 0.2 leaves the whole answer phase (about 300 ms) for a reaction that takes a few ms.
"""

from __future__ import annotations

import re
from typing import Any

from grader.checks import CheckFailed, Evidence, quote, quote_output
from grader.checks.common import (
    CHAT,
    last_user,
    posts_chat,
    printed_integers,
    prints_reply,
    sends_key,
    sent_with_requests,
    sent_with_sdk,
    squash,
)
from grader.endpoint.session import LoggedRequest
from grader.suite import Section

SECTION = Section("06", pace=0.2, workers=4)  # runs mostly wait on paced streams
BROKEN = "lighthouse-breaks"  # the recorded interaction whose streams break (recordings/06-streaming.json)

stream_raw = SECTION.file("stream_raw.py", reference="examples/06/stream_raw.py",
                          summary="a stream read by hand with requests", see="Parse the events")
stream_sdk = SECTION.file("stream_sdk.py", reference="examples/06/stream_sdk.py",
                          summary="streaming with the SDK, kept in history", see="Keep the reply")
stream_usage = SECTION.file("stream_usage.py", reference="examples/06/stream_usage.py",
                            summary="usage at the end of a stream", see="Usage at the end of the stream")
ttft = SECTION.file("ttft.py", reference="examples/06/ttft.py", summary="time to first token and total time",
                    see="Time to first token")
stream_error = SECTION.file("stream_error.py", reference="examples/06/stream_error.py",
                            summary="challenge 1: an error event mid-stream", see="Challenges", challenge=True)
stream_retry = SECTION.file("stream_retry.py", reference="examples/06/stream_retry.py",
                            summary="challenge 2: try a broken stream again", see="Challenges", challenge=True)
thinking = SECTION.file("thinking.py", reference="examples/06/thinking.py",
                        summary="challenge 3: a sign of life while the model reasons", see="Challenges", challenge=True)


# --- what the endpoint streamed, and when --------------------------------------------------------------------------

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
    """When the endpoint had written event `number` (logged just after the write), or None if it never did."""
    if number is None or number >= len(request.event_times):
        return None
    return request.event_times[number]


def _sent_before(request: LoggedRequest, number: int | None) -> float | None:
    """A moment before event `number` was written: the log of the event before it, or the request's arrival."""
    if number is None:
        return None
    return request.started if number == 0 else _sent_at(request, number - 1)


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


# --- checks several files share --------------------------------------------------------------------------------------

def _asks_for_stream(ev: Evidence) -> None:
    for request in ev.chats() or [ev.one(CHAT, "a chat request")]:
        body = ev.body_of(request)
        if body.get("stream") is not True:
            sent = "no stream field" if "stream" not in body else f"stream={body['stream']!r}"
            raise CheckFailed(f"expected \"stream\": true in the request body; your script sent {sent}:\n"
                              f"{ev.sent(request)}\nWith requests put \"stream\": True in the JSON payload; with the "
                              "SDK pass stream=True to create().")


def _prints_progressively(ev: Evidence) -> None:
    """The first answer piece reached the grader before the endpoint had logged the last one: a script that reads
    on past the last piece (to the final chunk and [DONE]) without printing cannot show it sooner."""
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


def _hides_reasoning(ev: Evidence) -> None:
    for request in _streams(ev):
        reasoning = _reasoning(request)
        if reasoning and _bare(reasoning)[:40] in _bare(ev.output):
            raise CheckFailed(f"expected only the answer (the content deltas) in your output; it also holds the "
                              f"model's reasoning, which began {quote(reasoning, 60)!r}. Reasoning arrives in "
                              "delta.reasoning; print delta.content only.")


def _finishes(ev: Evidence, culprit: str, advice: str) -> None:
    """The run exits cleanly; when it crashed with `culprit` in its traceback, `advice` says why."""
    _streams(ev)
    if ev.run.exit_code == 0:
        return
    hint = advice if culprit in ev.run.stderr else "Read the traceback, fix the line it names, and run it again."
    raise CheckFailed(f"your script stopped with an error: {_stderr_tail(ev)}. {hint}")


def _broken(ev: Evidence) -> list[LoggedRequest]:
    """The requests for the lighthouse story, whose recorded streams break; a failure when there are none."""
    chats = ev.chats() or [ev.one(CHAT, "a chat request")]
    hit = [r for r in chats if r.interaction == BROKEN]
    if not hit:
        said = quote(last_user(chats[0]), 80) or "no user message"
        raise CheckFailed(f"expected the streamed request for the recorded story about a lighthouse keeper, whose "
                          f"stream breaks; your script asked {said!r}"
                          f"{'' if chats[0].json_field('stream') is True else ' without stream: true'}. Ask for a "
                          "short story about a lighthouse keeper, with \"stream\": true.")
    return hit


# --- work/stream_raw.py --------------------------------------------------------------------------------------------

def test_stream_raw_uses_requests(stream_raw: Evidence) -> None:
    """sends its request with the requests library"""
    sent_with_requests(stream_raw)


def test_stream_raw_posts_chat(stream_raw: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(stream_raw)


def test_stream_raw_sends_key(stream_raw: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(stream_raw)


def test_stream_raw_asks_for_stream(stream_raw: Evidence) -> None:
    """asks for a stream ("stream": true)"""
    _asks_for_stream(stream_raw)


def test_stream_raw_prints_reply(stream_raw: Evidence) -> None:
    """prints the reply the server sent"""
    prints_reply(stream_raw)


def test_stream_raw_progressive(stream_raw: Evidence) -> None:
    """prints each piece of the answer as it arrives"""
    _prints_progressively(stream_raw)


def test_stream_raw_hides_reasoning(stream_raw: Evidence) -> None:
    """prints the answer without the reasoning"""
    _hides_reasoning(stream_raw)


def test_stream_raw_stops_at_done(stream_raw: Evidence) -> None:
    """stops reading at data: [DONE] without an error"""
    _finishes(stream_raw, "JSONDecodeError",
              "The last event is data: [DONE], which is not JSON: leave the loop when you see it, before json.loads().")


# --- work/stream_sdk.py --------------------------------------------------------------------------------------------

def test_stream_sdk_uses_sdk(stream_sdk: Evidence) -> None:
    """sends its request through the openai SDK"""
    sent_with_sdk(stream_sdk)


def test_stream_sdk_asks_for_stream(stream_sdk: Evidence) -> None:
    """asks for a stream ("stream": true)"""
    _asks_for_stream(stream_sdk)


def test_stream_sdk_prints_reply(stream_sdk: Evidence) -> None:
    """prints the reply the server sent"""
    prints_reply(stream_sdk, stream_sdk.chats())


def test_stream_sdk_progressive(stream_sdk: Evidence) -> None:
    """prints each piece of the answer as it arrives"""
    _prints_progressively(stream_sdk)


def test_stream_sdk_hides_reasoning(stream_sdk: Evidence) -> None:
    """prints the answer without the reasoning"""
    _hides_reasoning(stream_sdk)


def test_stream_sdk_keeps_reply(stream_sdk: Evidence) -> None:
    """sends the streamed reply back as the assistant turn of a second request"""
    streamed = _streams(stream_sdk)
    first, first_messages = streamed[0], streamed[0].messages()
    reply = first.replies()[0] if first.replies() else ""
    later = [r for r in stream_sdk.chats() if r is not first]
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


# --- work/stream_usage.py ------------------------------------------------------------------------------------------

def test_stream_usage_asks_for_stream(stream_usage: Evidence) -> None:
    """asks for a stream ("stream": true)"""
    _asks_for_stream(stream_usage)


def test_stream_usage_asks_for_usage(stream_usage: Evidence) -> None:
    """asks for usage in the stream (stream_options include_usage)"""
    request = stream_usage.one(CHAT, "a chat request")
    options = stream_usage.body_of(request).get("stream_options")
    if not (isinstance(options, dict) and options.get("include_usage") is True):
        raise CheckFailed(f"expected \"stream_options\": {{\"include_usage\": true}} in the request body; your script "
                          f"sent stream_options={options!r}.")


def test_stream_usage_prints_reply(stream_usage: Evidence) -> None:
    """prints the reply the server sent"""
    prints_reply(stream_usage)


def test_stream_usage_survives_usage_chunk(stream_usage: Evidence) -> None:
    """copes with the usage chunk, whose choices list is empty"""
    _finishes(stream_usage, "IndexError",
              "The usage chunk has choices == []: check `if chunk.choices:` before reading chunk.choices[0].")


def test_stream_usage_prints_usage(stream_usage: Evidence) -> None:
    """prints the token counts from the usage chunk"""
    usage = _streams(stream_usage)[0].usage()
    if usage is None:
        raise CheckFailed("the server sent no usage chunk, because the request did not ask for one.")
    wanted = [f"{name}={usage[name]}" for name in ("prompt_tokens", "completion_tokens", "total_tokens")]
    missing = [pair for pair in wanted if int(pair.split("=")[1]) not in printed_integers(stream_usage)]
    if missing:
        raise CheckFailed(f"expected the counts the usage chunk carried ({', '.join(wanted)}) in your output; "
                          f"missing: {', '.join(missing)}. Your script printed:\n"
                          f"{quote_output(stream_usage.output)}\nPrint chunk.usage from the last chunk instead of "
                          "counting.")


# --- work/ttft.py --------------------------------------------------------------------------------------------------

_TIME = re.compile(r"(?<![\w.])(\d+)(?:\.(\d+))?(?:\s*(ms|milliseconds|s|secs?|seconds)\b)?(?!\w)")


def _two_times(ev: Evidence) -> tuple[tuple[float, float], tuple[float, float]]:
    """The last two numbers printed, in seconds (ms divided by 1000), each with how far rounding may have moved it:
    the first token, then the total."""
    found = []
    for whole, decimals, unit in _TIME.findall(ev.output):
        scale = 1000 if unit in ("ms", "milliseconds") else 1
        found.append((float(f"{whole}.{decimals or 0}") / scale, 0.5 * 10 ** -len(decimals) / scale + 1e-6))
    if len(found) < 2:
        raise CheckFailed(f"expected two times printed last: the wait for the first token, then the total, in seconds; "
                          f"your script printed:\n{quote_output(ev.output)}")
    return found[-2], found[-1]


def test_ttft_asks_for_stream(ttft: Evidence) -> None:
    """asks for a stream ("stream": true)"""
    _asks_for_stream(ttft)


def test_ttft_prints_two_times(ttft: Evidence) -> None:
    """prints the time to the first token, then the total time"""
    _two_times(ttft)


def test_ttft_first_below_total(ttft: Evidence) -> None:
    """its first-token time is below its total time"""
    (first, _), (total, _) = _two_times(ttft)
    if first > total:  # equal is fine: rounding can print the same value for a correct script
        raise CheckFailed(f"expected the first-token time to be smaller than the total; your script printed "
                          f"{first:g} s and then {total:g} s. Take the total time after the loop has read the whole "
                          "stream, not right after create() returns.")


def test_ttft_times_first_token(ttft: Evidence) -> None:
    """times the wait until the first piece of the answer"""
    (first, rounding), _ = _two_times(ttft)
    request = _streams(ttft)[0]
    number = _first(request, "content")
    arrived, before = _sent_at(request, number), _sent_before(request, number)
    if arrived is None or before is None:
        raise CheckFailed("the server streamed no answer text, so there was no first token to time.")
    least = arrived - request.started
    if first < before - request.started - rounding:
        role = (request.event_times[0] - request.started) if request.event_times else 0.0
        raise CheckFailed(f"the first piece of the answer left the server {least:.2f} s after your request arrived, "
                          f"so your script cannot have seen it sooner; it printed {first:.2f} s. The first chunks "
                          f"(the role chunk at {role:.2f} s, then the reasoning) carry no answer text: stop the clock "
                          "at the first chunk whose delta.content is not empty, and start it just before create() "
                          "sends the request, not after it returns.")


def test_ttft_times_whole_stream(ttft: Evidence) -> None:
    """times the whole stream, up to its last piece"""
    _, (total, rounding) = _two_times(ttft)
    request = _streams(ttft)[0]
    number = _last(request, "content")
    ended, before = _sent_at(request, number), _sent_before(request, number)
    if ended is None or before is None:
        raise CheckFailed("the stream ended before its last piece of answer was sent, so there was no end to time.")
    least = ended - request.started
    if total < before - request.started - rounding:
        raise CheckFailed(f"the last piece of the answer left the server {least:.2f} s after your request arrived; "
                          f"your script printed a total of {total:.2f} s. Read the total after the loop over the "
                          "stream has finished.")


# --- work/stream_error.py (challenge 1) ----------------------------------------------------------------------------

def test_stream_error_uses_requests(stream_error: Evidence) -> None:
    """sends its request with the requests library"""
    sent_with_requests(stream_error)


def test_stream_error_asks_broken_story(stream_error: Evidence) -> None:
    """asks for the lighthouse story, whose recorded stream breaks"""
    _broken(stream_error)


def test_stream_error_shows_error(stream_error: Evidence) -> None:
    """shows the error message the server sent mid-stream"""
    error = _error_event(_broken(stream_error)[0])
    if error is None:
        raise CheckFailed("your first request for the lighthouse story got a stream without an error event; make "
                          "that request once, at the start of the script.")
    message = str(error.get("message", ""))
    if squash(message) not in squash(stream_error.output + "\n" + stream_error.run.stderr):
        raise CheckFailed(f"the server sent an error event, data: {{\"error\": {{\"message\": {quote(message, 90)!r}, "
                          f"...}}}}, but your script did not show that message. It printed:\n"
                          f"{quote_output(stream_error.output)}\nand stopped with: {_stderr_tail(stream_error)}. Check "
                          "every event for an \"error\" key before you look for choices, and raise (or print) "
                          "error[\"message\"].")


def test_stream_error_fails(stream_error: Evidence) -> None:
    """stops with an error status instead of passing half an answer off as complete"""
    _broken(stream_error)
    if stream_error.run.exit_code == 0:
        raise CheckFailed("the stream broke with an error event, but your script exited with code 0, as if the half "
                          "answer it printed were complete. Raise an exception (or sys.exit with a message) when an "
                          "event carries an error.")


# --- work/stream_retry.py (challenge 2) ----------------------------------------------------------------------------

def test_stream_retry_asks_broken_story(stream_retry: Evidence) -> None:
    """asks for the lighthouse story, whose recorded stream breaks"""
    _broken(stream_retry)


def test_stream_retry_until_complete(stream_retry: Evidence) -> None:
    """tries again after each broken stream, until one completes"""
    attempts = _broken(stream_retry)
    if not any(_complete(r) for r in attempts):
        what = ["an error event" if _error_event(r) else "a dropped connection" for r in attempts]
        ended = "exit code 0" if stream_retry.run.exit_code == 0 else _stderr_tail(stream_retry)
        raise CheckFailed(f"your script made {len(attempts)} attempt(s), which ended with {', then '.join(what)}, and "
                          f"then stopped ({ended}). "
                          "The recorded endpoint breaks the first stream with an error event and the second by "
                          "dropping the connection; the third completes. Catch both (openai.APIError covers them; with "
                          "requests, an error event and requests.exceptions.ChunkedEncodingError) and try again.")


def test_stream_retry_stops_after_success(stream_retry: Evidence) -> None:
    """stops trying once a stream completes"""
    attempts = _broken(stream_retry)
    done = next((n for n, r in enumerate(attempts) if _complete(r)), None)
    if done is not None and len(attempts) > done + 1:
        raise CheckFailed(f"stream {done + 1} completed, yet your script sent {len(attempts) - done - 1} more "
                          "request(s). Leave the loop (break) once a stream has run to its end.")


def test_stream_retry_same_messages(stream_retry: Evidence) -> None:
    """sends the same messages on every attempt"""
    attempts = _broken(stream_retry)
    for number, request in enumerate(attempts[1:], start=2):
        if request.messages() != attempts[0].messages():
            last = quote(str(request.messages()[-1].get("content")), 80) if request.messages() else ""
            raise CheckFailed(f"expected attempt {number} to resend the first attempt's messages unchanged; it sent "
                              f"roles {request.roles()} instead of {attempts[0].roles()}, ending with {last!r}. Throw "
                              "the broken attempt's text away: it is not part of the conversation.")


def test_stream_retry_prints_reply(stream_retry: Evidence) -> None:
    """prints the reply the server sent"""
    prints_reply(stream_retry)


def test_stream_retry_exits_cleanly(stream_retry: Evidence) -> None:
    """exits without an error once the answer is complete"""
    if stream_retry.run.exit_code != 0:
        raise CheckFailed(f"your script stopped with an error: {_stderr_tail(stream_retry)}. Catch the failure of a "
                          "broken stream and try again instead of letting it end the script.")


# --- work/thinking.py (challenge 3) --------------------------------------------------------------------------------

def test_thinking_asks_for_stream(thinking: Evidence) -> None:
    """asks for a stream ("stream": true)"""
    _asks_for_stream(thinking)


def test_thinking_shows_thinking(thinking: Evidence) -> None:
    """shows a sign of life while the model is still reasoning"""
    request = _streams(thinking)[0]
    began = request.event_times[0] if request.event_times else None
    answered = _sent_at(request, _first(request, "content"))
    if began is None or answered is None:
        raise CheckFailed("the server streamed no answer, so there was no reasoning phase to show.")
    # Output that reached the grader after the stream began counts if it came before the server sent the answer,
    # or, whenever the grader read it, if it came in a read that still held none of the answer.
    reply = request.replies()[0] if request.replies() else ""
    at = thinking.output.find(reply) if reply else -1
    answer_at = len(thinking.output[:at].encode()) if at >= 0 else -1
    if not any(began <= moment and (moment < answered or total <= answer_at)
               for moment, total in thinking.run.stdout_arrivals):
        raise CheckFailed(f"the model reasoned for {answered - began:.2f} s before the first piece of the answer, "
                          "and none of your output appeared in that time, so a user would stare at a still screen. "
                          "Print something (a dot per reasoning delta, or one 'thinking...') with flush=True as the "
                          "reasoning deltas arrive.")


def test_thinking_hides_reasoning(thinking: Evidence) -> None:
    """prints the answer without the reasoning"""
    _hides_reasoning(thinking)


def test_thinking_prints_reply(thinking: Evidence) -> None:
    """prints the reply the server sent"""
    prints_reply(thinking)
