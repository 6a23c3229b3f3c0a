"""Deterministic, explainable matching of a request to a recorded interaction."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .recordings import Interaction, Match


class Request:
    """The parts of an HTTP request that matching looks at, each derived once however many recordings ask."""

    def __init__(self, method: str, path: str, body: Any) -> None:
        self.method, self.path = method, path
        self.route = f"{method} {path}"
        self.body: dict[str, Any] = body if isinstance(body, dict) else {}

    @cached_property
    def messages(self) -> list[dict[str, Any]]:
        return _messages(self.body)

    @cached_property
    def users(self) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("role") == "user"]

    @cached_property
    def last_user(self) -> str:
        return text_of(self.users[-1].get("content")) if self.users else ""

    @cached_property
    def last_assistant_lower(self) -> str:
        found = [m for m in self.messages if m.get("role") == "assistant"]
        return text_of(found[-1].get("content")).lower() if found else ""

    @cached_property
    def system(self) -> str:
        return "\n".join(text_of(m.get("content")) for m in self.messages if m.get("role") in ("system", "developer"))

    @cached_property
    def everything(self) -> str:
        return "\n".join(text_of(m.get("content")) for m in self.messages)

    @cached_property
    def roles(self) -> list[Any]:
        return [m.get("role") for m in self.messages]

    @cached_property
    def last_user_lower(self) -> str:
        return self.last_user.lower()

    @cached_property
    def system_lower(self) -> str:
        return self.system.lower()

    @cached_property
    def everything_lower(self) -> str:
        return self.everything.lower()

    @cached_property
    def prompt_lower(self) -> str:
        prompt = self.body.get("prompt")
        return prompt.lower() if isinstance(prompt, str) else ""


def text_of(content: Any) -> str:
    """A message's text, whether content is a string or a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def _messages(body: Any) -> list[dict[str, Any]]:
    messages = body.get("messages") if isinstance(body, dict) else None
    if messages is None and isinstance(body, dict) and "input" in body:
        messages = _responses_messages(body)
    return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []


def _responses_messages(body: dict[str, Any]) -> list[Any]:
    """A /v1/responses body read as chat messages: `instructions` a developer message, a string `input` the user's,
    a `function_call_output` item a tool message."""
    given = body.get("input")
    items = [{"role": "user", "content": given}] if isinstance(given, str) else given if isinstance(given, list) else []
    items = [{"role": "tool", "content": i.get("output")} if isinstance(i, dict) and i.get("type") == "function_call_output"
             else i for i in items]
    instructions = body.get("instructions")
    return ([{"role": "developer", "content": instructions}] if isinstance(instructions, str) else []) + items


