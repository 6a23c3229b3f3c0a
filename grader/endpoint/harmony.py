"""Token accounting exactly as vLLM 0.33.0 does it for gpt-oss.

The prompt is the harmony conversation vLLM builds for a chat request
(`OnlineRenderer._make_request_with_harmony` and the helpers in
`vllm/entrypoints/openai/parser/harmony_utils.py`), rendered by oss-harmony 0.0.11,
the `openai_harmony` fork vLLM 0.33.0 itself requires, with the o200k vocabulary from bpe-openai.
"""

from __future__ import annotations

import base64
import functools
import importlib.machinery
import importlib.util
import json
from typing import Any

import openai_harmony as hm

from . import config
from .vocab import VOCAB_NAME, bpe_openai_dir, ensure_vocab_dir

EFFORTS = {"low": hm.ReasoningEffort.LOW, "medium": hm.ReasoningEffort.MEDIUM, "high": hm.ReasoningEffort.HIGH}


@functools.cache
def encoding() -> hm.HarmonyEncoding:
    ensure_vocab_dir()
    return hm.load_harmony_encoding(hm.HarmonyEncodingName.HARMONY_GPT_OSS)


def _flatten(content: Any) -> str:
    """vLLM's flatten of a content field: strings kept, list parts' text joined with no separator."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in content if isinstance(p, (str, dict)))
    return ""


def _user_contents(content: Any) -> list[hm.TextContent]:
    if isinstance(content, list):
        return [hm.TextContent(text=str(p.get("text", "")) if isinstance(p, dict) else str(p)) for p in content]
    return [hm.TextContent(text=content if isinstance(content, str) else "")]


def _developer(instructions: str | None, tools: list[dict[str, Any]] | None) -> hm.Message | None:
    """The developer message is added only when there are instructions or function tools."""
    functions = [t.get("function") or {} for t in tools or [] if isinstance(t, dict) and t.get("type") == "function"]
    if not instructions and not functions:
        return None
    content = hm.DeveloperContent.new()
    if instructions is not None:
        content = content.with_instructions(instructions)
    if functions:
        content = content.with_function_tools(
            [hm.ToolDescription.new(f.get("name", ""), f.get("description") or "", f.get("parameters")) for f in functions]
        )
    return hm.Message.from_role_and_content(hm.Role.DEVELOPER, content)


def _reasoning(message: dict[str, Any]) -> Any:
    """The reasoning vLLM reads back: `reasoning`, or the deprecated `reasoning_content` when `reasoning` is unset
    (`ChatCompletionRequest._normalize_messages_before` renames it)."""
    reasoning = message.get("reasoning")
    return message.get("reasoning_content") if reasoning is None else reasoning


def _assistant(message: dict[str, Any]) -> list[hm.Message]:
    out: list[hm.Message] = []
    reasoning = _reasoning(message)
    text = _flatten(message.get("content"))
    calls = message.get("tool_calls") or []
    if calls:
        if text:  # a preamble: commentary without a recipient, before the reasoning
            out.append(hm.Message.from_role_and_content(hm.Role.ASSISTANT, text).with_channel("commentary"))
        if reasoning:
            out.append(hm.Message.from_role_and_content(hm.Role.ASSISTANT, reasoning).with_channel("analysis"))
        for call in calls:
            function = call.get("function") or {} if isinstance(call, dict) else {}
            out.append(
                hm.Message.from_role_and_content(hm.Role.ASSISTANT, function.get("arguments") or "")
                .with_channel("commentary")
                .with_recipient(f"functions.{function.get('name', '')}")
                .with_content_type("json")
            )
        return out
    if reasoning:
        out.append(hm.Message.from_role_and_content(hm.Role.ASSISTANT, reasoning).with_channel("analysis"))
    if text:
        out.append(hm.Message.from_role_and_content(hm.Role.ASSISTANT, text).with_channel("final"))
    return out


def _drop_answered_analysis(messages: list[hm.Message]) -> list[hm.Message]:
    """vLLM's auto_drop_analysis_messages: reasoning before the last final answer is dropped."""
    last_final = max((i for i, m in enumerate(messages) if m.channel == "final"), default=-1)
    return [m for i, m in enumerate(messages) if not (i < last_final and m.channel == "analysis")]


