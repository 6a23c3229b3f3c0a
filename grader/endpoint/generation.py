"""What gpt-oss generates for a recorded reply, and how vLLM 0.33.0 reads those tokens back.

vLLM parses the generated token ids, not the decoded text, with `HarmonyParser`
(`vllm/parser/harmony.py`); stop strings are matched on the decoded text
(`vllm/v1/engine/detokenizer.py`). Each function names the vLLM code it follows.
"""

from __future__ import annotations

import codecs
import functools
import json
from dataclasses import dataclass
from typing import Any

import openai_harmony as hm

from .harmony import _ranks, decode, encoding

RETURN_TOKEN_ID = 200002  # <|return|>: a natural end, stop_reason null
CALL_TOKEN_ID = 200012  # <|call|>: ends a tool call; vLLM's stop_reason then (an extra EOS id of gpt-oss)


@dataclass(frozen=True)
class GeneratedToolCall:
    name: str
    arguments: str


def arguments_text(arguments: str | dict[str, Any]) -> str:
    """Tool-call arguments as the model writes them (a JSON text)."""
    return arguments if isinstance(arguments, str) else json.dumps(arguments)


@functools.lru_cache(maxsize=1024)
def completion_tokens(reasoning: str | None, content: str | None,
                      tool_calls: tuple[GeneratedToolCall, ...], json_answer: bool = False) -> tuple[int, ...]:
    """The tokens gpt-oss generates after the prompt's closing `<|start|>assistant`.

    `<|channel|>analysis<|message|>…<|end|>`, then either
    `<|start|>assistant<|channel|>final<|message|>…<|return|>` or tool calls ending in `<|call|>`, after a
    preamble (`<|start|>assistant<|channel|>commentary<|message|>…<|end|>`) when the reply has content too. With
    `json_answer` (a request with a JSON response_format) the final header is `final <|constrain|>json`, one of the
    two the structural tag of `_adjust_output_format` (vllm/parser/harmony.py) admits before the answer; the other,
    `final json`, is two tokens shorter. The recorded endpoint writes the first.
    """
    enc = encoding()
    rendered: list[int] = []
    if reasoning is not None:
        rendered += enc.render(hm.Message.from_role_and_content(hm.Role.ASSISTANT, reasoning).with_channel("analysis"))
    if content is not None and tool_calls:  # a preamble: commentary without a recipient, read back as content
        rendered += enc.render(hm.Message.from_role_and_content(hm.Role.ASSISTANT, content).with_channel("commentary"))
    for call in tool_calls:
        rendered += enc.render(
            hm.Message.from_role_and_content(hm.Role.ASSISTANT, call.arguments)
            .with_channel("commentary")
            .with_recipient(f"functions.{call.name}")
            .with_content_type("<|constrain|>json")
        )
    if content is not None and not tool_calls:
        message = hm.Message.from_role_and_content(hm.Role.ASSISTANT, content).with_channel("final")
        final = enc.render(message.with_content_type("<|constrain|>json") if json_answer else message)
        rendered += final[:-1] + [RETURN_TOKEN_ID]
    return tuple(rendered[2:])  # the prompt already ends with <|start|>assistant


def _token_text(token: int) -> bytes:
    """A token's bytes as the detokenizer shows them with skip_special_tokens (special tokens: none)."""
    return _ranks().get(token, b"")


def visible_text(tokens: list[int]) -> str:
    """The text /v1/completions returns: the detokenizer with skip_special_tokens on (vLLM's default)."""
    return b"".join(_token_text(t) for t in tokens).decode("utf-8", "replace")


def stop_point(tokens: tuple[int, ...], stops: tuple[str, ...]) -> tuple[int, str] | None:
    """How many tokens are kept when a stop string fires, and which one fired.

    `BaseIncrementalDetokenizer.update` and `check_stop_strings`: after each token the text decoded with special
    tokens skipped (so the reasoning and the header words `analysis`, `assistant`, `final` included) is searched;
    the stop string that completes first wins, ties go to the earlier entry of `stop`, and the token that completed
    it is kept."""
    if not stops:
        return None
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    text = ""
    for kept, token in enumerate(tokens, start=1):
        before = len(text)
        text += decoder.decode(_token_text(token))
        if len(text) == before:
            continue
        hits = [(at + len(stop), order, stop) for order, stop in enumerate(stops)
                if (at := text.find(stop, max(0, before - len(stop) + 1))) != -1]
        if hits:
            return kept, min(hits)[2]
    return None


@dataclass(frozen=True)
class Parsed:
    """`HarmonyParser.parse` and `count_reasoning_tokens` on one choice's tokens, plus its stream deltas."""

    reasoning: str | None
    content: str | None
    tool_calls: tuple[GeneratedToolCall, ...]
    reasoning_tokens: int
    # per token, what `parse_delta` emits for that engine step: content, reasoning, and tool-call parts as
    # (call index, name or None after the call's first delta, argument text); None where it emits nothing
    deltas: tuple[tuple[str, str, tuple[tuple[int, str | None, str], ...]] | None, ...]


