"""`POST /v1/responses` as vLLM 0.33.0 serves gpt-oss (`vllm/entrypoints/openai/responses/`), from recorded replies.

The server runs without VLLM_ENABLE_RESPONSES_API_STORE, as vLLM does by default: `store` is accepted and
silently turned off, nothing is kept, so `previous_response_id` and `GET /v1/responses/{id}` find nothing,
and `background` is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import openai_harmony as hm
from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response

from . import config, generation, harmony, validation, wire
from .response_items import StreamingState, output, read, stream_events, usage

if TYPE_CHECKING:
    from .app import EndpointApp
    from .session import LoggedRequest


class ResponsesRequest(BaseModel):
    """The fields of vLLM's ResponsesRequest the endpoint reads, with their types and defaults."""

    model_config = ConfigDict(extra="allow")
    input: str | list[dict[str, Any]]
    instructions: str | None = None
    model: str | None = None
    stream: bool | None = False
    store: bool | None = True
    background: bool | None = False
    include: list[str] | None = None
    max_output_tokens: int | None = None
    max_tool_calls: int | None = None
    metadata: dict[str, str] | None = None
    parallel_tool_calls: bool | None = True
    previous_response_id: str | None = None
    previous_input_messages: list[Any] | None = None
    prompt: Any = None
    reasoning: dict[str, Any] | None = None
    service_tier: Literal["auto", "default", "flex", "scale", "priority"] = "auto"
    temperature: float | None = None
    top_p: float | None = None
    text: dict[str, Any] | None = None
    tool_choice: str | dict[str, Any] = "auto"
    tools: list[dict[str, Any]] = []
    truncation: Literal["auto", "disabled"] | None = "disabled"
    user: str | None = None
    presence_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    frequency_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    prompt_cache_key: str | None = None
    prompt_cache_retention: str | None = None
    prompt_cache_options: dict[str, Any] | None = None
    safety_identifier: str | None = None
    request_id: str | None = None


BUILTIN_TOOLS = ("web_search_preview", "code_interpreter", "container")  # served only with a --tool-server
ROLES = ("user", "assistant", "system", "developer")


def _invalid(message: str, param: str, status: int = 400) -> validation.Rejected:
    """`create_error_response(err_type="invalid_request_error", ...)` in the serving class."""
    return validation.Rejected(status, wire.error(message, "invalid_request_error", status, param))


def check(body: dict[str, Any], parsed: ResponsesRequest, served: str = config.SERVED_MODEL) -> None:
    """The request model's validators, then `_check_model`, `_validate_create_responses_input` and the
    previous-response lookup of `_create_responses`, in that order."""
    if body.get("background") and not body.get("store", True):
        raise validation.vllm_error("background can only be used when `store` is true", "background")
    if body.get("prompt") is not None:
        raise validation.vllm_error("prompt template is not supported", "prompt")
    if not parsed.tools and parsed.tool_choice == "required":
        raise validation.vllm_error("Tool choice 'required' must be specified with 'tools' parameter.", "tool_choice")
    if not parsed.tools and isinstance(parsed.tool_choice, dict) and parsed.tool_choice.get("type") in ("function", "custom"):
        raise validation.vllm_error("Tool choice 'function' not found in 'tools' parameter.", "tool_choice")
    validation.check_model(parsed.model, served)
    if "message.output_text.logprobs" in (parsed.include or []):
        raise _invalid("logprobs are not supported with gpt-oss models", "logprobs")
    if parsed.store and parsed.background:
        raise _invalid("This vLLM engine does not support `store=True` and therefore does not support the background "
                       "mode. To enable these features, set the environment variable "
                       "`VLLM_ENABLE_RESPONSES_API_STORE=1` when launching the vLLM server.", "background")
    if parsed.previous_input_messages and parsed.previous_response_id:
        raise _invalid("Only one of `previous_input_messages` and `previous_response_id` can be set.",
                       "previous_response_id")
    if parsed.previous_response_id is not None:  # the store is off: no response was ever kept
        raise not_found(parsed.previous_response_id)


