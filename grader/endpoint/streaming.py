"""The SSE events vLLM 0.33.0 sends for a generated reply, in its chunk order."""

from __future__ import annotations

from collections.abc import Iterator

from . import wire
from .harmony import TokenEvent
from .replies import Generated


def _deltas(events: tuple[TokenEvent, ...], calls: list[wire.ToolCall]) -> Iterator[wire.JSON]:
    """One delta per generated token that shows something; control tokens are skipped."""
    recipients: list[str] = []
    for event in events:
        if event.channel == "commentary" and event.recipient and event.recipient.startswith("functions."):
            if event.recipient not in recipients:
                recipients.append(event.recipient)
                position = len(recipients) - 1
                if position < len(calls):
                    yield wire.tool_call_start_delta(calls[position], position)
            if event.delta:
                yield wire.tool_call_arguments_delta(len(recipients) - 1, event.delta)
        elif event.delta and event.channel == "analysis":
            yield {"reasoning": event.delta}
        elif event.delta and event.channel in ("final", "commentary"):
            yield {"content": event.delta}


def chunks(generated: Generated, completion_id: str, created: int, include_usage: bool) -> Iterator[wire.JSON]:
    choices = generated.choices
    for choice in choices:
        yield wire.role_chunk(completion_id, created, choice.index)
    streams = [_deltas(events, choice.tool_calls) for events, choice in zip(generated.events, choices)]
    live = list(range(len(streams)))
    while live:  # with n > 1 the choices advance together, a token each
        for i in list(live):
            delta = next(streams[i], None)
            if delta is None:
                live.remove(i)
            else:
                yield wire.delta_chunk(completion_id, created, choices[i].index, delta)
    for choice in choices:
        yield wire.final_chunk(completion_id, created, choice, with_fingerprint=not include_usage)
    if include_usage:
        yield wire.usage_chunk(completion_id, created, generated.usage)
