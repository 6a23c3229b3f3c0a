"""Request checks that answer with vLLM's own 400 and 404 bodies."""

from __future__ import annotations

import json
import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, conint

from . import config, wire

Role = Literal["system", "developer", "user", "assistant", "tool"]
SAMPLING_EPS = 1e-5  # vllm/sampling_params.py: a temperature below this means greedy sampling


class _Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Role


class ChatRequest(BaseModel):
    """The fields of vLLM's ChatCompletionRequest that the course uses, with their types."""

    model_config = ConfigDict(extra="allow")
    messages: list[_Message]
    model: str | None = None
    stream: bool | None = False
    n: conint(ge=1) | None = 1  # type: ignore[valid-type]
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    seed: int | None = None
    stop: str | list[str] | None = None
    logprobs: bool | None = False
    top_logprobs: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"] | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = True
    response_format: dict[str, Any] | None = None
    stream_options: dict[str, Any] | None = None


class CompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    prompt: str | list[str] | list[int] | list[list[int]]
    model: str | None = None
    max_tokens: int | None = 16
    stream: bool | None = False
    skip_special_tokens: bool | None = None  # None: vLLM's default, True (no generation_config sets it for gpt-oss)


class TokenizeRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    model: str | None = None
    prompt: str | None = None
    messages: list[_Message] | None = None
    return_token_strs: bool | None = False


class DetokenizeRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    model: str | None = None
    tokens: list[conint(ge=0)]  # type: ignore[valid-type]


class Rejected(Exception):
    """A request vLLM would refuse: the status and the body it would send."""

    def __init__(self, status: int, body: wire.JSON) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def _input_repr(value: Any) -> Any:
    if isinstance(value, dict):
        return f"<dict of {len(value)} items>"
    if isinstance(value, list):
        return f"<list of {len(value)} items>"
    return value


def _validation_error(errors: list[dict[str, Any]]) -> Rejected:
    """vLLM's handler for FastAPI validation errors (exception_handling/handlers/validation.py)."""
    lines = []
    for err in errors:
        item = {
            "type": err["type"],
            "loc": ".".join(str(p) for p in err["loc"]),
            "msg": err["msg"],
            "input": _input_repr(err.get("input")),
        }
        if err.get("ctx"):
            item["ctx"] = {k: str(v) for k, v in err["ctx"].items()}
        lines.append("  " + repr(item))
    noun = "error" if len(errors) == 1 else "errors"
    message = f"{len(errors)} validation {noun}:\n" + "\n".join(lines)
    param = ".".join(str(p) for p in errors[0]["loc"]) if errors else None
    return Rejected(400, wire.error(message, "Bad Request", 400, param))


def vllm_error(message: str, param: str | None, value: Any = None, status: int = 400) -> Rejected:
    """A VLLMValidationError: its text ends with the parameter (and value when there is one)."""
    suffix = f" (parameter={param}, value={value})" if value is not None else f" (parameter={param})"
    return Rejected(status, wire.error(message + suffix, "BadRequestError", status, param))


def require_json(content_type: str | None, raw: bytes, parsed: Any = None) -> Any:
    """The JSON body, or vLLM's 400; `parsed` is the body when the caller already decoded it."""
    media_type = (content_type or "").lower().split(";", 1)[0].strip()
    if media_type != "application/json":
        raise Rejected(
            400,
            wire.error("1 validation error:\n  Unsupported Media Type: Only 'application/json' is allowed",
                       "Bad Request", 400),
        )
    if parsed is not None:
        return parsed
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        reason = "invalid UTF-8" if isinstance(exc, UnicodeDecodeError) else exc.args[0].split(":")[0]
        raise _validation_error(
            [{"type": "json_invalid", "loc": ("body", 0), "msg": "JSON decode error", "input": {}, "ctx": {"error": reason}}]
        ) from None


def parse(model: type[BaseModel], body: Any) -> BaseModel:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        raise _validation_error(errors) from None


def check_model(name: str | None, served: str = config.SERVED_MODEL) -> None:
    if name is not None and name != served:
        raise Rejected(
            404,
            wire.error(
                f"The model `{name}` does not exist. Valid aliases: {served}.", "NotFoundError", 404, "model"
            ),
        )


def check_chat(request: ChatRequest) -> None:
    """The request model's own validators (protocol.py), which run before the handler."""
    if request.stream_options is not None and not request.stream:
        raise vllm_error("Stream options can only be defined when `stream=True`.", "stream_options")
    if request.top_logprobs is not None:
        if request.top_logprobs < 0 and request.top_logprobs != -1:
            raise vllm_error("`top_logprobs` must be a positive value or -1.", "top_logprobs", request.top_logprobs)
        if (request.top_logprobs == -1 or request.top_logprobs > 0) and not request.logprobs:
            raise vllm_error("when using `top_logprobs`, `logprobs` must be set to true.", "top_logprobs")
    check_tools(request)
    response_format = request.response_format or {}
    if response_format.get("type") == "json_schema" and response_format.get("json_schema") is None:
        raise vllm_error("When response_format type is 'json_schema', the 'json_schema' field must be provided.",
                         "response_format")


CORRECT_TOOL_CHOICE = 'Correct usage: `{"type": "function", "function": {"name": "my_function"}}`'