def not_found(response_id: str) -> validation.Rejected:
    """`_make_not_found_error`."""
    return _invalid(f"Response with id '{response_id}' not found.", "response_id", 404)


def _flatten(content: Any) -> str | None:
    """`flatten_input_text_content`: None when there is no text."""
    if content is None or isinstance(content, str):
        return content
    texts = [p if isinstance(p, str) else p.get("text") for p in content if isinstance(p, (str, dict))] \
        if isinstance(content, list) else []
    texts = [t for t in texts if t is not None]
    return "".join(texts) if texts else None


def _developer(text: str) -> hm.Message:
    return hm.Message.from_role_and_content(hm.Role.DEVELOPER, hm.DeveloperContent.new().with_instructions(text))


def _item(item: dict[str, Any], calls: dict[str, str]) -> hm.Message | None:
    """`response_input_to_harmony` for one input item."""
    kind = item.get("type", "message")
    if kind == "message":
        role, content = item.get("role"), item.get("content")
        if role not in ROLES:  # vLLM's request model refuses it with pydantic's long union error, not copied here
            raise _invalid(f"[recorded endpoint] An input message needs a role among {', '.join(ROLES)}, "
                           f"not {role!r}.", "input")
        if role in ("system", "developer"):
            text = _flatten(content)
            return _developer(text) if text else None
        if isinstance(content, str):
            message = hm.Message.from_role_and_content(hm.Role(role), content)
        else:
            parts = [hm.TextContent(text=p.get("text", "")) for p in content or [] if isinstance(p, dict)]
            message = hm.Message.from_role_and_contents(hm.Role(role), parts)
        return message.with_channel("final") if role == "assistant" else message
    if kind == "reasoning":
        content = item.get("content")
        if not content:
            return None
        text = "\n".join(part.get("text", "") for part in content)
        return hm.Message.from_role_and_content(hm.Role.ASSISTANT, text).with_channel("analysis")
    if kind == "function_call":
        calls[item.get("call_id", "")] = item.get("name", "")
        return (hm.Message.from_role_and_content(hm.Role.ASSISTANT, item.get("arguments", ""))
                .with_channel("commentary").with_recipient(f"functions.{item.get('name', '')}").with_content_type("json"))
    if kind == "function_call_output":
        name = calls.get(item.get("call_id", ""))
        if name is None:
            raise _invalid(f"No call message found for {item.get('call_id')} (parameter=input)", "input")
        return (hm.Message.from_author_and_content(hm.Author.new(hm.Role.TOOL, f"functions.{name}"), item.get("output", ""))
                .with_channel("commentary").with_recipient("assistant"))
    raise _invalid(f"Unknown input type: {kind} (parameter=input)", "input")


def conversation(parsed: ResponsesRequest) -> list[hm.Message]:
    """`_render_responses_with_harmony`: the preamble chat builds (`build_harmony_preamble`), then the input."""
    instructions, items = parsed.instructions, parsed.input
    if instructions is None and isinstance(items, list) and items and items[0].get("role") in ("system", "developer"):
        instructions, items = _flatten(items[0].get("content")), items[1:]
    effort = (parsed.reasoning or {}).get("effort")
    if effort is not None and effort not in validation.HARMONY_EFFORTS:
        raise validation.vllm_error(f"reasoning_effort={effort!r} is not supported by Harmony. Supported values are: "
                                    f"{', '.join(validation.HARMONY_EFFORTS)}.", "reasoning_effort")
    for tool in parsed.tools:  # get_developer_message takes function tools and skips the built-in ones
        if tool.get("type") not in ("function", *BUILTIN_TOOLS):
            raise validation.vllm_error(f"tool type {tool.get('type')!r} is not supported.", "tools")
    tools = [{"type": "function", "function": t} for t in parsed.tools if t.get("type") == "function"]
    preamble = {"messages": [{"role": "developer", "content": instructions}] if instructions is not None else [],
                "tools": tools, "reasoning_effort": effort}
    messages = harmony.conversation(preamble)
    if isinstance(items, str):
        if items or not parsed.previous_input_messages:
            messages.append(hm.Message.from_role_and_content(hm.Role.USER, items))
        return messages
    calls: dict[str, str] = {}
    for item in items:
        message = _item(item, calls)
        if message is not None:
            messages.append(message)
    return messages


