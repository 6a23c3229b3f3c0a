"""The SSE events vLLM 0.33.0 sends for a generated reply, in its chunk order
(`chat_completion_stream_generator_raw`)."""

from __future__ import annotations

from collections.abc import Iterator

from . import wire
from .replies import Generated


def chunks(generated: Generated, completion_id: str, created: int, include_usage: bool) -> Iterator[wire.JSON]:
    """One engine step per token: a chunk for each step with something to show, and the last step's delta
    in the finish chunk (`{}` when that token showed nothing, as `<|return|>` and `<|call|>` do)."""
    choices = generated.choices
    for choice in choices:
        yield wire.role_chunk(completion_id, created, choice.index)
    steps = [generated.deltas(i) or [None] for i in range(len(choices))]  # no token at all: the finish chunk alone
    for step in range(max(len(d) for d in steps)):  # with n > 1 the choices advance together, a token each
        for choice, deltas in zip(choices, steps):
            if step == len(deltas) - 1:
                yield wire.final_chunk(completion_id, created, choice, deltas[step] or {},
                                       with_fingerprint=not include_usage)
            elif step < len(deltas) and deltas[step] is not None:
                yield wire.delta_chunk(completion_id, created, choice.index, deltas[step])
    if include_usage:
        yield wire.usage_chunk(completion_id, created, generated.usage)