def _is_reasoning(channel: str | None, recipient: str | None, token: int) -> bool:
    """`HarmonyParser._is_reasoning_token`: a non-special token read in `analysis`, or in `commentary` to a tool."""
    reading = channel == "analysis" or (channel == "commentary" and recipient is not None)
    return reading and not encoding().is_special_token(token)


def _kind(channel: str | None, recipient: str | None) -> str:
    """`_SegmentType.from_channel_and_recipient`: tool call, reasoning, content (a preamble too) or nothing."""
    if recipient and recipient.startswith("functions.") and len(recipient) > len("functions."):
        return "tool"
    if channel == "analysis":
        return "reasoning"
    if channel == "final" or (channel == "commentary" and recipient is None):
        return "content"
    return "ignore"


@functools.lru_cache(maxsize=1024)
def parse(tokens: tuple[int, ...]) -> Parsed:
    """Read the generated tokens back the way `HarmonyParser.process_chunk`, `flush` and `parse` do."""
    parser = hm.StreamableParser(encoding(), hm.Role.ASSISTANT)
    completed = 0
    pending: list[int] = []  # tokens since the last completed message, for the fallback
    reasoning_tokens = 0
    calls_started = 0
    recipient_before: str | None = None
    deltas = []
    for token in tokens:
        try:
            parser.process(token)
        except hm.HarmonyError:  # process_chunk skips a token the parser refuses
            deltas.append(None)
            continue
        channel, recipient, delta = parser.current_channel, parser.current_recipient, parser.last_content_delta or ""
        finished_message = len(parser.messages) > completed
        completed = len(parser.messages)
        pending = [] if finished_message else [*pending, token]
        reasoning_tokens += _is_reasoning(channel, recipient, token)
        content = reasoning = ""
        calls: list[tuple[int, str | None, str]] = []
        if finished_message:
            recipient_before = None
        else:
            kind = _kind(channel, recipient)
            if kind == "reasoning":
                reasoning = delta
            elif kind == "content":
                content = delta
            elif kind == "tool" and recipient != recipient_before:
                calls.append((calls_started, recipient.removeprefix("functions."), delta))
                calls_started += 1
                recipient_before = recipient
            elif kind == "tool" and delta:
                calls.append((calls_started - 1, None, delta))
        deltas.append((content, reasoning, tuple(calls)) if content or reasoning or calls else None)

    messages = list(parser.messages)
    try:
        parser.process_eos()
        messages = list(parser.messages)
    except hm.HarmonyError:
        # `flush`: a reply cut inside a message header becomes content: the raw text of that header.
        fallback = decode(pending)
        messages.append(hm.Message.from_role_and_content(hm.Role.ASSISTANT, fallback).with_channel("final"))
        if deltas:
            last = deltas[-1] or ("", "", ())
            deltas[-1] = (last[0] + fallback, last[1], last[2]) if fallback else deltas[-1]

    reasoning_parts, content_parts, calls_done = [], [], []
    for message in messages:
        text = message.content[0].text if message.content else ""
        kind = _kind(message.channel, message.recipient)
        if kind == "reasoning" and text:
            reasoning_parts.append(text)
        elif kind == "content" and text:
            content_parts.append(text)
        elif kind == "tool":
            calls_done.append(GeneratedToolCall(message.recipient.removeprefix("functions."), text))
    return Parsed("\n".join(reasoning_parts) or None, "\n".join(content_parts) or None, tuple(calls_done),
                  reasoning_tokens, tuple(deltas))


def logprob_tokens(tokens: tuple[int, ...]) -> list[str]:
    """The `token` text of each logprobs entry: `_verify_tokens` and `_correct_decoded_token` in
    `vllm/v1/engine/logprobs.py`. A piece that ends inside a UTF-8 character is `""` (its bytes `[]`), and the
    token that completes the character carries all of it."""
    out = []
    for i, token in enumerate(tokens):
        text = decode([token])
        if text.endswith("\ufffd"):
            text = _completed_by(token, list(tokens[max(0, i - 4):i]))
        out.append(text)
    return out


def _completed_by(token: int, context: list[int]) -> str:
    """What `token` completes, read with up to four earlier tokens; "" while the character is still unfinished."""
    for size in range(1, len(context) + 1):
        window = context[-size:]
        full = decode([*window, token])
        if full.endswith("\ufffd"):
            continue
        clean = len(window)
        while clean > 0 and decode([window[clean - 1]]).endswith("\ufffd"):
            clean -= 1
        prefix = decode(window[:clean]) if clean else ""
        if full.startswith(prefix):
            return full[len(prefix):]
        same = 0
        for a, b in zip(prefix, full):
            if a != b:
                break
            same += 1
        return full[same:]
    return ""
