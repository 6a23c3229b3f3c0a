"""Runs `python <script>` with a reduced environment, a network guard, a timeout and capped output."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from ..load import stretched
from . import forkserver, reap

GUARD_DIR = Path(__file__).with_name("guard")
LINUX = sys.platform.startswith("linux")
REAPER = Path(reap.__file__)
OUTPUT_CAP = 64 * 1024
READ_GUARD_S = 5.0  # after the run: time for the readers to drain the pipes; a busy machine lost stderr at 2 s
# What Python itself needs from the parent's environment; everything else is left out.
PASSED_THROUGH = ("PATH", "SYSTEMROOT", "COMSPEC", "WINDIR", "PATHEXT", "LANG", "LC_ALL", "TZ",
                  "SSL_CERT_FILE", "SSL_CERT_DIR")


@dataclass
class Output:
    """One output stream: the first OUTPUT_CAP bytes, how much more there was, and when it arrived."""

    data: bytearray = field(default_factory=bytearray)
    dropped: int = 0
    arrivals: list[tuple[float, int]] = field(default_factory=list)  # (time.time(), bytes so far)

    def text(self) -> str:
        return self.data.decode("utf-8", "replace")


@dataclass
class ScriptRun:
    script: str
    exit_code: int | None
    stdout: str
    stderr: str
    timed_out: bool
    duration: float
    blocked: list[str]  # addresses the network guard refused
    elsewhere: list[str]  # loopback addresses reached that were not the endpoint
    stdout_dropped: int
    stdout_arrivals: list[tuple[float, int]]
    started: float

    @property
    def crashed(self) -> bool:
        return self.exit_code not in (0, None) and "Traceback (most recent call last)" in self.stderr


def _pump(fd: int, sink: Output) -> None:
    total = 0
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # closed under us after the run ended: nothing more to read
            break
        if not chunk:
            break
        total += len(chunk)
        sink.arrivals.append((time.time(), total))
        room = OUTPUT_CAP - len(sink.data)
        sink.data += chunk[:room]
        sink.dropped += max(0, len(chunk) - room)


def _kill_tree(proc: subprocess.Popen[bytes]) -> None:
    if os.name == "posix":
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    else:  # Windows: taskkill ends the whole tree
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True, check=False)
    proc.kill()


def graded_env(settings: dict[str, str], home: Path, net_log: Path) -> dict[str, str]:
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env.update(
        HOME=str(home), USERPROFILE=str(home), TMPDIR=str(home), TEMP=str(home), TMP=str(home),
        PYTHONPATH=str(GUARD_DIR), PYTHONDONTWRITEBYTECODE="1", PYTHONIOENCODING="utf-8",
        COURSE_GRADER_NET_LOG=str(net_log), NO_COLOR="1",
    )
    env.setdefault("LANG", "C.UTF-8")
    env.update(settings)
    port = urlsplit(settings.get("OPENAI_BASE_URL", "")).port
    if port:
        env["COURSE_GRADER_ENDPOINT_PORT"] = str(port)
    return env


def prepare() -> forkserver.ForkServer | None:
    """Start the preloaded interpreter now (it takes most of a second), or get the running one."""
    return forkserver.shared(graded_env({}, Path(tempfile.gettempdir()), Path(os.devnull)))


def run_script(script: str, cwd: Path, settings: dict[str, str], *, timeout: float = 20.0,
               stdin: str | None = None, args: list[str] | None = None) -> ScriptRun:
    """Run `python <script>` from `cwd`, as the learner would type it, and capture what happened."""
    with tempfile.TemporaryDirectory(prefix="course-run-") as scratch:
        home = Path(scratch)
        net_log = home / "blocked.log"
        env = graded_env(settings, home, net_log)
        out, err = Output(), Output()
        started = time.time()
        server = prepare()
        if server is not None:
            exit_code, timed_out = _forked(server, script, args or [], cwd, env, stdin, timeout, out, err)
        else:
            exit_code, timed_out = _spawned(script, args or [], cwd, env, stdin, timeout, out, err)
        noted = [line.split(" ", 1) for line in net_log.read_text(encoding="utf-8").splitlines()] if net_log.exists() else []
        return ScriptRun(
            script=script,
            exit_code=None if timed_out else exit_code,
            stdout=out.text(),
            stderr=err.text(),
            timed_out=timed_out,
            duration=time.time() - started,
            blocked=[where for kind, where in noted if kind == "blocked"],
            elsewhere=[where for kind, where in noted if kind == "elsewhere"],
            stdout_dropped=out.dropped,
            stdout_arrivals=out.arrivals,
            started=started,
        )


def _readers(fds: tuple[int, int], out: Output, err: Output) -> list[threading.Thread]:
    readers = [threading.Thread(target=_pump, args=(fd, sink), daemon=True) for fd, sink in zip(fds, (out, err))]
    for reader in readers:
        reader.start()
    return readers


def _feed(pipe: BinaryIO, stdin: str) -> None:
    """Write the scripted input from a thread: a script that never reads it must not block the grader."""
    try:
        with pipe:
            pipe.write(stdin.encode())
    except BrokenPipeError:
        pass


def _forked(server: forkserver.ForkServer, script: str, args: list[str], cwd: Path, env: dict[str, str],
            stdin: str | None, timeout: float, out: Output, err: Output) -> tuple[int | None, bool]:
    """In a child of the preloaded interpreter: the same script, environment and pipes, without the imports' cost."""
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    in_r, in_w = os.pipe() if stdin is not None else (os.open(os.devnull, os.O_RDONLY), None)
    try:
        child = server.start(script, args, cwd, env, (in_r, out_w, err_w))
    finally:
        for fd in (in_r, out_w, err_w):
            os.close(fd)
    readers = _readers((out_r, err_r), out, err)
    if in_w is not None:
        threading.Thread(target=_feed, args=(os.fdopen(in_w, "wb"), stdin), daemon=True).start()
    timed_out = not child.ended.wait(timeout)
    try:
        os.killpg(child.pid, signal.SIGKILL)  # also ends anything the script left running in its group
    except (ProcessLookupError, PermissionError):
        pass
    # The preloaded interpreter ends what the script left in other groups before it reports the exit.
    child.ended.wait(forkserver.HANG_GUARD_S)
    for reader in readers:
        reader.join(timeout=stretched(READ_GUARD_S))
    for fd in (out_r, err_r):
        os.close(fd)
    return child.exit_code, timed_out


def _spawned(script: str, args: list[str], cwd: Path, env: dict[str, str],
             stdin: str | None, timeout: float, out: Output, err: Output) -> tuple[int | None, bool]:
    """A fresh `python <script>` process: on Windows and macOS, or with COURSE_GRADER_FRESH set.

    On Linux it runs under reap.py, which ends what the script leaves running in other groups."""
    command = [sys.executable, script, *args]
    proc = subprocess.Popen(
        [sys.executable, "-S", str(REAPER), *command] if LINUX else command, cwd=cwd, env=env,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=(os.name == "posix"),
        creationflags=getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0),
    )
    assert proc.stdout is not None and proc.stderr is not None
    readers = _readers((proc.stdout.fileno(), proc.stderr.fileno()), out, err)
    if stdin is not None and proc.stdin is not None:
        threading.Thread(target=_feed, args=(proc.stdin, stdin), daemon=True).start()
    timed_out = False
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        if LINUX:  # before reap.py itself, or what the script started would go to init
            reap.kill_descendants(proc.pid)
    _kill_tree(proc)  # also ends anything the script left running in its group
    proc.wait()
    for reader in readers:
        reader.join(timeout=stretched(READ_GUARD_S))
    return proc.returncode, timed_out
