"""Recording files: their schema, loading, and clear errors when one is malformed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from . import config


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Provenance(Strict):
    kind: Literal["authored", "recorded"]
    vllm_version: str = Field(description="the vLLM release the bytes follow (authored) or /version reported (recorded)")
    model: str = config.SERVED_MODEL
    recorded_on: str | None = Field(default=None, description="ISO date of capture; only for recorded")
    server_flags: str | None = Field(default=None, description="the vLLM server flags the bytes assume")
    note: str = ""

    @model_validator(mode="after")
    def _recorded_has_date(self) -> Provenance:
        if self.kind == "recorded" and not self.recorded_on:
            raise ValueError("a recorded provenance needs recorded_on (the capture date)")
        if self.kind == "authored" and self.recorded_on:
            raise ValueError("an authored provenance has no recorded_on: it was never captured")
        if self.server_flags is not None and self.server_flags != config.SERVER_FLAGS:
            raise ValueError(f"the recording assumes a server run with {self.server_flags!r}; the endpoint imitates "
                             f"one run with {config.SERVER_FLAGS!r} (grader/endpoint/config.py)")
        return self


Phrases = str | list[str]


class Match(Strict):
    """What a request must look like for an interaction to answer it."""

    route: str = Field(description='"METHOD /path", e.g. "POST /v1/chat/completions"')
    stream: bool | None = None
    last_user_contains: Phrases | None = None
    system_contains: Phrases | None = Field(default=None, description="in a system or developer message")
    any_message_contains: Phrases | None = None
    last_assistant_contains: Phrases | None = Field(
        default=None, description="in the request's last assistant message (the last worked example of a few-shot prompt)")
    prompt_contains: Phrases | None = Field(default=None, description="/v1/completions and /tokenize prompts")
    roles: list[str] | None = None
    user_turns: int | None = None
    has_tools: bool | None = None
    last_is_tool_result: bool | None = None
    tool_results: int | None = Field(default=None, description="how many tool messages the request holds: the step "
                                                                "of an agent's loop")
    response_format: Literal["json_object", "json_schema", "none"] | None = None
    n: int | None = None
    reasoning_effort: Literal["low", "medium", "high"] | None = None
    body: dict[str, Any] | None = Field(default=None, description="keys that must equal these values")
    between: dict[str, tuple[float, float]] | None = Field(
        default=None, description="numeric keys that must lie in [low, high]; numeric strings count, as in vLLM")
    present: list[str] | None = Field(default=None, description="keys the body must set to a non-null value")

    @model_validator(mode="after")
    def _route_shape(self) -> Match:
        method, _, path = self.route.partition(" ")
        if method not in {"GET", "POST"} or not path.startswith("/"):
            raise ValueError(f'route must look like "POST /v1/chat/completions", not {self.route!r}')
        return self


class ToolCallSpec(Strict):
    name: str
    arguments: str | dict[str, Any]


class ChoiceSpec(Strict):
    """One generated choice, before the endpoint turns it into vLLM's bytes."""

    reasoning: str | None = None
    content: str | None = None
    tool_calls: list[ToolCallSpec] = []
    finish_reason: Literal["stop", "length", "tool_calls"] | None = None
    stop_reason: int | str | None = None
    logprobs: dict[str, Any] | None = None


class Reply(ChoiceSpec):
    """A reply synthesized per request: ids, usage and truncation are computed."""

    choices: list[ChoiceSpec] | None = Field(default=None, description="one per choice when the request sends n")
    text: str | None = Field(default=None, description="/v1/completions raw text")
    variant: Reply | None = Field(default=None, description="the same reply in other words, which a variant grading "
                                                            "server sends: printed replies must follow the server")

    def choice_specs(self) -> list[ChoiceSpec]:
        return self.choices or [ChoiceSpec(**self.model_dump(exclude={"choices", "text", "variant"}))]


class Pacing(Strict):
    first_ms: float = 0
    per_event_ms: float = 0


class StreamError(Strict):
    """The engine fails after this many events; vLLM then sends its one error event (wire.ENGINE_FAILURE)."""

    after_events: int


class Response(Strict):
    status: int = 200
    headers: dict[str, str] = {}
    reply: Reply | None = None
    body: Any = None
    events: list[Any] | None = Field(default=None, description='raw SSE payloads: JSON objects or "[DONE]"')
    text: str | None = None
    pacing: Pacing = Pacing()
    delay_s: float = Field(default=0, description="wait before answering (timeouts)")
    stream_error: StreamError | None = None
    drop_after_events: int | None = Field(default=None, description="close the connection mid-stream, no [DONE]")

    @model_validator(mode="after")
    def _one_body(self) -> Response:
        given = [name for name in ("reply", "body", "events", "text") if getattr(self, name) is not None]
        if len(given) > 1:
            raise ValueError(f"a response has one of reply, body, events or text, not {' and '.join(given)}")
        return self


class Interaction(Strict):
    name: str
    description: str
    match: Match
    response: Response | None = None
    responses: list[Response] | None = Field(default=None, description="served in order; the last one repeats")
    restart_after_s: float | None = Field(
        default=None, description="responses start over once the interaction has been idle this long (offline reruns)"
    )
    lesson_prompts: list[str] | None = Field(
        default=None, description="a catch-all's own prompts (phrases of the last user message): `make serve` answers "
                                  "these with it, and other questions with its stand-in reply")
    provenance: Provenance | None = None

    @model_validator(mode="after")
    def _has_response(self) -> Interaction:
        if (self.response is None) == (self.responses is None):
            raise ValueError("give exactly one of response or responses")
        return self

    def response_for(self, call_number: int) -> Response:
        if self.response is not None:
            return self.response
        assert self.responses is not None
        return self.responses[min(call_number, len(self.responses) - 1)]


class RecordingFile(Strict):
    format: Literal[1] = 1
    section: str
    provenance: Provenance
    interactions: list[Interaction]

    @model_validator(mode="after")
    def _unique_names(self) -> RecordingFile:
        seen: set[str] = set()
        for interaction in self.interactions:
            if interaction.name in seen:
                raise ValueError(f"two interactions are named {interaction.name!r}")
            seen.add(interaction.name)
        return self


class RecordingError(Exception):
    """A recording file that cannot be used, with a message that says where and why."""


def _describe(err: ValidationError, data: Any) -> str:
    lines = []
    for item in err.errors()[:5]:
        where = ""
        node = data
        for part in item["loc"]:
            if isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
                name = node.get("name") if isinstance(node, dict) else None
                where += f"[{part}]" + (f" ({name!r})" if name else "")
            else:
                node = node.get(part) if isinstance(node, dict) else None
                where += f".{part}" if where else str(part)
        lines.append(f"  {where or 'top level'}: {item['msg']}")
    return "\n".join(lines)


def load(path: Path) -> RecordingFile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RecordingError(f"cannot read recording {path}: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise RecordingError(f"{path} is not valid JSON: {exc}") from None
    try:
        return RecordingFile.model_validate(data)
    except ValidationError as exc:
        raise RecordingError(f"{path} does not follow the recording format:\n{_describe(exc, data)}") from None


def dumps(recording: RecordingFile) -> str:
    """The file text: defaults left out, literal bodies (nulls included) kept as they are."""
    data = {"format": 1, **recording.model_dump(mode="json", exclude_defaults=True)}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