def conversation(body: dict[str, Any], start_date: str = config.SYSTEM_START_DATE) -> list[hm.Message]:
    """The harmony messages vLLM renders for a chat request body (already validated)."""
    messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
    instructions = None
    if messages and messages[0].get("role") in ("system", "developer"):
        instructions = _flatten(messages[0].get("content"))
        messages = messages[1:]
    system = hm.SystemContent.new().with_conversation_start_date(start_date)
    effort = body.get("reasoning_effort")
    if effort in EFFORTS:
        system = system.with_reasoning_effort(EFFORTS[effort])
    out = [hm.Message.from_role_and_content(hm.Role.SYSTEM, system)]
    developer = _developer(instructions, body.get("tools"))
    if developer is not None:
        out.append(developer)

    tool_names = {
        call.get("id"): (call.get("function") or {}).get("name", "")
        for m in messages
        if m.get("role") == "assistant"
        for call in m.get("tool_calls") or []
        if isinstance(call, dict)
    }
    for message in messages:
        role = message.get("role")
        if role in ("system", "developer"):
            text = _flatten(message.get("content"))
            out.append(hm.Message.from_role_and_content(hm.Role.DEVELOPER, hm.DeveloperContent.new().with_instructions(text)))
        elif role == "user":
            out.append(hm.Message.from_role_and_contents(hm.Role.USER, _user_contents(message.get("content"))))
        elif role == "assistant":
            out.extend(_assistant(message))
        elif role == "tool":
            name = tool_names.get(message.get("tool_call_id"), "")
            author = hm.Author.new(hm.Role.TOOL, f"functions.{name}")
            out.append(
                hm.Message.from_author_and_content(author, _flatten(message.get("content")))
                .with_channel("commentary")
                .with_recipient("assistant")
            )
    return _drop_answered_analysis(out)


CACHED_PROMPT_CHARS = 50_000  # larger prompts are rare and heavy: rendering them again beats keeping them


def chat_prompt_tokens(body: dict[str, Any], start_date: str = config.SYSTEM_START_DATE) -> list[int]:
    """The prompt's token ids; identical requests (a script run twice) are rendered once."""
    key = json.dumps([body.get("messages"), body.get("tools"), body.get("reasoning_effort"), start_date], sort_keys=True)
    return list(_render_prompt(key) if len(key) <= CACHED_PROMPT_CHARS else _render_prompt.__wrapped__(key))


@functools.lru_cache(maxsize=4096)
def _render_prompt(key: str) -> tuple[int, ...]:
    messages, tools, effort, start_date = json.loads(key)
    rendered = conversation({"messages": messages, "tools": tools, "reasoning_effort": effort}, start_date)
    if not any(_long_user_text(m) for m in rendered):
        conv = hm.Conversation.from_messages(rendered)
        return tuple(_legacy_call_headers(encoding().render_conversation_for_completion(conv, hm.Role.ASSISTANT, NO_AUTO_DROP)))
    # A user message renders as <|start|>user<|message|>, the text's own tokens, <|end|>: splice them in.
    enc = encoding()
    frame = enc.render(hm.Message.from_role_and_content(hm.Role.USER, ""))
    tokens: list[int] = []
    for message in rendered:
        text = _long_user_text(message)
        tokens += enc.render(message) if text is None else frame[:-1] + _linear_bpe().encode(text) + frame[-1:]
    closing = enc.render_conversation_for_completion(hm.Conversation.from_messages([]), hm.Role.ASSISTANT, NO_AUTO_DROP)
    return tuple(_legacy_call_headers(tokens + closing))


# vLLM drops answered reasoning itself (auto_drop_analysis_messages) and renders with harmony's own drop off.
NO_AUTO_DROP = hm.RenderConversationConfig(auto_drop_analysis=False)