def check_tools(request: ChatRequest) -> None:
    """`ChatCompletionRequest.check_tool_usage`: the tools list and what tool_choice may say about it."""
    tools, choice = request.tools, request.tool_choice
    if tools == []:
        raise vllm_error("`tools` must not be an empty array. Either provide at least one tool or omit the field "
                         "entirely.", "tools")
    if choice is None or choice == "none":
        return
    if tools is None:
        raise vllm_error("When using `tool_choice`, `tools` must be set.", "tool_choice")
    if not isinstance(choice, dict):
        if choice not in ("auto", "required"):
            raise vllm_error(f"Invalid value for `tool_choice`: {choice}! Only named tools, \"none\", \"auto\" or "
                             "\"required\" are supported.", "tool_choice")
        return
    function = choice.get("function")
    if not isinstance(function, dict):
        raise vllm_error(f"Invalid value for `function`: `{function}` in `tool_choice`! {CORRECT_TOOL_CHOICE}",
                         "tool_choice.function")
    if "name" not in function:
        raise vllm_error(f"Expected field `name` in `function` in `tool_choice`! {CORRECT_TOOL_CHOICE}",
                         "tool_choice.function.name")
    name = function["name"]
    if not isinstance(name, str) or not name:
        raise vllm_error(f"Invalid `name` in `function`: `{name}` in `tool_choice`! {CORRECT_TOOL_CHOICE}",
                         "tool_choice.function.name")
    if all((tool.get("function") or {}).get("name") != name for tool in tools):
        raise vllm_error("The tool specified in `tool_choice` does not match any of the specified `tools`",
                         "tool_choice")


HARMONY_EFFORTS = ("high", "medium", "low")  # harmony_utils.REASONING_EFFORT, in its order


def check_harmony(request: ChatRequest) -> None:
    """What rendering the harmony prompt refuses: `_make_request_with_harmony` and `get_system_message`."""
    effort = request.reasoning_effort
    if effort == "none":
        raise vllm_error(f"Harmony does not support reasoning_effort={effort!r}", "reasoning_effort")
    if effort is not None and effort not in HARMONY_EFFORTS:
        raise vllm_error(f"reasoning_effort={effort!r} is not supported by Harmony. Supported values are: "
                         f"{', '.join(HARMONY_EFFORTS)}.", "reasoning_effort")


def check_chat_context(prompt_tokens: int) -> None:
    """`get_max_tokens`: the harmony path skips the renderer's length check, so a raw ValueError answers (400,
    BadRequestError, param null)."""
    if prompt_tokens > config.MAX_MODEL_LEN:
        message = f"Input length ({prompt_tokens}) exceeds model's maximum context length ({config.MAX_MODEL_LEN})."
        raise Rejected(400, wire.error(message, "BadRequestError", 400))


def _plain(message: str) -> Rejected:
    """A VLLMValidationError raised without a parameter: no suffix, param null."""
    return Rejected(400, wire.error(message, "BadRequestError", 400))


def check_sampling(request: ChatRequest) -> None:
    """`SamplingParams._verify_args`, then `_verify_greedy_sampling`: built by `to_sampling_params` once the prompt
    is rendered and the budget set, with OpenAI's defaults for what the request leaves out."""
    presence = 0.0 if request.presence_penalty is None else request.presence_penalty
    frequency = 0.0 if request.frequency_penalty is None else request.frequency_penalty
    temperature = 1.0 if request.temperature is None else request.temperature
    top_p = 1.0 if request.top_p is None else request.top_p
    asked = request.max_tokens if request.max_completion_tokens is None else request.max_completion_tokens
    if not -2.0 <= presence <= 2.0:
        raise _plain(f"presence_penalty must be in [-2, 2], got {presence}.")
    if not -2.0 <= frequency <= 2.0:
        raise _plain(f"frequency_penalty must be in [-2, 2], got {frequency}.")
    if not math.isfinite(temperature):
        raise vllm_error(f"temperature must be a finite number, got {temperature}.", "temperature", temperature)
    if temperature < 0.0:
        raise vllm_error(f"temperature must be non-negative, got {temperature}.", "temperature", temperature)
    if temperature > 2.0:
        raise vllm_error(f"temperature must be in [0, 2], got {temperature}.", "temperature", temperature)
    if not 0.0 < top_p <= 1.0:
        raise vllm_error(f"top_p must be in (0, 1], got {top_p}.", "top_p", top_p)
    if asked is not None and asked < 1:  # get_max_tokens passes a budget below the room through unchanged
        raise vllm_error(f"max_tokens must be at least 1, got {asked}.", "max_tokens", asked)
    if temperature < SAMPLING_EPS and (request.n or 1) > 1:
        raise _plain(f"n must be 1 when using greedy sampling, got {request.n}.")


def check_context(prompt_tokens: int) -> None:
    """The renderer's `_token_len_check` (renderers/params.py), which /v1/completions goes through."""
    if prompt_tokens > config.MAX_MODEL_LEN:
        raise vllm_error(
            f"This model's maximum context length is {config.MAX_MODEL_LEN} tokens. However, your prompt contains "
            f"{prompt_tokens} input tokens, which exceeds this limit even without any output tokens. "
            "Please reduce the length of the input prompt.",
            "input_tokens",
            prompt_tokens,
        )
