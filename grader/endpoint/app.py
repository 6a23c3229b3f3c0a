"""The ASGI application: vLLM's routes, answered from recordings."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from . import config, generation, harmony, matcher, replies, responses, streaming, validation, wire
from .recordings import RecordingFile, Reply
from .recordings import Response as Recorded
from .session import LoggedRequest, Session, describe_key
from .variant import Variant

MAX_BODY = 64 * 1024 * 1024  # the endpoint's own guard; vLLM sets no limit
GUARDED_PREFIXES = ("/v1", "/v2", "/inference", "/cohere")
ROUTES = {
    "/v1/chat/completions": "POST",
    "/v1/completions": "POST",
    "/v1/responses": "POST",
    "/v1/models": "GET",
    "/tokenize": "POST",
    "/detokenize": "POST",
    "/version": "GET",
    "/health": "GET",
}
OFFLINE_REPLY = Reply(
    reasoning="No recording was made for this request, so the offline endpoint answers with its stand-in reply.",
    content=(
        "(offline endpoint) This is a stand-in, not an answer: the course's recorded endpoint has no recording "
        "for this question, and no model behind it. The lessons' own prompts get the replies recorded for them. "
        "Point OPENAI_BASE_URL at a live server to get a real answer."
    ),
)


class JSONBody(Response):
    """Starlette's JSONResponse bytes, keeping the object for the request log."""

    media_type = "application/json"

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.payload = body
        super().__init__(wire.dumps(body), status_code=status, headers=headers)




def _json_or_none(raw: bytes | None) -> Any:
    """The body for the log, even when the request is refused before it is validated."""
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


class DroppedByRecording(Exception):
    """Raised mid-stream so uvicorn closes the connection the way a failing server would."""


def _payload(event: bytes) -> Any:
    data = event.partition(b"data: ")[2].strip()  # a Responses event has an `event:` line first
    try:
        return json.loads(data)
    except ValueError:
        return data.decode("utf-8", "replace")


@dataclass
class Settings:
    """How the endpoint behaves beyond the recordings."""

    grading: bool = True  # on a miss: explain (grading) or answer a stand-in reply (offline)
    stand_ins: bool = False  # make serve: a catch-all answers a question it was not recorded for with the stand-in
    pace: float = 1.0  # multiplies recorded stream pacing; 0 sends events back to back
    index: matcher.Index = field(default_factory=lambda: matcher.Index([]))