def prompt_tokens(messages: list[hm.Message]) -> list[int]:
    """`render_for_completion`, the renderer chat uses too."""
    conv = hm.Conversation.from_messages(harmony._drop_answered_analysis(messages))
    rendered = harmony.encoding().render_conversation_for_completion(conv, hm.Role.ASSISTANT, harmony.NO_AUTO_DROP)
    return harmony._legacy_call_headers(rendered)


def budget(parsed: ResponsesRequest, prompt_length: int) -> int:
    """`TokenizeParams` refuses a budget beyond the context, `_validate_generator_input` a full prompt,
    `get_max_tokens` clamps the budget to the room left, `SamplingParams` refuses what is out of range."""
    asked = parsed.max_output_tokens
    if asked is not None and asked > config.MAX_MODEL_LEN:
        raise validation.vllm_error(f"max_output_tokens={asked} cannot be greater than max_model_len="
                                    f"{config.MAX_MODEL_LEN}. Please request fewer output tokens.",
                                    "max_output_tokens", asked)
    validation.check_context(prompt_length)
    if prompt_length >= config.MAX_MODEL_LEN:
        raise _invalid(f"The engine prompt length {prompt_length} exceeds the max_model_len {config.MAX_MODEL_LEN}. "
                       "Please reduce prompt.", "input")
    room = config.MAX_MODEL_LEN - prompt_length
    max_tokens = room if asked is None else min(asked, room)
    # to_sampling_params builds the SamplingParams whose _verify_args the chat route's check follows
    validation.check_sampling(validation.ChatRequest(messages=[], temperature=parsed.temperature, top_p=parsed.top_p,
                                                     max_tokens=max_tokens))
    return max_tokens


def _reasoning_echo(reasoning: dict[str, Any] | None) -> dict[str, Any] | None:
    """The request's `Reasoning` as the SDK model dumps it."""
    if reasoning is None:
        return None
    return {key: reasoning.get(key) for key in ("context", "effort", "generate_summary", "mode", "summary")}


FUNCTION_TOOL_FIELDS = ("name", "parameters", "strict", "type", "allowed_callers", "async", "defer_loading",
                        "description", "output_schema")  # the SDK's FunctionTool, as vLLM dumps request.tools


def _tool_echo(tool: dict[str, Any]) -> dict[str, Any]:
    """A function tool as the SDK model dumps it, extra keys after; other tools as sent."""
    if tool.get("type") != "function":
        return tool
    return {**{key: tool.get(key) for key in FUNCTION_TOOL_FIELDS}, **tool}


