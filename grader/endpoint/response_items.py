"""What `POST /v1/responses` makes of gpt-oss's tokens in vLLM 0.33.0: output items, usage and stream events.

Segments follow `HarmonyParser.process_chunk` and `flush` (`vllm/parser/harmony.py`) as `HarmonyContext.append_output`
(`responses/context.py`) collects them; items follow `harmony_to_response_output` (`responses/harmony.py`); events
follow `_process_harmony_streaming_events` (`responses/serving.py`) and `responses/streaming_events.py`. Dicts keep
the field order of the openai SDK models vLLM dumps (the course's pinned SDK).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import openai_harmony as hm

from .generation import _is_reasoning
from .harmony import decode, encoding
from .wire import JSON, random_id


@dataclass(frozen=True)
class Segment:
    """One token's reading (or a flush's): its channel, recipient, text delta and the message it completed."""

    channel: str | None
    recipient: str | None
    delta: str
    completed: hm.Message | None = None


@dataclass(frozen=True)
class Reading:
    segments: list[Segment]
    reasoning_tokens: int
    flushed: bool  # `last_append_flush_status`: the flush completed a message, so the last item is incomplete

    @property
    def messages(self) -> list[hm.Message]:
        return [s.completed for s in self.segments if s.completed is not None]


def read(tokens: list[int]) -> Reading:
    """`process_chunk` over the generated tokens, then `flush` (the request finished)."""
    parser = hm.StreamableParser(encoding(), hm.Role.ASSISTANT)
    segments: list[Segment] = []
    polled = reasoning = 0
    pending: list[int] = []  # `_current_message_tokens`
    for token in tokens:
        try:
            parser.process(token)
        except hm.HarmonyError:
            continue
        channel, recipient = parser.current_channel, parser.current_recipient
        completed = None
        if len(parser.messages) > polled:
            completed, polled, pending = parser.messages[polled], polled + 1, []
        else:
            pending.append(token)
        reasoning += _is_reasoning(channel, recipient, token)
        segments.append(Segment(channel, recipient, parser.last_content_delta or "", completed))
    flushed: list[Segment] = []
    try:
        parser.process_eos()
        if len(parser.messages) > polled:
            message = parser.messages[polled]
            flushed.append(Segment(message.channel, message.recipient, "", message))
    except hm.HarmonyError:  # a reply cut inside a header: its raw text becomes a final message
        text = decode(pending)
        message = hm.Message.from_role_and_content(hm.Role.ASSISTANT, text).with_channel("final")
        flushed += [Segment("final", None, text), Segment("final", None, "", message)]
    return Reading(segments + flushed, reasoning, bool(flushed))


def _text(message: hm.Message) -> str:
    return message.content[0].text if message.content else ""


def output_text(text: str, logprobs: list[Any] | None) -> JSON:
    return {"annotations": [], "text": text, "type": "output_text", "logprobs": logprobs}


def message_item(item_id: str, content: list[JSON], status: str) -> JSON:
    return {"id": item_id, "content": content, "role": "assistant", "status": status, "type": "message", "phase": None}


def reasoning_item(item_id: str, content: list[JSON] | None, status: str | None) -> JSON:
    return {"id": item_id, "summary": [], "type": "reasoning", "content": content, "encrypted_content": None,
            "status": status}


def function_call_item(item_id: str, call_id: str, name: str, arguments: str, status: str) -> JSON:
    return {"arguments": arguments, "call_id": call_id, "name": name, "type": "function_call", "id": item_id,
            "async": None, "caller": None, "namespace": None, "status": status}


def function_name(recipient: str | None, names: frozenset[str]) -> str | None:
    """`is_function_recipient` and `extract_function_from_recipient`; other recipients (built-in tools, MCP)
    are not served here."""
    if recipient is None:
        return None
    if recipient.startswith("functions.") and len(recipient) > len("functions."):
        return recipient.removeprefix("functions.")
    return recipient if recipient in names else None


def items(message: hm.Message, incomplete: bool, names: frozenset[str]) -> list[JSON]:
    """`harmony_to_response_output`: reasoning, a message, or function calls (`_parse_function_call`)."""
    if message.author.role != hm.Role.ASSISTANT:
        return []
    if message.recipient is not None:
        name = function_name(message.recipient, names)
        status = "incomplete" if incomplete else "completed"
        return [] if name is None else [function_call_item(f"fc_{rid}", f"call_{rid}", name, c.text, status)
                                         for c in message.content for rid in [random_id()]]
    if message.channel == "analysis":  # `_parse_reasoning`
        return [reasoning_item(f"rs_{random_id()}", [{"text": c.text, "type": "reasoning_text"}], None)
                for c in message.content]
    if message.channel in ("commentary", "final"):  # `_parse_final_message`: a preamble is shown like a final answer
        return [message_item(f"msg_{random_id()}", [output_text(c.text, None) for c in message.content],
                             "incomplete" if incomplete else "completed")]
    return []


def output(reading: Reading, names: frozenset[str], streamed: dict[int, list[JSON]] | None = None) -> list[JSON]:
    """`responses_full_generator`: every generated message's items, the last incomplete when the flush made it;
    items streamed for a message keep their ids (`reuse_streamed_item_ids`)."""
    messages = reading.messages
    out: list[JSON] = []
    for number, message in enumerate(messages):
        made = items(message, number == len(messages) - 1 and reading.flushed, names)
        remaining = list((streamed or {}).get(number, []))
        for item in made:
            match = next((s for s in remaining if s["type"] == item["type"]), None)
            if match is not None:
                item["id"] = match["id"]
                if item["type"] == "function_call":
                    item["call_id"] = match["call_id"]
                remaining.remove(match)
        out.extend(made)
    return out


def usage(prompt_tokens: int, output_tokens: int, reasoning_tokens: int) -> JSON:
    """`ResponseUsage` as `responses_full_generator` fills it for one turn; no prefix-cache hits are assumed."""
    return {
        "input_tokens": prompt_tokens,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0,
                                 "input_tokens_per_turn": [prompt_tokens], "cached_tokens_per_turn": [0]},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning_tokens, "tool_output_tokens": 0,
                                  "output_tokens_per_turn": [output_tokens], "tool_output_tokens_per_turn": [0]},
        "total_tokens": prompt_tokens + output_tokens,
    }


SEQ = {"sequence_number": -1}  # an event's place for its number, set as it is sent (as vLLM does)


@dataclass
class StreamingState:
    """`StreamingState` of streaming_events.py, plus the done items per message for the final response."""

    names: frozenset[str] = frozenset()  # the request's function tools (`extract_function_tool_names`)
    output_index: int = 0
    content_index: int = -1
    item_id: str = ""
    call_id: str = ""
    added: bool = False
    first_call_delta: bool = False
    done_items: dict[int, list[JSON]] = field(default_factory=dict)
    messages_done: int = 0

    def next_item(self) -> None:
        """`reset_for_new_item`."""
        self.output_index += 1
        self.content_index = -1
        self.added = False
        self.first_call_delta = False
        self.call_id = ""


def _text_delta(delta: str, state: StreamingState) -> Iterator[JSON]:
    """`emit_text_delta_events`."""
    if not state.added:
        state.added, state.item_id = True, f"msg_{random_id()}"
        yield {"item": message_item(state.item_id, [], "in_progress"), "output_index": state.output_index,
               **SEQ, "type": "response.output_item.added"}
        state.content_index += 1
        yield {"content_index": state.content_index, "item_id": state.item_id, "output_index": state.output_index,
               "part": output_text("", []), **SEQ, "type": "response.content_part.added"}
    yield {"content_index": state.content_index, "delta": delta, "item_id": state.item_id,
           "logprobs": [], "output_index": state.output_index, **SEQ, "type": "response.output_text.delta"}


def _reasoning_delta(delta: str, state: StreamingState) -> Iterator[JSON]:
    """`emit_reasoning_delta_events`."""
    if not state.added:
        state.added, state.item_id = True, f"rs_{random_id()}"
        yield {"item": reasoning_item(state.item_id, None, "in_progress"), "output_index": state.output_index,
               **SEQ, "type": "response.output_item.added"}
        state.content_index += 1
        yield {"content_index": state.content_index, "item_id": state.item_id, "output_index": state.output_index,
               "part": {"text": "", "type": "reasoning_text"}, **SEQ, "type": "response.content_part.added"}
    yield {"content_index": state.content_index, "delta": delta, "item_id": state.item_id,
           "output_index": state.output_index, **SEQ, "type": "response.reasoning_text.delta"}


def _call_delta(delta: str, name: str, state: StreamingState) -> Iterator[JSON]:
    """`emit_function_call_delta_events`: the item added on the first delta, then every delta."""
    if not state.first_call_delta:
        state.first_call_delta, state.item_id, state.call_id = True, f"fc_{random_id()}", f"call_{random_id()}"
        yield {"item": function_call_item(state.item_id, state.call_id, name, "", "in_progress"),
               "output_index": state.output_index, **SEQ, "type": "response.output_item.added"}
    yield {"delta": delta, "item_id": state.item_id, "output_index": state.output_index, **SEQ,
           "type": "response.function_call_arguments.delta"}


def _done(message: hm.Message, state: StreamingState) -> list[JSON]:
    """`emit_previous_item_done_events`: nothing for an item that never sent a delta."""
    if not state.added and not state.first_call_delta:
        return []
    text = _text(message)
    if message.recipient is not None:  # `emit_function_call_done_events`; its extra fields are dumped last
        name = function_name(message.recipient, state.names)
        if name is None:
            return []
        item = {**function_call_item(state.item_id, state.call_id, name, text, "completed"),
                "output_index": state.output_index, **SEQ}
        return [{"arguments": text, "item_id": state.item_id, "output_index": state.output_index, **SEQ,
                 "type": "response.function_call_arguments.done", "name": name},
                {"item": item, "output_index": state.output_index, **SEQ, "type": "response.output_item.done"}]
    where = {"content_index": state.content_index, "item_id": state.item_id, "output_index": state.output_index}
    if message.channel == "analysis":  # `emit_reasoning_done_events`
        part = {"text": text, "type": "reasoning_text"}
        item = reasoning_item(state.item_id, [part], "completed")
        return [{**where, **SEQ, "text": text, "type": "response.reasoning_text.done"},
                {**where, "part": part, **SEQ, "type": "response.content_part.done"},
                {"item": item, "output_index": state.output_index, **SEQ, "type": "response.output_item.done"}]
    if message.channel in ("commentary", "final"):  # `emit_text_output_done_events`
        part = output_text(text, None)
        item = message_item(state.item_id, [part], "completed")
        return [{"content_index": state.content_index, "item_id": state.item_id, "logprobs": [],
                 "output_index": state.output_index, **SEQ, "text": text, "type": "response.output_text.done"},
                {**where, "part": part, **SEQ, "type": "response.content_part.done"},
                {"item": item, "output_index": state.output_index, **SEQ, "type": "response.output_item.done"}]
    return []


def stream_events(reading: Reading, state: StreamingState) -> Iterator[JSON]:
    """The events between `response.in_progress` and the terminal event; their sequence numbers are set as sent."""
    for segment in reading.segments:
        if segment.delta:  # `emit_content_delta_events`
            if segment.recipient is None and segment.channel in ("final", "commentary"):
                yield from _text_delta(segment.delta, state)
            elif segment.recipient is None and segment.channel == "analysis":
                yield from _reasoning_delta(segment.delta, state)
            elif (name := function_name(segment.recipient, state.names)) is not None:
                yield from _call_delta(segment.delta, name, state)
        elif segment.completed is not None:
            done = _done(segment.completed, state)
            state.done_items[state.messages_done] = [e["item"] for e in done if e["type"] == "response.output_item.done"]
            state.messages_done += 1
            yield from done
            state.next_item()
