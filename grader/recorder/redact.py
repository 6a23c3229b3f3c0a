"""What must never reach a recording file: credentials in headers and key-shaped strings in bodies."""

from __future__ import annotations

import re
from typing import Any

REDACTED = "<redacted>"
# Response headers worth keeping; everything else (date, server, cookies, auth) is dropped.
KEPT_HEADERS = {"content-type", "x-request-id", "retry-after", "retry-after-ms"}
KEPT_PREFIXES = ("x-ratelimit-",)
KEY_SHAPES = [
    re.compile(r"\bsk-[A-Za-z0-9_\-]{8,}"),  # OpenAI-style secret keys
    re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/\-]{8,}=*"),  # a token quoted with its scheme
]


def headers(found: dict[str, str]) -> dict[str, str]:
    """Keep only harmless response headers; no credential-bearing header survives."""
    kept = {}
    for name, value in found.items():
        lower = name.lower()
        if lower in KEPT_HEADERS or lower.startswith(KEPT_PREFIXES):
            kept[lower] = value
    return kept


def text(value: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            value = value.replace(secret, REDACTED)
    for shape in KEY_SHAPES:
        value = shape.sub(REDACTED, value)
    return value


def body(value: Any, secrets: list[str]) -> Any:
    """Scrub every string inside a JSON value, keeping its structure and key order."""
    if isinstance(value, str):
        return text(value, secrets)
    if isinstance(value, list):
        return [body(v, secrets) for v in value]
    if isinstance(value, dict):
        return {k: body(v, secrets) for k, v in value.items()}
    return value
