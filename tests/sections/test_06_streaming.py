"""Section 06 · Streaming: server-sent events by hand, then with the SDK; usage, timing and broken streams.

Each test is one check a learner sees; its docstring is the sentence in their report. A test names the learner
file it grades by its fixture: `stream_raw` is one run of work/stream_raw.py.

Timing: the endpoint logs each event just after writing it (`event_times`) and the runner logs when output reached
the grader (`stdout_arrivals`), on one clock. Checks conclude only what the order of those moments proves: a script
cannot have seen an event before the endpoint logged the one before it. Two checks bound a script's speed:
"prints each piece of the answer as it arrives" (the first piece must show before the last one is logged, which at
pace 0.2 leaves the whole answer phase, about 300 ms, for a reaction that takes a few ms), and "stops the first-token
clock while the answer is still streaming", whose file runs at pace 2 so that a script held up for under about
0.75 s at its first piece still passes.
"""

from __future__ import annotations

import re
from typing import Any

from grader.checks import CheckFailed, Evidence, quote, quote_exact, quote_output
from grader.checks.common import (
    CHAT,
    RAW_EVENT,
    labelled_numbers,
    last_user,
    posts_chat,
    prints_usage,
    replies_printed_once,
    sends_key,
    sends_model_from_env,
    sent_with_requests,
    sent_with_sdk,
    squash,
)
from grader.checks.streams import delta as _delta
from grader.checks.streams import events as _events
from grader.checks.streams import first as _first
from grader.checks.streams import last as _last
from grader.checks.streams import prints_as_it_arrives
from grader.checks.streams import sent_at as _sent_at
from grader.checks.streams import sent_before as _sent_before
from grader.endpoint.session import LoggedRequest
from grader.suite import Section

SECTION = Section("06", pace=0.2, workers=8)  # runs mostly wait on paced streams
BROKEN = "lighthouse-breaks"  # the recorded interaction whose streams break (recordings/06-streaming.json)

stream_raw = SECTION.file("stream_raw.py", reference="examples/06/stream_raw.py",
                          summary="a stream read by hand with requests", see="Parse the events")
stream_sdk = SECTION.file("stream_sdk.py", reference="examples/06/stream_sdk.py",
                          summary="streaming with the SDK, kept in history", see="Keep the reply")
stream_usage = SECTION.file("stream_usage.py", reference="examples/06/stream_usage.py",
                            summary="usage at the end of a stream", see="Usage at the end of the stream")
# At twice the recorded pacing the answer streams for about a second, so a script that reads its first piece as it
# arrives is told from one that stops the clock at the end even when a busy machine holds it up for half a second.
ttft = SECTION.file("ttft.py", reference="examples/06/ttft.py", summary="time to first token and total time",
                    see="Time to first token", pace=2.0)
stream_error = SECTION.file("stream_error.py", reference="examples/06/stream_error.py",
                            summary="challenge 1: an error event mid-stream", see="Challenges", challenge=True)
stream_retry = SECTION.file("stream_retry.py", reference="examples/06/stream_retry.py",
                            summary="challenge 2: try a broken stream again", see="Challenges", challenge=True)
thinking = SECTION.file("thinking.py", reference="examples/06/thinking.py",
                        summary="challenge 3: a sign of life while the model reasons", see="Challenges", challenge=True)


# --- what the endpoint streamed, and when --------------------------------------------------------------------------

def _bare(text: str) -> str:
    return re.sub(r"\s+", "", text)


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
    prints_as_it_arrives(ev, _streams(ev)[0])


def _hides_reasoning(ev: Evidence) -> None:
    if RAW_EVENT.search(ev.output) or re.search(r"""["']reasoning(?:_content)?["']: ?["']""", ev.output):
        raise CheckFailed(f"expected only the answer in your output; your script printed the stream's events whole, "
                          f"and those carry the model's reasoning:\n{quote_output(ev.output)}\nParse each event "
                          "and print only its delta's content.")
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
    replies_printed_once(stream_raw)


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
    replies_printed_once(stream_sdk, stream_sdk.chats(), flag_cut=True)


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
                          f"messages, with the reply {quote_exact(reply, 100)} ({len(reply)} characters); your script "
                          f"sent {turn.get('role')!r} with {quote_exact(str(content), 100)} "
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
    replies_printed_once(stream_usage)


