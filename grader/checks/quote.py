"""Short, readable quotes of what a script sent or printed."""

from __future__ import annotations

import json
from typing import Any

LIMIT = 300


def quote(text: str, limit: int = LIMIT) -> str:
    text = text.strip("\n").rstrip()
    if len(text) <= limit:
        return text
    return text[: limit - 20].rstrip() + f" … ({len(text) - limit + 20} more characters)"


def quote_exact(text: str, limit: int = 120) -> str:
    """A text in quotes with its whitespace visible (\\n, trailing spaces), its start and its end, for telling two
    near-equal texts apart."""
    shown = repr(text)
    if len(shown) <= limit:
        return shown
    head = (limit - 5) * 3 // 5
    return shown[:head] + " … " + shown[head - limit + 5:]  # the end too, where a stray newline or space sits


def quote_output(text: str, limit: int = LIMIT) -> str:
    if not text.strip():
        return "(nothing)"
    lines = text.strip("\n").rstrip().splitlines()
    shown = "\n".join(lines[-12:])
    prefix = f"(last 12 of {len(lines)} lines)\n" if len(lines) > 12 else ""
    return prefix + quote(shown, limit)


def quote_body(body: Any, limit: int = LIMIT) -> str:
    """A request body as compact JSON, long message texts shortened first."""

    def shorten(value: Any) -> Any:
        if isinstance(value, str) and len(value) > 80:
            return value[:60] + f"…({len(value)} chars)"
        if isinstance(value, list):
            return [shorten(v) for v in value]
        if isinstance(value, dict):
            return {k: shorten(v) for k, v in value.items()}
        return value

    if body is None:
        return "(no JSON body)"
    return quote(json.dumps(shorten(body), ensure_ascii=False), limit)
