"""A loopback proxy that forwards to the live endpoint and captures each exchange."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

# Request headers forwarded upstream; the proxy adds the real Authorization itself.
FORWARDED = ("content-type", "accept", "user-agent", "x-request-id")


@dataclass
class Capture:
    method: str
    path: str
    body: Any
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    response: Any = None  # JSON body, or for a stream the list of event payloads
    raw: str | None = None  # a body that is not JSON
    event_gaps_ms: list[float] = field(default_factory=list)


class RecordingProxy:
    """ASGI app: the examples talk to it; it talks to `upstream` with the real key."""

    def __init__(self, upstream_root: str, api_key: str) -> None:
        self.upstream_root = upstream_root.rstrip("/")
        self.api_key = api_key
        self.captures: list[Capture] = []
        self.client = httpx.AsyncClient(timeout=httpx.Timeout(600, connect=10))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        raw = await request.body()
        try:
            parsed: Any = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        capture = Capture(request.method, request.url.path, parsed)
        self.captures.append(capture)
        headers = {k: v for k, v in request.headers.items() if k in FORWARDED}
        headers["authorization"] = f"Bearer {self.api_key}"
        upstream = self.client.build_request(request.method, self.upstream_root + request.url.path,
                                             content=raw, headers=headers, params=request.query_params)
        reply = await self.client.send(upstream, stream=True)
        capture.status = reply.status_code
        capture.headers = dict(reply.headers)
        if reply.headers.get("content-type", "").startswith("text/event-stream"):
            response: Response = StreamingResponse(self._relay(reply, capture), status_code=reply.status_code,
                                                   media_type="text/event-stream")
        else:
            content = await reply.aread()
            await reply.aclose()
            try:
                capture.response = json.loads(content)
            except ValueError:
                capture.raw = content.decode("utf-8", "replace")
            response = Response(content, status_code=reply.status_code,
                                media_type=reply.headers.get("content-type"))
        await response(scope, receive, send)

    async def _relay(self, reply: httpx.Response, capture: Capture) -> AsyncIterator[bytes]:
        events: list[Any] = []
        buffer = b""
        last = time.monotonic()
        async for chunk in reply.aiter_bytes():
            yield chunk
            buffer += chunk
            while b"\n\n" in buffer:
                event, buffer = buffer.split(b"\n\n", 1)
                data = event.decode("utf-8", "replace").removeprefix("data: ")
                now = time.monotonic()
                capture.event_gaps_ms.append((now - last) * 1000)
                last = now
                try:
                    events.append(json.loads(data))
                except ValueError:
                    events.append(data)
        await reply.aclose()
        capture.response = events
