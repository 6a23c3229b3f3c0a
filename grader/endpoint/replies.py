"""Turns a recorded reply into what the model would have generated for this request.

Truncation at `max_tokens`, stop strings and token counts are computed from
the request, so one recording serves every budget a learner may send.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import config, generation
from .recordings import ChoiceSpec, Reply
from .wire import Choice, ToolCall, Usage

Delta = dict[str, Any]


@dataclass
class Generated:
    choices: list[Choice]
    usage: Usage
    parsed: list[generation.Parsed]  # per choice: how vLLM read its tokens back
    keep_calls: bool  # whether tool calls reach the client (keeps_tool_calls)
    first_call_only: bool  # parallel_tool_calls false: later calls' deltas are filtered out

    def deltas(self, index: int) -> list[Delta | None]:
        """Per generated token of one choice, the delta vLLM streams for that engine step (None: no chunk);
        `parse_delta` as `ChatStreamProcessor.step` passes it on, tool-call parts only when they are kept."""
        calls = self.choices[index].tool_calls
        out: list[Delta | None] = []
        for step in self.parsed[index].deltas:
            if step is None:
                out.append(None)
                continue
            content, reasoning, parts = step
            delta: Delta = {}
            if content:
                delta["content"] = content
            if reasoning:
                delta["reasoning"] = reasoning
            kept = [part for part in parts if part[0] == 0 or not self.first_call_only] if self.keep_calls else []
            if kept:
                delta["tool_calls"] = [
                    {"id": calls[i].id, "type": "function", "index": i, "function": {"name": name, "arguments": text}}
                    if name is not None else {"index": i, "function": {"arguments": text}}
                    for i, name, text in kept
                ]
            # a step whose only parts were a later call's, filtered out, still sends a chunk: its delta is {}
            filtered = self.keep_calls and bool(parts) and not kept
            out.append(delta if delta or filtered else None)
        return out


def max_new_tokens(body: dict[str, Any], prompt_tokens: int) -> int:
    """`get_max_tokens`: the budget is silently clamped to what the context window leaves."""
    room = config.MAX_MODEL_LEN - prompt_tokens
    asked = body.get("max_completion_tokens")
    asked = body.get("max_tokens") if asked is None else asked
    return room if asked is None else min(asked, room)


def _stop_strings(body: dict[str, Any]) -> tuple[str, ...]:
    stop = body.get("stop")
    if isinstance(stop, str):
        return (stop,)
    return tuple(s for s in stop if isinstance(s, str) and s) if isinstance(stop, list) else ()


def _tool_choice(body: dict[str, Any]) -> Any:
    """`check_tool_usage`: with tools and no tool_choice, "auto"; otherwise the field's default "none"."""
    return body["tool_choice"] if "tool_choice" in body else ("auto" if body.get("tools") else "none")


def _forces_tool_calls(body: dict[str, Any]) -> bool:
    choice = _tool_choice(body)
    return isinstance(choice, dict) or choice == "required"


def keeps_tool_calls(body: dict[str, Any]) -> bool:
    """`keeps_tool_calls` (message_assembly.py): "required" or a named tool, or "auto" with tools on a server run
    with --enable-auto-tool-choice --tool-call-parser openai. Otherwise a tool call is parsed and dropped."""
    if _forces_tool_calls(body):
        return True
    return config.ENABLE_AUTO_TOOL_CHOICE and _tool_choice(body) == "auto" and bool(body.get("tools"))


def asks_json(body: dict[str, Any]) -> bool:
    """A response_format of json_object or json_schema, which vLLM turns into a structural tag for gpt-oss."""
    response_format = body.get("response_format")
    return isinstance(response_format, dict) and response_format.get("type") in ("json_object", "json_schema")


def resolve_finish_reason(engine: str, body: dict[str, Any], tool_calls_made: bool) -> str:
    """`resolve_finish_reason`: "tool_calls" when calls were made and the model stopped by itself, unless one
    named tool was forced; "length" stays "length"."""
    if tool_calls_made and engine == "stop" and not isinstance(_tool_choice(body), dict):
        return "tool_calls"
    return engine


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


def _one(spec: ChoiceSpec, index: int, budget: int, stops: tuple[str, ...],
         body: dict[str, Any]) -> tuple[Choice, generation.Parsed]:
    calls = tuple(generation.GeneratedToolCall(c.name, generation.arguments_text(c.arguments)) for c in spec.tool_calls)
    tokens = generation.completion_tokens(spec.reasoning, spec.content, calls, asks_json(body))
    hit = generation.stop_point(tokens, stops)
    if hit is not None and hit[0] <= budget:  # a stop string wins over the budget on the same token
        tokens, engine_finish, stop_reason = tokens[:hit[0]], "stop", hit[1]
    elif len(tokens) > budget:
        tokens, engine_finish, stop_reason = tokens[:budget], "length", None
    else:
        engine_finish = "stop"
        stop_reason = generation.CALL_TOKEN_ID if tokens and tokens[-1] == generation.CALL_TOKEN_ID else None
    parsed = generation.parse(tokens)
    keep = keeps_tool_calls(body)
    tool_calls = [ToolCall(c.name, c.arguments) for c in parsed.tool_calls] if keep else []
    if body.get("parallel_tool_calls") is False:  # maybe_filter_parallel_tool_calls: the first call only
        tool_calls = tool_calls[:1]
    content = (parsed.content or "") if keep and _forces_tool_calls(body) else parsed.content
    choice = Choice(
        index=index,
        content=content,
        reasoning=parsed.reasoning,
        tool_calls=tool_calls,
        finish_reason=spec.finish_reason or resolve_finish_reason(engine_finish, body, bool(tool_calls)),
        stop_reason=spec.stop_reason if spec.stop_reason is not None else stop_reason,
        logprobs=_first_entries(spec.logprobs, len(tokens)),
        completion_tokens=len(tokens),
        reasoning_tokens=parsed.reasoning_tokens,
    )
    return choice, parsed


def _first_entries(logprobs: Any, count: int) -> Any:
    """A recorded logprobs block cut to the tokens actually generated (one entry per token)."""
    if logprobs is None or not isinstance(logprobs.get("content"), list):
        return logprobs
    return {**logprobs, "content": logprobs["content"][:count]}


def generate(reply: Reply, body: dict[str, Any], prompt_tokens: int) -> Generated:
    """`body` is the validated request (ChatRequest's dump), so its fields already have their types."""
    n = body.get("n") or 1
    specs = reply.choice_specs()
    budget = max_new_tokens(body, prompt_tokens)
    stops = _stop_strings(body)
    made = [_one(specs[i % len(specs)], i, budget, stops, body) for i in range(n)]
    choices = [choice for choice, _ in made]
    for choice in choices:
        choice.logprobs = _as_requested(choice.logprobs, body)
    usage = Usage(
        prompt_tokens=prompt_tokens,
        completion_tokens=sum(c.completion_tokens for c in choices),
        reasoning_tokens=sum(c.reasoning_tokens for c in choices),
    )
    return Generated(choices, usage, [parsed for _, parsed in made], keeps_tool_calls(body),
                     body.get("parallel_tool_calls") is False)