def test_stream_usage_survives_usage_chunk(stream_usage: Evidence) -> None:
    """copes with the usage chunk, whose choices list is empty"""
    _finishes(stream_usage, "IndexError",
              "The usage chunk has choices == []: check `if chunk.choices:` before reading chunk.choices[0].")


def test_stream_usage_prints_usage(stream_usage: Evidence) -> None:
    """prints the token counts from the usage chunk"""
    usage = _streams(stream_usage)[0].usage()
    if usage is None:
        raise CheckFailed("the server sent no usage chunk, because the request did not ask for one.")
    prints_usage(stream_usage, usage)


# --- work/ttft.py --------------------------------------------------------------------------------------------------

_FIRST_LABEL = re.compile(r"\b(first|ttft)\b", re.IGNORECASE)
_TOTAL_LABEL = re.compile(r"\b(total|whole|overall|end|full|complete|all|finish\w*|done|last)\b", re.IGNORECASE)
Time = tuple[float, float]  # seconds, and how far rounding may have moved the printed value


def _labelled_times(line: str) -> list[tuple[Time, str | None]]:
    """The times a line shows, in seconds (numbers in s or ms, or bare; never a percentage or a count), each with
    "first" or "total" when its own label names one of them."""
    scale = {"s": 1.0, "": 1.0, "ms": 0.001}
    found = []
    for n in labelled_numbers(line):
        if n.unit in scale and not n.words & {"chunks", "chunk", "pieces", "events", "characters", "chars"}:
            label = " ".join(sorted(n.words))
            first, total = _FIRST_LABEL.search(label), _TOTAL_LABEL.search(label)
            kind = "first" if first and not total else "total" if total and not first else None
            found.append(((n.value * scale[n.unit], n.step * scale[n.unit] / 2 + 1e-6), kind))
    return found


def _times(line: str) -> list[Time]:
    """The times a line shows, in seconds."""
    return [time for time, _ in _labelled_times(line)]


def _two_times(ev: Evidence) -> tuple[Time, Time]:
    """The first-token time and the total, in seconds (ms divided by 1000), read by their labels in either order
    (the latest "first" time, as a reasoning model's answer starts after its reasoning); unlabelled, the last two
    numbers printed, first token then total."""
    labelled: dict[str, list[Time]] = {"first": [], "total": []}
    for line in ev.output.splitlines():
        found, first, total = _times(line), _FIRST_LABEL.search(line), _TOTAL_LABEL.search(line)
        own = _labelled_times(line)
        if len(own) >= 2 and all(kind for _, kind in own):  # "first 0.4 s | first answer 1.1 s | total 2 s"
            for time, kind in own:
                labelled[str(kind)].append(time)
        elif first and total and len(found) >= 2:  # "first token 0.41 s, total 1.20 s" on one line
            labelled["first"].append(found[0] if first.start() < total.start() else found[-1])
            labelled["total"].append(found[-1] if first.start() < total.start() else found[0])
        elif found and first:
            labelled["first"].append(found[-1])
        elif found and total:
            labelled["total"].append(found[-1])
    if labelled["first"] and labelled["total"]:
        return max(labelled["first"]), labelled["total"][-1]
    found = _times(ev.output)
    if len(found) < 2:
        raise CheckFailed(f"expected two times: the wait for the first token and the total, in seconds; "
                          f"your script printed:\n{quote_output(ev.output)}")
    return found[-2], found[-1]


def test_ttft_asks_for_stream(ttft: Evidence) -> None:
    """asks for a stream ("stream": true)"""
    _asks_for_stream(ttft)


def test_ttft_prints_two_times(ttft: Evidence) -> None:
    """prints the time to the first token and the total time"""
    _two_times(ttft)


