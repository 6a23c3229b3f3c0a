"""Real escape attempts against a learner's `run_untrusted(code)`, each run for real inside outer bounds.

A stage stands in for the host: a home folder and a course folder (with a `.env`) in a temporary folder outside /tmp,
a listener on 127.0.0.1 and a host process with a marker in its command line. The learner's module is imported in a
child interpreter (child.py) that runs each attack's code through it; the stage then says what the code reached.
"""

from __future__ import annotations

import json
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

CHILD = Path(__file__).with_name("child.py")
INSTALL = "sudo apt-get install bubblewrap"  # the README's and lesson 16's install line (Debian, Ubuntu)
OUTER_TIMEOUT_S = 120.0  # a guard against a sandbox that never returns, not a measure of speed
OUTER_MEMORY = 2 * 1024 ** 3  # address space of the child interpreter and everything it starts
ENGINES = ("bwrap", "docker", "podman")


def missing_tools() -> str | None:
    """Why no escape attempt can run here, or None when an isolation tool is installed."""
    if any(shutil.which(tool) for tool in ENGINES):
        return None
    return f"bubblewrap is not installed on this machine, so no escape attempt can run: install it ({INSTALL})"


def _outer_bounds() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (OUTER_MEMORY, OUTER_MEMORY))


def _scratch_parent() -> str | None:
    """A temporary folder outside /tmp, which sandboxes usually replace with a private one: a stand-in there is
    hidden only by a sandbox that hides the host, not by its own /tmp."""
    return "/var/tmp" if os.access("/var/tmp", os.W_OK) else None


@dataclass
class Stage:
    """The stand-in host the attacks aim at."""

    root: Path
    token: str = field(default_factory=lambda: secrets.token_hex(8))
    marker: str = field(default_factory=lambda: secrets.token_hex(8))
    port: int = 0

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def course(self) -> Path:
        return self.root / "course"

    @property
    def secret_note(self) -> Path:
        return self.home / "notes.txt"

    @property
    def dotenv(self) -> Path:
        return self.course / ".env"

    @property
    def marker_reversed(self) -> str:
        """The marker as attack code spells it: never whole in the attack's own command line."""
        return self.marker[::-1]

    @property
    def targets(self) -> tuple[str, ...]:
        """Where the attacks try to leave a file on the host."""
        return tuple(str(p) for p in (self.course / "planted.txt", self.home / "planted.txt",
                                      self.root / "planted.txt"))

    def planted(self) -> list[str]:
        """Files the attacks left on the host (ran.txt: code that ran in the course folder itself)."""
        return [p for p in (*self.targets, str(self.course / "ran.txt")) if Path(p).exists()]


@dataclass
class Outcome:
    """What one attack's call returned (or raised), and what the stage saw."""

    result: dict | None
    raised: str | None


@dataclass
class Attempts:
    """Every attack's outcome, by name, with the stage they ran against."""

    stage: Stage
    outcomes: dict[str, Outcome]
    failed: str | None  # why the child could not report (import error, crash, outer timeout)
    accepted: int  # connections that reached the listener on 127.0.0.1
    planted: list[str]
    host_pid: int


def _connections(listener: socket.socket) -> int:
    """How many connections reached the listener: each waits in its backlog until accepted."""
    listener.setblocking(False)
    count = 0
    while True:
        try:
            listener.accept()[0].close()
        except BlockingIOError:
            return count
        count += 1


def attack(source: str, neighbours: list[Path], attacks: dict[str, str], *, hide_tools: bool = False) -> Attempts:
    """Run each attack's code (formatted with the stage) through the learner's run_untrusted, inside outer bounds.
    `hide_tools`: PATH holds no isolation tool, as on a machine without bubblewrap."""
    with tempfile.TemporaryDirectory(prefix="course-isolation-", dir=_scratch_parent()) as scratch:
        stage = Stage(Path(scratch))
        for folder in (stage.home, stage.course / "work"):
            folder.mkdir(parents=True)
        stage.secret_note.write_text(f"a note in your home folder: {stage.token}\n")
        stage.dotenv.write_text(f"OPENAI_API_KEY=sk-{stage.token}\n")
        for neighbour in neighbours:
            shutil.copy(neighbour, stage.course / "work" / neighbour.name)
        (stage.course / "work" / "isolated_sandbox.py").write_text(source, encoding="utf-8")
        listener = socket.create_server(("127.0.0.1", 0))
        stage.port = listener.getsockname()[1]
        host = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", stage.marker])
        try:
            attempts = _drive(stage, attacks, hide_tools, host.pid)
            attempts.accepted = _connections(listener)
            return attempts
        finally:
            host.kill()
            host.wait()
            listener.close()


def _drive(stage: Stage, attacks: dict[str, str], hide_tools: bool, host_pid: int) -> Attempts:
    codes = {name: code.format(stage=stage, host_pid=host_pid) for name, code in attacks.items()}
    path = os.environ.get("PATH", "")
    if hide_tools:
        empty = stage.root / "bin"
        empty.mkdir()
        path = str(empty)
    env = {"PATH": path, "HOME": str(stage.home), "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
           "TMPDIR": tempfile.gettempdir()}
    child = subprocess.Popen([sys.executable, "-I", str(CHILD), "work/isolated_sandbox.py"], cwd=stage.course,
                             env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             preexec_fn=_outer_bounds, start_new_session=True)
    try:
        out, err = child.communicate(json.dumps(codes).encode(), timeout=OUTER_TIMEOUT_S)
        failed = None
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        out, err = child.communicate()
        failed = f"your run_untrusted had not returned after {OUTER_TIMEOUT_S:g} s, so the grader stopped it"
    reported = out.decode("utf-8", "replace").strip().splitlines()
    outcomes: dict[str, Outcome] = {}
    if reported and failed is None:
        found = json.loads(reported[-1])
        failed = found.get("failed")
        outcomes = {name: Outcome(o.get("result"), o.get("raised")) for name, o in found.get("outcomes", {}).items()}
    elif failed is None:
        failed = "importing your file failed: " + (err.decode("utf-8", "replace").strip().splitlines() or ["?"])[-1]
    return Attempts(stage, outcomes, failed, 0, stage.planted(), host_pid)