class EndpointApp:
    def __init__(self, recordings: list[RecordingFile], session: Session, *, grading: bool, pace: float,
                 stand_ins: bool = False, variant: Variant | None = None) -> None:
        self.settings = Settings(grading, stand_ins, pace, matcher.Index([i for r in recordings for i in r.interactions]))
        self.session = session
        self.sections = {id(i): r.section for r in recordings for i in r.interactions}
        self.on_answer: Callable[[LoggedRequest], None] | None = None  # make serve's screen
        self.variant = variant  # a differently configured server (a grading run's second server), or None

    @property
    def model(self) -> str:
        return self.variant.model if self.variant else config.SERVED_MODEL

    @property
    def start_date(self) -> str:
        return self.variant.start_date if self.variant else config.SYSTEM_START_DATE

    def now(self) -> int:
        return int(self.variant.now() if self.variant else time.time())

    def served(self, obj: Any) -> Any:
        return self.variant.served(obj) if self.variant else obj

    def reply(self, recorded: Reply) -> Reply:
        """The recorded reply, or its other wording on a variant server."""
        return recorded.variant if self.variant and self.variant.alternatives and recorded.variant else recorded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                pass
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        try:
            response = await self.handle(Request(scope, receive))
        except ClientDisconnect:
            return  # the client went away before its body arrived: nobody to answer
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        session = self.session
        path, method = request.url.path, request.method
        raw = await self._read_body(request)
        header = request.headers.get("authorization")
        sent_key = header[7:] if header and header[:7].lower() == "bearer " else (header or None)
        guarded = path.startswith(GUARDED_PREFIXES)
        headers = dict(request.headers)
        if "authorization" in headers:
            headers["authorization"] = "Bearer " + describe_key(sent_key, session.api_key)
        if not guarded:
            auth = "open"
        elif sent_key is None:
            auth = "missing"
        else:
            auth = "ok" if describe_key(sent_key, session.api_key).startswith("<the key") else "wrong"
        entry = LoggedRequest(
            started=time.time(), method=method, path=path, headers=headers, auth=auth,
            body=_json_or_none(raw), raw_body=(raw or b"")[:4000].decode("utf-8", "replace"),
        )
        session.record(entry)
        try:
            response = await self._route(request, raw, entry)
        except validation.Rejected as rejected:
            response = JSONBody(rejected.status, rejected.body)
        entry.status = response.status_code
        if isinstance(response, JSONBody):
            entry.response = response.payload
        if not isinstance(response, StreamingResponse):
            entry.first_byte = entry.finished = time.time()
        if self.on_answer is not None:
            self.on_answer(entry)
        return response

    @staticmethod
    async def _read_body(request: Request) -> bytes | None:
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    async def _route(self, request: Request, raw: bytes | None, entry: LoggedRequest) -> Response:
        path, method = entry.path, entry.method
        if path.startswith("/v1/responses/") and method == "GET":  # retrieve_responses: nothing is ever stored
            if entry.auth != "ok":
                return JSONBody(401, wire.UNAUTHORIZED)
            raise responses.not_found(path.removeprefix("/v1/responses/"))
        if path not in ROUTES:
            return JSONBody(404, {"detail": "Not Found"})
        if ROUTES[path] != method:
            return JSONBody(405, {"detail": "Method Not Allowed"}, {"allow": ROUTES[path]})
        if entry.auth in ("missing", "wrong"):
            return JSONBody(401, wire.UNAUTHORIZED)
        if raw is None:
            raise validation.vllm_error(f"The request body is larger than {MAX_BODY} bytes.", "body")
        if path == "/version":
            return JSONBody(200, {"version": config.VLLM_VERSION})
        if path == "/health":
            return Response(b"", status_code=200)
        if path == "/v1/models":
            return JSONBody(200, self.served(wire.models_list(self.now())))
        body = validation.require_json(request.headers.get("content-type"), raw, entry.body)
        if path == "/tokenize":
            return self._tokenize(body)
        if path == "/detokenize":
            parsed = validation.parse(validation.DetokenizeRequest, body)
            validation.check_model(parsed.model, self.model)
            return JSONBody(200, {"prompt": harmony.decode(list(parsed.tokens))})
        if path == "/v1/completions":
            return await self._completion(body, request, entry)
        if path == "/v1/responses":
            return await responses.create(self, body, request, entry)
        return await self._chat(body, request, entry)

    def _tokenize(self, body: Any) -> Response:
        parsed = validation.parse(validation.TokenizeRequest, body)
        validation.check_model(parsed.model, self.model)
        if parsed.messages is not None:
            # The shared wire reference says 0.33.0 renders messages with harmony here, as the chat route does.
            tokens = harmony.chat_prompt_tokens(body, self.start_date)
        elif parsed.prompt is not None:
            tokens = harmony.text_tokens(parsed.prompt)
        else:
            raise validation.vllm_error("Either `prompt` or `messages` must be given.", "prompt")
        strs = harmony.token_strs(tokens) if parsed.return_token_strs else None
        return JSONBody(
            200, {"count": len(tokens), "max_model_len": config.MAX_MODEL_LEN, "tokens": tokens, "token_strs": strs}
        )

    def _find(self, entry: LoggedRequest) -> tuple[Recorded, str | None]:
        request = matcher.Request(entry.method, entry.path, entry.body)
        found = self.settings.index.find(request)
        if isinstance(found, matcher.Miss):
            entry.miss = found.explain()
            if self.settings.grading:
                raise validation.Rejected(
                    400,
                    wire.error(
                        f"[recorded endpoint] No recording answers this request; {entry.miss}.",
                        "NoRecordingError", 400,
                    ),
                )
            entry.stand_in = True
            return Recorded(reply=OFFLINE_REPLY), None
        if self.settings.stand_ins and matcher.answers_any_text(found.match):
            own = self.settings.index.own_recording(request)
            if own is None:  # a reply recorded for another question would pass for an answer to this one
                entry.interaction, entry.recording, entry.stand_in = found.name, self.sections.get(id(found)), True
                return Recorded(reply=OFFLINE_REPLY), None
            found = own
        entry.interaction, entry.recording = found.name, self.sections.get(id(found))
        steps = len(found.responses or [None])
        number = self.session.next_call(f"{entry.recording}/{found.name}", found.restart_after_s, length=steps)
        if steps > 1:
            entry.step = (min(number, steps - 1) + 1, steps)
        return found.response_for(number), found.name

    async def _chat(self, body: Any, request: Request, entry: LoggedRequest) -> Response:
        parsed = validation.parse(validation.ChatRequest, body)  # with the request model's own validators
        validation.check_chat(parsed)
        validation.check_model(parsed.model, self.model)
        validation.check_harmony(parsed)
        prompt = harmony.chat_prompt_tokens(body, self.start_date)
        validation.check_chat_context(len(prompt))
        validation.check_sampling(parsed)
        recorded, _ = self._find(entry)
        completion_id = "chatcmpl-" + (request.headers.get("x-request-id") or body.get("request_id") or wire.random_id())
        created = self.now()  # taken before the engine is waited for (chat_completion_full_generator)
        if recorded.delay_s:
            await self._stall(request, recorded.delay_s, entry)
        if recorded.reply is None:
            return self._literal(recorded, entry, completion_id, created, len(prompt))
        # the validated request, so "3" counts as 3 the way vLLM's pydantic model reads it
        generated = replies.generate(self.reply(recorded.reply), parsed.model_dump(exclude_unset=True), len(prompt))
        if not parsed.stream:
            body_out = self.served(wire.chat_completion(completion_id, created, generated.choices, generated.usage))
            return JSONBody(recorded.status, body_out, recorded.headers)
        include_usage = bool((parsed.stream_options or {}).get("include_usage"))
        events = [wire.sse_event(self.served(c)) for c in streaming.chunks(generated, completion_id, created, include_usage)]
        if recorded.stream_error is not None:  # the engine failed: its error event replaces the rest
            events = events[: recorded.stream_error.after_events] + [wire.sse_event(wire.ENGINE_FAILURE)]
        return self._stream(events + [wire.SSE_DONE], recorded, entry)

    @staticmethod
    async def _stall(request: Request, seconds: float, entry: LoggedRequest) -> None:
        """Wait as the recording says; a client that hangs up first (its timeout fired) is logged, and the wait ends."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            await asyncio.sleep(min(0.02, left))
            if await request.is_disconnected():
                entry.abandoned = time.time()
                return

    async def _completion(self, body: Any, request: Request, entry: LoggedRequest) -> Response:
        parsed = validation.parse(validation.CompletionRequest, body)
        validation.check_model(parsed.model, self.model)
        prompt = parsed.prompt
        prompt_tokens = len(harmony.text_tokens(prompt)) if isinstance(prompt, str) else len(prompt)
        validation.check_context(prompt_tokens)
        recorded, _ = self._find(entry)
        completion_id = "cmpl-" + (request.headers.get("x-request-id") or wire.random_id())
        created = self.now()
        if recorded.reply is None:
            return self._literal(recorded, entry, completion_id, created, prompt_tokens)
        reply = self.reply(recorded.reply)
        semantic = reply.text is None and reply.reasoning is not None  # a chat reply: the harmony tokens gpt-oss writes
        text = reply.text or reply.content or ""
        tokens = list(generation.completion_tokens(reply.reasoning, reply.content, ())) if semantic else harmony.text_tokens(text)
        budget = parsed.max_tokens if parsed.max_tokens is not None else replies.max_new_tokens(body, prompt_tokens)
        finish = "length" if len(tokens) > budget else "stop"
        if finish == "length":
            tokens = tokens[:budget]
        if semantic and parsed.skip_special_tokens is False:  # the detokenizer leaves out only the EOS that stopped it
            text = harmony.decode(tokens if finish == "length" else tokens[:-1])
        elif semantic or finish == "length":
            text = generation.visible_text(tokens) if semantic else harmony.decode(tokens)
        usage = wire.Usage(prompt_tokens, len(tokens), 0)
        return JSONBody(200, self.served(wire.text_completion(completion_id, created, text, finish, usage)))

    def _literal(self, recorded: Recorded, entry: LoggedRequest, completion_id: str, created: int, prompt_tokens: int) -> Response:
        """A recorded body or event list, with the per-request fields filled in."""

        def refresh(obj: Any) -> Any:
            if isinstance(obj, dict) and obj.get("object") in ("chat.completion", "chat.completion.chunk", "text_completion"):
                obj = {**obj, "id": completion_id, "created": created, "model": self.model}
                usage = obj.get("usage")
                if isinstance(usage, dict) and "prompt_tokens" in usage:
                    completion = usage.get("completion_tokens", 0)
                    obj["usage"] = {**usage, "prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens + completion}
            return obj

        if recorded.events is not None:
            events = [wire.sse_event(e if isinstance(e, str) else refresh(e)) for e in recorded.events]
            return self._stream(events, recorded, entry)
        if recorded.text is not None:
            return Response(recorded.text.encode(), status_code=recorded.status, headers=recorded.headers)
        return JSONBody(recorded.status, refresh(recorded.body), recorded.headers)

    def _stream(self, events: list[bytes], recorded: Recorded, entry: LoggedRequest) -> StreamingResponse:
        pace = self.settings.pace
        if recorded.drop_after_events is not None:
            events = events[: recorded.drop_after_events]
        entry.response = [_payload(e) for e in events]

        async def body() -> AsyncIterator[bytes]:
            last = time.monotonic() - max(0.0, time.time() - entry.started)  # the request's arrival: a slow start counts
            for number, event in enumerate(events):
                wait = recorded.pacing.first_ms if number == 0 else recorded.pacing.per_event_ms
                pause = wait * pace / 1000 if wait and pace else 0.0
                if pause:
                    await asyncio.sleep(pause)
                now = time.monotonic()  # before the write: a client that stops reading must not count as late
                entry.late = max(entry.late, now - last - pause)
                last = now
                yield event
                entry.event_times.append(time.time())
                if number == 0:
                    entry.first_byte = entry.event_times[0]
            entry.finished = time.time()
            if recorded.drop_after_events is not None:
                raise DroppedByRecording("the recording drops the connection here")

        return StreamingResponse(body(), status_code=recorded.status, headers=recorded.headers, media_type="text/event-stream")
