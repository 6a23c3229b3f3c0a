"""vLLM 0.33.0's response shapes, key for key, for gpt-oss.

Every builder returns plain dicts whose insertion order is vLLM's field order;
`dumps` serializes them the way vLLM's serializers do (compact, raw UTF-8).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from . import config

JSON = dict[str, Any]


def dumps(obj: Any) -> bytes:
    """Starlette's JSONResponse and pydantic's model_dump_json both emit this form."""
    return json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def random_id() -> str:
    """vLLM's random_uuid(): 16 hex characters since 0.12."""
    return secrets.token_hex(8)


@dataclass
class ToolCall:
    name: str
    arguments: str  # the JSON text exactly as the model wrote it
    id: str = field(default_factory=lambda: "chatcmpl-tool-" + random_id())


@dataclass
class Choice:
    """One generated choice after parsing the harmony channels."""

    index: int
    content: str | None
    reasoning: str | None
    tool_calls: list[ToolCall]
    finish_reason: str
    stop_reason: int | str | None
    logprobs: Any = None
    completion_tokens: int = 0
    reasoning_tokens: int = 0


@dataclass
class Usage:
    prompt_tokens: int
    completion_tokens: int
    reasoning_tokens: int

    def as_json(self, *, with_null_details: bool = True) -> JSON:
        body: JSON = {
            "prompt_tokens": self.prompt_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
            "completion_tokens": self.completion_tokens,
        }
        if with_null_details:
            body["prompt_tokens_details"] = None
        body["completion_tokens_details"] = {"reasoning_tokens": self.reasoning_tokens}
        return body


def _non_stream_arguments(text: str) -> str:
    """vLLM re-serializes finished tool arguments with json.dumps(json.loads(text))."""
    try:
        return json.dumps(json.loads(text))
    except ValueError:
        return text


def chat_completion(completion_id: str, created: int, choices: list[Choice], usage: Usage) -> JSON:
    out_choices = []
    for choice in choices:
        message: JSON = {
            "role": "assistant",
            "content": choice.content,
            "refusal": None,
            "annotations": None,
            "audio": None,
            "function_call": None,
        }
        if choice.tool_calls:  # 0.33.0 drops an empty tool_calls list
            message["tool_calls"] = [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": _non_stream_arguments(call.arguments)},
                }
                for call in choice.tool_calls
            ]
        message["reasoning"] = choice.reasoning
        out_choices.append(
            {
                "index": choice.index,
                "message": message,
                "logprobs": choice.logprobs,
                "finish_reason": choice.finish_reason,
                "stop_reason": choice.stop_reason,
                "token_ids": None,
                "routed_experts": None,
                "weight_versions": None,
            }
        )
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": config.SERVED_MODEL,
        "choices": out_choices,
        "service_tier": None,
        "system_fingerprint": config.SYSTEM_FINGERPRINT,
        "usage": usage.as_json(),
        "prompt_logprobs": None,
        "prompt_token_ids": None,
        "prompt_text": None,
        "kv_transfer_params": None,
        "ec_transfer_params": None,
        "metrics": None,
    }


def _chunk_head(completion_id: str, created: int) -> JSON:
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": config.SERVED_MODEL,
    }


def role_chunk(completion_id: str, created: int, index: int) -> JSON:
    return {
        **_chunk_head(completion_id, created),
        "choices": [
            {"index": index, "delta": {"role": "assistant", "content": ""}, "logprobs": None, "finish_reason": None}
        ],
        "prompt_token_ids": None,
        "prompt_text": None,
    }


def delta_chunk(completion_id: str, created: int, index: int, delta: JSON, logprobs: Any = None) -> JSON:
    return {
        **_chunk_head(completion_id, created),
        "choices": [{"index": index, "delta": delta, "logprobs": logprobs, "finish_reason": None, "token_ids": None}],
        "kv_transfer_params": None,
    }