def test_ttft_first_below_total(ttft: Evidence) -> None:
    """its first-token time is below its total time"""
    (first, _), (total, _) = _two_times(ttft)
    if first > total:  # equal is fine: rounding can print the same value for a correct script
        raise CheckFailed(f"expected the first-token time to be smaller than the total; your script printed "
                          f"{first:g} s and then {total:g} s. Take the total time after the loop has read the whole "
                          "stream, not right after create() returns.")


def test_ttft_first_token_mid_stream(ttft: Evidence) -> None:
    """stops the first-token clock while the answer is still streaming"""
    (first, first_rounding), (total, total_rounding) = _two_times(ttft)
    request = _streams(ttft)[0]
    began = _sent_at(request, _first(request, "content"))
    ended = _sent_before(request, _last(request, "content"))
    if began is None or ended is None or ended <= began:
        return  # a one-piece answer: nothing streams after the first token (other checks say what is missing)
    # A script that reads the first token when it arrives sees the rest of the answer stream in after it: its total
    # exceeds its first-token time by about the answer phase. A quarter of it leaves room for a busy machine.
    if total - first < (ended - began) / 4 - first_rounding - total_rounding:
        raise CheckFailed(f"the answer streamed in over {ended - began:.2f} s after its first piece, yet your script's "
                          f"first-token time ({first:g} s) is almost its total ({total:g} s): it stopped the clock "
                          "after the stream had ended. Take the time inside the loop, at the first chunk whose "
                          "delta.content is not empty.")


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
    replies_printed_once(stream_retry)


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
    replies_printed_once(thinking)


# --- every file: the model id comes from MODEL --------------------------------------------------------------------

stream_raw_other_model = SECTION.other_model("stream_raw.py")
stream_sdk_other_model = SECTION.other_model("stream_sdk.py")
stream_usage_other_model = SECTION.other_model("stream_usage.py")
ttft_other_model = SECTION.other_model("ttft.py")
stream_error_other_model = SECTION.other_model("stream_error.py")
stream_retry_other_model = SECTION.other_model("stream_retry.py")
thinking_other_model = SECTION.other_model("thinking.py")


def test_stream_raw_model_from_env(stream_raw_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(stream_raw_other_model)


def test_stream_sdk_model_from_env(stream_sdk_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(stream_sdk_other_model)


def test_stream_usage_model_from_env(stream_usage_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(stream_usage_other_model)


def test_ttft_model_from_env(ttft_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(ttft_other_model)


def test_stream_error_model_from_env(stream_error_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(stream_error_other_model)


def test_stream_retry_model_from_env(stream_retry_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(stream_retry_other_model)


def test_thinking_model_from_env(thinking_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(thinking_other_model)


# --- variant runs: against a differently configured server, printed values must follow this run's response ----------

stream_raw_variant = SECTION.variant("stream_raw.py")
stream_sdk_variant = SECTION.variant("stream_sdk.py")
stream_usage_variant = SECTION.variant("stream_usage.py")
thinking_variant = SECTION.variant("thinking.py")


def test_stream_raw_prints_reply_variant(stream_raw_variant: Evidence) -> None:
    """prints the reply the server sent"""
    test_stream_raw_prints_reply(stream_raw_variant)


def test_stream_sdk_prints_reply_variant(stream_sdk_variant: Evidence) -> None:
    """prints the reply the server sent"""
    test_stream_sdk_prints_reply(stream_sdk_variant)


def test_stream_usage_prints_reply_variant(stream_usage_variant: Evidence) -> None:
    """prints the reply the server sent"""
    test_stream_usage_prints_reply(stream_usage_variant)


def test_stream_usage_prints_usage_variant(stream_usage_variant: Evidence) -> None:
    """prints the token counts from the usage chunk"""
    test_stream_usage_prints_usage(stream_usage_variant)


def test_thinking_prints_reply_variant(thinking_variant: Evidence) -> None:
    """prints the reply the server sent"""
    test_thinking_prints_reply(thinking_variant)