def _legacy_call_headers(tokens: list[int]) -> list[int]:
    """vLLM's `_use_legacy_tool_call_headers`: an earlier assistant tool call goes back into the prompt with the
    header gpt-oss was trained on, `assistant to=functions.f<|channel|>commentary json`, not oss-harmony's
    `assistant<|channel|>commentary to=functions.f <|constrain|>json`. Other headers stay as rendered."""
    enc = encoding()
    start, channel, constrain, message = _header_tokens()
    out = list(tokens)
    at = 0
    while True:
        try:
            at = out.index(start, at)
            end = out.index(message, at + 1)
        except ValueError:
            return out
        head = out[at + 1:end]
        if channel in head and constrain in head[head.index(channel):]:
            c = head.index(channel)
            k = head.index(constrain, c)
            author, middle, kind = enc.decode(head[:c]), enc.decode(head[c + 1:k]), enc.decode(head[k + 1:])
            name, to, recipient = middle[:-1].partition(" to=")
            if author == "assistant" and middle.endswith(" ") and to and name and recipient and kind:
                legacy = [start, *enc.encode(f"assistant to={recipient}"), channel, *enc.encode(f"{name} {kind}"), message]
                out[at:end + 1] = legacy
                end = at + len(legacy) - 1
        at = end + 1


@functools.cache
def _header_tokens() -> tuple[int, int, int, int]:
    """The ids of <|start|>, <|channel|>, <|constrain|> and <|message|>."""
    enc = encoding()
    return tuple(enc.encode(name, allowed_special="all")[0] for name in ("<|start|>", "<|channel|>", "<|constrain|>", "<|message|>"))


# The harmony library's BPE takes time quadratic in the length of one pre-token ("a" * 200_000 takes
# half a minute), where vLLM's tokenizer does not. Texts longer than this are encoded with
# bpe-openai's linear-time o200k encoder instead, which gives the same token ids (and is faster
# on ordinary long texts too); below it, even a single run costs harmony well under a tenth of a second.
LONG_TEXT = 10_000  # characters


@functools.cache
def _linear_bpe() -> Any:
    """bpe-openai's Rust encoder, loaded alone: the package's Python wrapper takes seconds to import
    and refuses texts over a million characters."""
    folder = bpe_openai_dir()
    path = next(p for suffix in importlib.machinery.EXTENSION_SUFFIXES for p in folder.glob("_bindings" + suffix))
    loader = importlib.machinery.ExtensionFileLoader("bpe_openai._bindings", str(path))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module.tokenizer_for_encoding("o200k_base")


def _long_user_text(message: hm.Message) -> str | None:
    """The text of a user message long enough for the linear encoder, else None."""
    if message.author.role != hm.Role.USER or len(message.content) != 1:
        return None
    part = message.content[0]
    return part.text if isinstance(part, hm.TextContent) and len(part.text) > LONG_TEXT else None


def text_tokens(text: str) -> list[int]:
    """A raw prompt as the HF tokenizer reads it: special-token text becomes special tokens."""
    if len(text) > LONG_TEXT and "<|" not in text:  # no special-token text: ordinary tokens only
        return list(_linear_bpe().encode(text))
    return encoding().encode(text, allowed_special="all")


def decode(tokens: list[int]) -> str:
    return encoding().decode(tokens)


@functools.cache
def _byte_level_alphabet() -> dict[int, str]:
    """GPT-2's byte-to-unicode table, which HF's ByteLevel decoder uses for token strings.

    Written out here because the `tokenizers` library would need gpt-oss's
    tokenizer.json from the Hugging Face hub, which the course cannot download.
    """
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    table = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + extra)
            extra += 1
    return table


@functools.cache
def _ranks() -> dict[int, bytes]:
    path = ensure_vocab_dir() / VOCAB_NAME
    ranks: dict[int, bytes] = {}
    for line in path.read_bytes().splitlines():
        token, rank = line.split()
        ranks[int(rank)] = base64.b64decode(token)
    return ranks


def token_strs(tokens: list[int]) -> list[str]:
    """What vLLM's `convert_ids_to_tokens` returns: byte-level strings, special tokens by name."""
    ranks, alphabet, enc = _ranks(), _byte_level_alphabet(), encoding()
    out = []
    for tok in tokens:
        raw = ranks.get(tok)
        out.append("".join(alphabet[b] for b in raw) if raw is not None else enc.decode_utf8([tok]))
    return out
