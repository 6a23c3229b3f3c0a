"""Runs the endpoint on loopback: in a background thread for tests and grading, or in the foreground."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import sys
import threading
import time
from email.utils import formatdate
from pathlib import Path

import uvicorn

from ..load import stretched
from . import config, recordings, screen
from .app import DroppedByRecording, EndpointApp
from .session import Session
from .variant import Variant

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8765


class _QuietDrops(logging.Filter):
    """A connection dropped on purpose by a recording is not a server error worth a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DroppedByRecording))


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


def load_recordings(paths: list[Path]) -> list[recordings.RecordingFile]:
    return [recordings.load(path) for path in paths]


def _uvicorn(app: EndpointApp, **extra: object) -> uvicorn.Server:
    # The defaults vLLM's launcher uses, so `date` and `server: uvicorn` headers match.
    cfg = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", timeout_keep_alive=5, **extra)
    return _VariantClock(cfg, app.variant) if app.variant else uvicorn.Server(cfg)


class _VariantClock(uvicorn.Server):
    """uvicorn whose `date` header reads a variant server's clock (uvicorn refreshes it every second)."""

    def __init__(self, cfg: uvicorn.Config, variant: Variant) -> None:
        super().__init__(cfg)
        self.variant = variant

    def _date(self) -> None:
        date = formatdate(self.variant.now(), usegmt=True).encode()
        self.server_state.default_headers = [(b"date", date), *self.config.encoded_headers]

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self._date()

    async def on_tick(self, counter: int) -> bool:
        should_exit = await super().on_tick(counter)
        if counter % 10 == 0:
            self._date()
        return should_exit


def tcp_socket() -> socket.socket:
    """A listening socket whose connections asyncio sets to TCP_NODELAY: it does so only for sockets that name
    IPPROTO_TCP, and without it every keep-alive request waits about 40 ms on delayed ACKs."""
    return socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)


class Endpoint:
    """A recorded endpoint on an ephemeral loopback port, running until stop()."""

    def __init__(self, files: list[recordings.RecordingFile], *, grading: bool = True, pace: float = 0.0,
                 variant: Variant | None = None) -> None:
        self.app = EndpointApp(files, Session(secrets.token_urlsafe(24)), grading=grading, pace=pace, variant=variant)
        self._sock = tcp_socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((LOOPBACK, 0))
        self.port = self._sock.getsockname()[1]
        self._server = _uvicorn(self.app)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/v1"

    @property
    def root_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> Endpoint:
        self._thread.start()
        deadline = time.monotonic() + stretched(10)
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the recorded endpoint did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)
        self._sock.close()

    def new_session(self, api_key: str | None = None, *, pace: float | None = None) -> Session:
        """Forget the last run: a fresh key, an empty log, sequences from the start."""
        session = Session(api_key or "sk-course-" + secrets.token_urlsafe(24))
        self.app.session = session
        if pace is not None:
            self.app.settings.pace = pace
        return session

    def __enter__(self) -> Endpoint:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def listen(port: int) -> socket.socket:
    """A socket listening on `port` on loopback (0 picks a free one); OSError when the port is taken."""
    sock = tcp_socket()
    if os.name != "nt":  # on Windows the option would let a second server share the port silently
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((LOOPBACK, port))
        sock.listen(2048)  # uvicorn's backlog: connections queue from now on, before uvicorn accepts them
    except OSError:
        sock.close()
        raise
    return sock


def serve_forever(files: list[recordings.RecordingFile], port: int, api_key: str, *, stand_ins: bool = True) -> int:
    """The learner's offline endpoint: bound first, then announced; realistic pacing; each request on the screen."""
    try:
        sock = listen(port)
    except OSError as exc:
        print(screen.port_taken(LOOPBACK, port, exc), file=sys.stderr)
        return 2
    session = Session(api_key, rewind=True)
    app = EndpointApp(files, session, grading=False, pace=1.0, stand_ins=stand_ins)
    app.on_answer = screen.show
    print(screen.banner(LOOPBACK, sock.getsockname()[1], api_key, config.SERVED_MODEL, stand_ins), flush=True)
    threading.Thread(target=screen.restart_on_enter, args=(session,), daemon=True).start()
    try:
        _uvicorn(app).run(sockets=[sock])
    finally:
        sock.close()
    return 0