def response_object(parsed: ResponsesRequest, response_id: str, created: int, max_tokens: int,
                    out: list[wire.JSON], status: str, used: wire.JSON | None,
                    model: str = config.SERVED_MODEL) -> wire.JSON:
    """`ResponsesResponse.from_request`, in the model's field order."""
    return {
        "id": response_id,
        "created_at": created,
        "incomplete_details": {"reason": "max_output_tokens"} if status == "incomplete" else None,
        "instructions": parsed.instructions,
        "metadata": parsed.metadata,
        "model": model,
        "object": "response",
        "output": out,
        "parallel_tool_calls": True if parsed.parallel_tool_calls is None else parsed.parallel_tool_calls,
        "temperature": 1.0 if parsed.temperature is None else parsed.temperature,
        "tool_choice": parsed.tool_choice if parsed.tools or parsed.tool_choice not in ("auto", "none") else "none",
        "tools": [_tool_echo(t) for t in parsed.tools],
        "top_p": 1.0 if parsed.top_p is None else parsed.top_p,
        "background": parsed.background,
        "max_output_tokens": max_tokens,
        "max_tool_calls": parsed.max_tool_calls,
        "previous_response_id": parsed.previous_response_id,
        "prompt": None,
        "prompt_cache_options": parsed.prompt_cache_options,
        "prompt_cache_key": parsed.prompt_cache_key,
        "prompt_cache_retention": parsed.prompt_cache_retention,
        "reasoning": _reasoning_echo(parsed.reasoning),
        "safety_identifier": parsed.safety_identifier,
        "service_tier": parsed.service_tier,
        "status": status,
        "text": None if parsed.text is None else {"format": parsed.text.get("format"),
                                                  "verbosity": parsed.text.get("verbosity")},
        "top_logprobs": None,
        "truncation": parsed.truncation,
        "usage": used,
        "user": parsed.user,
        "presence_penalty": 0.0 if parsed.presence_penalty is None else parsed.presence_penalty,
        "frequency_penalty": 0.0 if parsed.frequency_penalty is None else parsed.frequency_penalty,
        "kv_transfer_params": None,
        "ec_transfer_params": None,
        "input_messages": None,
        "output_messages": None,
    }


def sse(event: wire.JSON, number: int) -> bytes:
    """`_convert_stream_to_sse_events`: an `event:` line with the type, then the event's JSON."""
    return b"event: " + event["type"].encode() + b"\ndata: " + wire.dumps({**event, "sequence_number": number}) + b"\n\n"


async def create(app: EndpointApp, body: Any, request: Request, entry: LoggedRequest) -> Response:
    """`create_responses`: validate, render, then answer with the recorded reply (JSON or events)."""
    parsed = validation.parse(ResponsesRequest, body)
    assert isinstance(parsed, ResponsesRequest)
    check(body, parsed, app.model)  # a variant server serves its own name, clock and wording
    prompt = prompt_tokens(conversation(parsed))
    max_tokens = budget(parsed, len(prompt))
    recorded, _ = app._find(entry)
    response_id = parsed.request_id or f"resp_{wire.random_id()}"
    created = int(app.now())
    if recorded.delay_s:
        await app._stall(request, recorded.delay_s, entry)
    if recorded.reply is None:
        return app._literal(recorded, entry, response_id, created, len(prompt))
    reply = app.reply(recorded.reply)
    calls = tuple(generation.GeneratedToolCall(c.name, generation.arguments_text(c.arguments)) for c in reply.tool_calls)
    tokens = list(generation.completion_tokens(reply.reasoning, reply.content, calls))
    names = frozenset(t.get("name", "") for t in parsed.tools if t.get("type") == "function")
    finish = "length" if len(tokens) > max_tokens else "stop"
    reading = read(tokens[:max_tokens])

    def final(streamed: dict[int, list[wire.JSON]] | None) -> wire.JSON:
        out = output(reading, names, streamed)
        status = ("incomplete" if finish == "length" else "completed") if out else "incomplete"
        used = usage(len(prompt), min(len(tokens), max_tokens), reading.reasoning_tokens)
        return response_object(parsed, response_id, created, max_tokens, out, status, used, app.model)

    if not parsed.stream:
        from .app import JSONBody

        return JSONBody(recorded.status, final(None), recorded.headers)
    initial = response_object(parsed, response_id, created, max_tokens, [], "in_progress", None, app.model)
    state = StreamingState(names)
    events = [{"response": initial, "sequence_number": -1, "type": "response.created"},
              {"response": initial, "sequence_number": -1, "type": "response.in_progress"},
              *stream_events(reading, state)]
    done = final(state.done_items)
    events.append({"response": done, "sequence_number": -1,
                   "type": "response.incomplete" if done["status"] == "incomplete" else "response.completed"})
    return app._stream([sse(event, number) for number, event in enumerate(events)], recorded, entry)