def _phrases(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _missing(phrases: str | list[str], lowered: str) -> list[str]:
    return [p for p in _phrases(phrases) if p.lower() not in lowered]


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value: Any) -> float | None:
    """A JSON value as vLLM's lax pydantic fields read a number: 0.7 and "0.7" alike; booleans are not numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _subset(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and _subset(v, actual[k]) for k, v in expected.items())
    return expected == actual


def mismatches(match: Match, request: Request, *, first_only: bool = False) -> list[str]:
    """Every condition of `match` the request fails, in words a person can act on (or just the first)."""
    if match.route != request.route:
        return [f"it answers {match.route}, not {request.route}"]
    body = request.body
    messages, users = request.messages, request.users
    problems: list[str] = []

    if match.stream is not None and bool(body.get("stream")) != match.stream:
        problems.append("it needs a streaming request" if match.stream else "it answers non-streaming requests only")
    if match.last_user_contains is not None:
        missing = _missing(match.last_user_contains, request.last_user_lower)
        if missing:
            problems.append(f"the last user message ({_short(request.last_user)!r}) lacks "
                            f"{', '.join(map(repr, missing))}")
    if problems and first_only:
        return problems
    if match.system_contains is not None:
        missing = _missing(match.system_contains, request.system_lower)
        if missing:
            problems.append(f"the system/developer messages lack {', '.join(map(repr, missing))}")
    if match.any_message_contains is not None:
        missing = _missing(match.any_message_contains, request.everything_lower)
        if missing:
            problems.append(f"no message contains {', '.join(map(repr, missing))}")
    if match.last_assistant_contains is not None:
        missing = _missing(match.last_assistant_contains, request.last_assistant_lower)
        if missing:
            problems.append(f"the last assistant message lacks {', '.join(map(repr, missing))}")
    if match.prompt_contains is not None:
        missing = _missing(match.prompt_contains, request.prompt_lower)
        if missing:
            problems.append(f"the prompt lacks {', '.join(map(repr, missing))}")
    if problems and first_only:
        return problems
    if match.roles is not None and request.roles != match.roles:
        problems.append(f"it needs roles {match.roles}, the request has {request.roles}")
    if match.user_turns is not None and len(users) != match.user_turns:
        problems.append(f"it needs {match.user_turns} user message(s), the request has {len(users)}")
    if match.has_tools is not None and bool(body.get("tools")) != match.has_tools:
        problems.append("it needs a request with tools" if match.has_tools else "it answers requests without tools")
    if match.last_is_tool_result is not None:
        is_tool = bool(messages) and messages[-1].get("role") == "tool"
        if is_tool != match.last_is_tool_result:
            problems.append("it needs a tool result as the last message" if match.last_is_tool_result
                            else "it answers before any tool result")
    if match.tool_results is not None:
        held = sum(1 for m in messages if m.get("role") == "tool")
        if held != match.tool_results:
            problems.append(f"it needs {match.tool_results} tool result(s), the request has {held}")
    if match.response_format is not None:
        fmt = body.get("response_format")
        kind = fmt.get("type") if isinstance(fmt, dict) else "none"
        if kind != match.response_format:
            problems.append(f"it needs response_format {match.response_format}, the request has {kind}")
    if match.n is not None and body.get("n", 1) != match.n:
        problems.append(f"it needs n={match.n}, the request has n={body.get('n', 1)}")
    if match.reasoning_effort is not None and body.get("reasoning_effort") != match.reasoning_effort:
        problems.append(f"it needs reasoning_effort={match.reasoning_effort!r}, "
                        f"the request has {body.get('reasoning_effort')!r}")
    if match.body is not None:
        for key, value in match.body.items():
            if not _subset(value, body.get(key)):
                problems.append(f"it needs {key}={value!r}, the request has {body.get(key)!r}")
    if match.between is not None:
        for key, (low, high) in match.between.items():
            number = _number(body.get(key))
            if number is None or not low <= number <= high:
                problems.append(f"it needs {key} between {low:g} and {high:g}, the request has {body.get(key)!r}")
    if match.present is not None:
        for key in match.present:
            if body.get(key) is None:
                problems.append(f"it needs {key} in the request")
    return problems


TEXT_CONDITIONS = ("last_user_contains", "system_contains", "any_message_contains", "last_assistant_contains",
                   "prompt_contains")


def answers_any_text(match: Match) -> bool:
    """A catch-all: the match reads none of the request's text, so it answers questions it was never recorded for."""
    return all(getattr(match, name) is None for name in TEXT_CONDITIONS)


def specificity(match: Match) -> int:
    """How many conditions a match sets: the most specific matching interaction wins."""
    score = 0
    for name in Match.model_fields:
        value = getattr(match, name)
        if name == "route" or value is None:
            continue
        if isinstance(value, (list, dict)) and name != "roles":
            score += len(value)
        else:
            score += 1
    return score


@dataclass(frozen=True)
class Miss:
    """Why nothing answered: the closest interactions and what each lacked."""

    closest: list[tuple[str, list[str]]]

    def explain(self) -> str:
        if not self.closest:
            return "no recording answers this route"
        parts = [f"{name!r}: {'; '.join(problems)}" for name, problems in self.closest]
        return "closest recordings: " + " | ".join(parts)


class Index:
    """Interactions by route, most specific first (ties keep file order): the first that matches wins."""

    def __init__(self, interactions: list[Interaction]) -> None:
        self.by_route: dict[str, list[Interaction]] = {}
        ranked = sorted(enumerate(interactions), key=lambda item: (-specificity(item[1].match), item[0]))
        for _, interaction in ranked:
            self.by_route.setdefault(interaction.match.route, []).append(interaction)

    def find(self, request: Request) -> Interaction | Miss:
        candidates = self.by_route.get(request.route, [])
        for interaction in candidates:
            if not mismatches(interaction.match, request, first_only=True):
                return interaction
        # A miss: now spend the time to explain the closest ones.
        near = sorted(((mismatches(i.match, request), n, i.name) for n, i in enumerate(candidates)),
                      key=lambda item: (len(item[0]), item[1]))
        return Miss([(name, problems) for problems, _, name in near[:3]])

    def own_recording(self, request: Request) -> Interaction | None:
        """The most specific interaction recorded for this very request (`make serve`): one that reads its text,
        or a catch-all that lists it among its lesson prompts. None when only catch-alls would answer."""
        for interaction in self.by_route.get(request.route, []):
            prompts = interaction.lesson_prompts or []
            own = not answers_any_text(interaction.match) or any(p.lower() in request.last_user_lower for p in prompts)
            if own and not mismatches(interaction.match, request, first_only=True):
                return interaction
        return None


def find(interactions: list[Interaction], request: Request) -> Interaction | Miss:
    return Index(interactions).find(request)
