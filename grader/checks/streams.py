"""Timing a streamed answer against the script's output: what the endpoint streamed, when, and when it was printed.

The endpoint logs each event just after writing it (`event_times`) and the runner logs when output reached the
grader (`stdout_arrivals`), on one clock. A script cannot have seen an event before the endpoint logged the one
before it, so these checks conclude only what the order of those moments proves.
"""

from __future__ import annotations

import re

from typing import Any

from ..endpoint.session import LoggedRequest
from .model import CheckFailed, Evidence
from .quote import quote, quote_output


def events(request: LoggedRequest) -> list[Any]:
    """The SSE payloads the endpoint planned for a streamed request (JSON objects, "[DONE]")."""
    return request.response if isinstance(request.response, list) else []


def delta(event: Any) -> dict[str, Any]:
    if isinstance(event, dict) and event.get("choices"):
        found = event["choices"][0].get("delta")
        return found if isinstance(found, dict) else {}
    return {}


def first(request: LoggedRequest, field: str) -> int | None:
    """The index of the first event whose delta carries text in `field` ("content" or "reasoning")."""
    for number, event in enumerate(events(request)):
        if delta(event).get(field):
            return number
    return None


def last(request: LoggedRequest, field: str) -> int | None:
    """The index of the last event whose delta carries text in `field`."""
    found = [n for n, event in enumerate(events(request)) if delta(event).get(field)]
    return found[-1] if found else None


def sent_at(request: LoggedRequest, number: int | None) -> float | None:
    """When the endpoint had written event `number` (logged just after the write), or None if it never did."""
    if number is None or number >= len(request.event_times):
        return None
    return request.event_times[number]


def sent_before(request: LoggedRequest, number: int | None) -> float | None:
    """A moment before event `number` was written: the log of the event before it, or the request's arrival."""
    if number is None:
        return None
    return request.started if number == 0 else sent_at(request, number - 1)


def when_printed(ev: Evidence, byte_end: int) -> float | None:
    """When the first `byte_end` bytes of the output had reached the grader."""
    for moment, total in ev.run.stdout_arrivals:
        if total >= byte_end:
            return moment
    return None


def prints_as_it_arrives(ev: Evidence, request: LoggedRequest) -> None:
    """The first answer piece reached the grader before the endpoint had logged the last one: a script that reads
    on past the last piece (to the final chunk and [DONE]) without printing cannot show it sooner. The margin is
    the stream's own answer phase, so a section paces the streams it judges this way."""
    reply = request.replies()[0] if request.replies() else ""
    number = first(request, "content")
    if not reply or number is None:
        raise CheckFailed("the server streamed no answer text to print.")
    at = ev.output.find(reply)
    if at < 0:
        raise CheckFailed(f"expected the pieces of the answer printed one after another, so that they add up to the "
                          f"reply {quote(reply, 100)!r}; your script printed:\n{quote_output(ev.output)}\n"
                          "Print each piece with print(piece, end=\"\", flush=True).")
    piece = delta(events(request)[number])["content"]
    printed = when_printed(ev, len(ev.output[:at].encode()) + len(piece.encode()))
    last_sent = sent_at(request, last(request, "content"))
    if printed is None or last_sent is None:
        raise CheckFailed("the grader could not time your output against the stream; run the check again.")
    if printed >= last_sent:
        if re.search(r"flush\s*=\s*True|\.flush\(\)", ev.source):
            hint = ("Your script flushes, so the pieces reached it late: print each piece inside the loop over the "
                    "stream, and with requests pass stream=True to requests.post so that iter_lines() hands you each "
                    "line as it arrives.")
        elif len(ev.run.stdout_arrivals) == 1:
            hint = ("All of it appeared at once, when the script ended: Python holds printed text back when the "
                    "output is not a terminal, so pass flush=True to print().")
        else:
            hint = ("Print each piece inside the loop with flush=True, and with requests pass stream=True to "
                    "requests.post so that iter_lines() hands you each line as it arrives.")
        raise CheckFailed(f"expected the first piece of the answer, {piece!r}, to appear while the stream was still "
                          f"coming in; it appeared {(printed - last_sent) * 1000:.0f} ms after the server had sent "
                          f"the last one. {hint}")
