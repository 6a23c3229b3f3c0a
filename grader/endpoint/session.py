"""Per-run state of the endpoint: the expected key, the request log, sequence counters."""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


def describe_key(sent: str | None, expected: str) -> str:
    """The key reduced to whether it was right; a wrong key is never logged whole."""
    if sent is None:
        return "<missing>"
    if secrets.compare_digest(sent.encode(), expected.encode()):
        return "<the key from OPENAI_API_KEY>"
    return f"<a different key: {sent[:3]}…, {len(sent)} characters>"


@dataclass
class LoggedRequest:
    """One request as the endpoint received it, and what it answered."""

    started: float  # time.time()
    method: str
    path: str
    headers: dict[str, str]
    auth: str  # "ok", "wrong", "missing", "open" (a route vLLM does not guard)
    body: Any  # parsed JSON, or None
    raw_body: str  # the body as text (trimmed), for quoting when it is not JSON
    status: int = 0
    response: Any = None  # the JSON body sent back, or for a stream the list of event payloads
    interaction: str | None = None
    recording: str | None = None  # the section whose recording answered, e.g. "01"
    stand_in: bool = False  # answered with the offline stand-in reply, not a recording made for this request
    step: tuple[int, int] | None = None  # a sequence's reply number and length, e.g. (1, 2)
    miss: str | None = None
    first_byte: float | None = None
    finished: float | None = None
    event_times: list[float] = field(default_factory=list)
    abandoned: float | None = None  # when the client hung up during a recorded stall (delay_s), if it did
    late: float = 0.0  # the longest a streamed event came after its recorded pause (a busy machine), in seconds

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"

    def json_field(self, name: str, default: Any = None) -> Any:
        return self.body.get(name, default) if isinstance(self.body, dict) else default

    def messages(self) -> list[dict[str, Any]]:
        found = self.json_field("messages")
        return [m for m in found if isinstance(m, dict)] if isinstance(found, list) else []

    def roles(self) -> list[Any]:
        return [m.get("role") for m in self.messages()]

    def replies(self) -> list[str]:
        """The text of every choice the endpoint sent back (streamed deltas joined)."""
        if isinstance(self.response, dict):
            return [c.get("message", {}).get("content") or "" for c in self.response.get("choices") or []]
        if isinstance(self.response, list):
            texts: dict[int, str] = {}
            for event in self.response:
                for choice in event.get("choices") or [] if isinstance(event, dict) else []:
                    texts[choice["index"]] = texts.get(choice["index"], "") + (choice["delta"].get("content") or "")
            return [texts[i] for i in sorted(texts)]
        return []

    def usage(self) -> dict[str, Any] | None:
        """The usage block the endpoint sent back, if any."""
        events = self.response if isinstance(self.response, list) else [self.response]
        for event in reversed(events):
            if isinstance(event, dict) and isinstance(event.get("usage"), dict):
                return event["usage"]
        return None


class Session:
    """What one graded run (or one offline server) sees and remembers.

    With `rewind` (the learner's offline server, where runs are invisible), a sequence that has played to
    its end makes every sequence start over: asking a finished drill again means the script runs again.
    """

    def __init__(self, api_key: str, *, rewind: bool = False) -> None:
        self.api_key = api_key
        self.rewind = rewind
        self.log: list[LoggedRequest] = []
        self.calls: Counter[str] = Counter()
        self.last_call: dict[str, float] = {}
        self._lock = threading.Lock()

    def record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self.log.append(entry)

    def next_call(self, interaction: str, restart_after: float | None = None, *, length: int = 1) -> int:
        """How many times this interaction answered before: sequences (`length` responses) step through them.

        With `restart_after`, an interaction idle for that many seconds counts from 0 again.
        """
        with self._lock:
            moment = time.monotonic()
            idle = moment - self.last_call.get(interaction, moment)
            self.last_call[interaction] = moment
            if restart_after is not None and idle >= restart_after:
                self.calls[interaction] = 0
            if self.rewind and length > 1 and self.calls[interaction] >= length:
                self.calls.clear()
            number = self.calls[interaction]
            self.calls[interaction] += 1
            return number

    def restart_sequences(self) -> None:
        """Every sequence starts again from its first response."""
        with self._lock:
            self.calls.clear()

    def requests(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self.log)


def now() -> float:
    return time.time()