def tool_call_start_delta(call: ToolCall, position: int) -> JSON:
    return {
        "tool_calls": [
            {"id": call.id, "type": "function", "index": position, "function": {"name": call.name, "arguments": ""}}
        ]
    }


def tool_call_arguments_delta(position: int, text: str) -> JSON:
    return {"tool_calls": [{"index": position, "function": {"arguments": text}}]}


def final_chunk(completion_id: str, created: int, choice: Choice, delta: JSON, *, with_fingerprint: bool) -> JSON:
    chunk: JSON = {
        **_chunk_head(completion_id, created),
        "choices": [
            {
                "index": choice.index,
                "delta": delta,
                "logprobs": None,
                "finish_reason": choice.finish_reason,
                "stop_reason": choice.stop_reason,
                "token_ids": None,
                "weight_versions": None,
            }
        ],
    }
    if with_fingerprint:  # without include_usage the fingerprint rides on the last choice chunk
        chunk["system_fingerprint"] = config.SYSTEM_FINGERPRINT
    chunk["kv_transfer_params"] = None
    return chunk


def usage_chunk(completion_id: str, created: int, usage: Usage) -> JSON:
    """The include_usage chunk: empty choices, and every null dropped."""
    return {
        **_chunk_head(completion_id, created),
        "choices": [],
        "usage": usage.as_json(with_null_details=False),
        "system_fingerprint": config.SYSTEM_FINGERPRINT,
    }


def sse_event(payload: JSON | str) -> bytes:
    data = payload.encode() if isinstance(payload, str) else dumps(payload)
    return b"data: " + data + b"\n\n"


SSE_DONE = b"data: [DONE]\n\n"


def text_completion(completion_id: str, created: int, text: str, finish_reason: str, usage: Usage) -> JSON:
    """POST /v1/completions: raw text, no harmony parsing."""
    return {
        "id": completion_id,
        "object": "text_completion",
        "created": created,
        "model": config.SERVED_MODEL,
        "choices": [
            {
                "index": 0,
                "text": text,
                "logprobs": None,
                "finish_reason": finish_reason,
                "stop_reason": None,
                "token_ids": None,
                "prompt_logprobs": None,
                "prompt_token_ids": None,
            }
        ],
        "service_tier": None,
        "system_fingerprint": config.SYSTEM_FINGERPRINT,
        "usage": {
            "prompt_tokens": usage.prompt_tokens,
            "total_tokens": usage.prompt_tokens + usage.completion_tokens,
            "completion_tokens": usage.completion_tokens,
            "prompt_tokens_details": None,
            "completion_tokens_details": None,
        },
        "kv_transfer_params": None,
    }


def models_list(created: int) -> JSON:
    return {
        "object": "list",
        "data": [
            {
                "id": config.SERVED_MODEL,
                "object": "model",
                "created": created,
                "owned_by": "vllm",
                "root": config.SERVED_MODEL,
                "parent": None,
                "max_model_len": config.MAX_MODEL_LEN,
                "permission": [
                    {
                        "id": "modelperm-" + random_id(),
                        "object": "model_permission",
                        "created": created,
                        "allow_create_engine": False,
                        "allow_sampling": True,
                        "allow_logprobs": True,
                        "allow_search_indices": False,
                        "allow_view": True,
                        "allow_fine_tuning": False,
                        "organization": "*",
                        "group": None,
                        "is_blocking": False,
                    }
                ],
            }
        ],
    }


def error(message: str, err_type: str, code: int, param: str | None = None) -> JSON:
    return {"error": {"message": message, "type": err_type, "param": param, "code": code}}


UNAUTHORIZED: JSON = {"error": "Unauthorized"}

# A generation that ends with the engine's "error" finish: `_raise_if_error` raises GenerationError, and the stream
# generator yields its ErrorResponse, serialized by model_dump_json() (compact) like every other chunk.
ENGINE_FAILURE: JSON = error("Internal server error", "InternalServerError", 500)
