"""Talks to the preloaded interpreter (preload.py): start a script in a forked child, learn when it ends."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

PRELOAD = Path(__file__).with_name("preload.py")
HANG_GUARD_S = 300.0  # only a hung preloaded interpreter takes this long; a dead one answers at once


@dataclass
class Child:
    pid: int
    ended: threading.Event = field(default_factory=threading.Event)
    exit_code: int | None = None


class ForkServer:
    """One preloaded interpreter per grader process, shared by its worker threads."""

    def __init__(self, env: dict[str, str]) -> None:
        self._channel, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._process = subprocess.Popen([sys.executable, str(PRELOAD), str(theirs.fileno())], env=env,
                                         pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        theirs.close()
        self._lock = threading.Lock()
        self._next = 0
        self._started: dict[int, threading.Event] = {}
        self._pids: dict[int, int] = {}
        self._children: dict[int, Child] = {}
        self._early: dict[int, int] = {}  # exit codes that arrived before start() registered the child
        threading.Thread(target=self._listen, daemon=True).start()

    def _listen(self) -> None:
        while True:
            try:
                message = self._channel.recv(256).decode()
            except OSError:
                message = ""
            if not message:  # the preloaded interpreter died: release everyone waiting
                with self._lock:
                    for event in self._started.values():
                        event.set()
                    for child in self._children.values():
                        child.ended.set()
                return
            kind, run_id, value = message.split()
            with self._lock:
                if kind == "started":
                    self._pids[int(run_id)] = int(value)
                    self._started[int(run_id)].set()
                elif (child := self._children.pop(int(run_id), None)) is not None:
                    child.exit_code = int(value)
                    child.ended.set()
                else:
                    self._early[int(run_id)] = int(value)

    def start(self, script: str, args: list[str], cwd: Path, env: dict[str, str], fds: tuple[int, int, int]) -> Child:
        with self._lock:
            self._next += 1
            run_id = self._next
            started = self._started[run_id] = threading.Event()
            command = json.dumps({"id": run_id, "script": script, "args": args, "cwd": str(cwd), "env": env})
            socket.send_fds(self._channel, [command.encode()], list(fds))
        # No deadline but a hang guard: a busy machine may take many seconds, and a dead server releases the wait.
        started.wait(HANG_GUARD_S)
        if run_id not in self._pids:
            raise RuntimeError("the preloaded interpreter did not start the script")
        with self._lock:
            child = Child(self._pids.pop(run_id))
            del self._started[run_id]
            if run_id in self._early:
                child.exit_code = self._early.pop(run_id)
                child.ended.set()
            else:
                self._children[run_id] = child
        return child

    @property
    def alive(self) -> bool:
        return self._process.poll() is None


_server: ForkServer | None = None
_server_lock = threading.Lock()


def shared(env: dict[str, str]) -> ForkServer | None:
    """The process's fork server, started on first use; None where it is not wanted or not available.

    Linux only: macOS lacks SOCK_SEQPACKET for local sockets and warns about forking after system
    frameworks load, and Windows cannot fork. There every script is a fresh `python` process."""
    global _server
    if not sys.platform.startswith("linux") or os.environ.get("COURSE_GRADER_FRESH"):
        return None
    with _server_lock:
        if _server is None or not _server.alive:
            _server = ForkServer(env)
        return _server
