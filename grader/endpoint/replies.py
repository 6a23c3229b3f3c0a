"""Turns a recorded reply into what the model would have generated for this request.

Truncation at `max_tokens`, stop strings and token counts are computed from
the request, so one recording serves every budget a learner may send.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import config, harmony
from .recordings import ChoiceSpec, Reply
from .wire import Choice, ToolCall, Usage


@dataclass
class Generated:
    choices: list[Choice]
    usage: Usage
    # per choice: the token-by-token events a stream replays
    events: list[tuple[harmony.TokenEvent, ...]]


def max_new_tokens(body: dict[str, Any], prompt_tokens: int) -> int:
    """vLLM 0.33 clamps the budget silently to what the context window leaves."""
    room = config.MAX_MODEL_LEN - prompt_tokens
    asked = body.get("max_completion_tokens") or body.get("max_tokens")
    return min(asked, room) if isinstance(asked, int) and asked > 0 else room


def _stop_strings(body: dict[str, Any]) -> list[str]:
    stop = body.get("stop")
    if isinstance(stop, str):
        return [stop]
    return [s for s in stop if isinstance(s, str) and s] if isinstance(stop, list) else []


def _apply_stop(content: str, stops: list[str]) -> tuple[str, str | None]:
    """Cut content at the earliest stop string, as vLLM does (the stop text is not returned)."""
    hits = [(content.find(s), s) for s in stops if s in content]
    if not hits:
        return content, None
    at, which = min(hits)
    return content[:at], which


def _as_requested(logprobs: Any, body: dict[str, Any]) -> Any:
    """A recorded logprobs block as this (validated) request gets it: vLLM sends one only when `logprobs`
    is true, with `top_logprobs` alternatives per token (0 unless asked); a recording holds the most anyone asks."""
    if logprobs is None or not body.get("logprobs"):
        return None
    keep = body.get("top_logprobs") or 0
    if keep == -1:  # vLLM's "the whole vocabulary": the recording's every alternative
        return logprobs
    content = logprobs.get("content")
    if not isinstance(content, list):
        return logprobs
    trimmed = [{**entry, "top_logprobs": list(entry.get("top_logprobs") or [])[:keep]}
               if isinstance(entry, dict) else entry for entry in content]
    return {**logprobs, "content": trimmed}


def _one(spec: ChoiceSpec, index: int, budget: int, stops: list[str]) -> tuple[Choice, tuple[harmony.TokenEvent, ...]]:
    content, stop_hit = (spec.content, None)
    if content is not None and stops and not spec.tool_calls:
        content, stop_hit = _apply_stop(content, stops)
    calls = tuple(harmony.GeneratedToolCall(c.name, harmony.arguments_text(c.arguments)) for c in spec.tool_calls)
    tokens, reasoning_tokens = harmony.completion_tokens(spec.reasoning, content, calls)
    events = harmony.parse_stream(tokens)

    if len(tokens) > budget:
        events = events[:budget]
        reasoning = "".join(e.delta for e in events if e.channel == "analysis") or None
        final = "".join(e.delta for e in events if e.channel == "final")
        return (
            Choice(
                index=index,
                content=final or None,
                reasoning=reasoning,
                tool_calls=[],
                finish_reason="length",
                stop_reason=None,
                logprobs=spec.logprobs,
                completion_tokens=budget,
                reasoning_tokens=min(reasoning_tokens, budget),
            ),
            events,
        )

    tool_calls = [ToolCall(c.name, c.arguments) for c in calls]
    if stop_hit is not None:
        finish, stop_reason = "stop", stop_hit
    elif tool_calls:
        finish, stop_reason = "tool_calls", config.CALL_TOKEN_ID
    else:
        finish, stop_reason = "stop", None
    return (
        Choice(
            index=index,
            content=content if not tool_calls else None,
            reasoning=spec.reasoning,
            tool_calls=tool_calls,
            finish_reason=spec.finish_reason or finish,
            stop_reason=spec.stop_reason if spec.stop_reason is not None else stop_reason,
            logprobs=spec.logprobs,
            completion_tokens=len(tokens),
            reasoning_tokens=reasoning_tokens,
        ),
        events,
    )


def generate(reply: Reply, body: dict[str, Any], prompt_tokens: int) -> Generated:
    """`body` is the validated request (ChatRequest's dump), so its fields already have their types."""
    n = body.get("n") or 1
    specs = reply.choice_specs()
    budget = max_new_tokens(body, prompt_tokens)
    stops = _stop_strings(body)
    made = [_one(specs[i % len(specs)], i, budget, stops) for i in range(n)]
    choices = [choice for choice, _ in made]
    for choice in choices:
        choice.logprobs = _as_requested(choice.logprobs, body)
    usage = Usage(
        prompt_tokens=prompt_tokens,
        completion_tokens=sum(c.completion_tokens for c in choices),
        reasoning_tokens=sum(c.reasoning_tokens for c in choices),
    )
    return Generated(choices, usage, [events for _, events in made])
