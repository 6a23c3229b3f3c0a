"""Real escape attempts against a learner's `run_untrusted(code)`, each run for real inside outer bounds.

Section 15's grader/attacks runs its own attacks; these are the ones only OS-level isolation stops. A stage stands in
for the host: a home folder and a course folder (with a `.env`) in a temporary folder outside /tmp, a folder in the
host's /tmp, a listener on 127.0.0.1 and a host process with a marker in its command line. The learner's module is
imported in a child interpreter (child.py) inside Section 15's outer bounds that runs each attack's code through it;
the stage then says what the code reached.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..attacks.bounds import end_all, fresh_user, hand_over, start_bounded
from ..load import stretched

CHILD = Path(__file__).with_name("child.py")
INSTALL = "sudo apt-get install -y bubblewrap"  # the README's install line (Debian, Ubuntu), which .ci/run runs
OUTER_TIMEOUT_S = 60.0  # a guard against a sandbox that never returns, not a measure of speed
ENGINES = ("bwrap", "docker", "podman")


def missing_tools() -> str | None:
    """Why no escape attempt can run here, or None when bubblewrap, or a container engine that answers, is installed."""
    global _answer
    if _answer is None:
        engines = [tool for tool in ENGINES[1:] if shutil.which(tool)]
        working = shutil.which("bwrap") or any(
            subprocess.run([tool, "info"], capture_output=True, timeout=20, check=False).returncode == 0
            for tool in engines)
        _answer = "" if working else ("bubblewrap is not installed on this machine, so the checks that need it cannot "
                                      f"run: install it ({INSTALL})")
    return _answer or None


_answer: str | None = None


def _scratch_parent() -> str | None:
    """A temporary folder outside /tmp, which sandboxes usually replace with a private one: a stand-in there is
    hidden only by a sandbox that hides the host, not by its own /tmp."""
    return "/var/tmp" if os.access("/var/tmp", os.W_OK) else None


@dataclass
class Stage:
    """The stand-in host the attacks aim at."""

    root: Path
    shared_root: Path
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
                                      self.root / "planted.txt", self.shared_tmp / "planted.txt"))

    @property
    def shared_tmp(self) -> Path:
        """A stand-in folder in the host's own /tmp, which a sandbox must replace with a private one."""
        return self.shared_root / "shared"

    @property
    def tmp_note(self) -> Path:
        return self.shared_tmp / "note.txt"

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


def attack(source: str, neighbours: list[Path], attacks: dict[str, str], *, hide_tools: bool = False,
           as_caller: bool = False) -> Attempts:
    """Run each attack's code (formatted with the stage) through the learner's run_untrusted, inside outer bounds.
    `hide_tools`: PATH holds no isolation tool, as on a machine without bubblewrap. `as_caller`: the driver keeps the
    grader's own user (root on CI) instead of a fresh one, for attacks that ask what power the code got."""
    with (tempfile.TemporaryDirectory(prefix="course-isolation-", dir=_scratch_parent()) as scratch,
          tempfile.TemporaryDirectory(prefix="course-isolation-", dir="/tmp") as shared):
        stage = Stage(Path(scratch), Path(shared))
        for folder in (stage.home, stage.course / "work", stage.shared_tmp):
            folder.mkdir(parents=True)
        stage.secret_note.write_text(f"a note in your home folder: {stage.token}\n")
        stage.tmp_note.write_text(f"a note in the host's /tmp: {stage.token}\n")
        stage.dotenv.write_text(f"OPENAI_API_KEY=sk-{stage.token}\n")
        for neighbour in neighbours:
            shutil.copy(neighbour, stage.course / "work" / neighbour.name)
        (stage.course / "work" / "isolated_sandbox.py").write_text(source, encoding="utf-8")
        listener = socket.create_server(("127.0.0.1", 0))
        stage.port = listener.getsockname()[1]
        host = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", stage.marker])
        try:
            attempts = _drive(stage, attacks, hide_tools, host.pid, as_caller)
            attempts.accepted = _connections(listener)
            return attempts
        finally:
            host.kill()
            host.wait()
            listener.close()


def _drive(stage: Stage, attacks: dict[str, str], hide_tools: bool, host_pid: int, as_caller: bool) -> Attempts:
    """One child interpreter inside Section 15's outer bounds (grader/attacks/bounds.py): as root, a fresh user."""
    codes = {name: code.format(stage=stage, host_pid=host_pid) for name, code in attacks.items()}
    path = os.environ.get("PATH", "")
    if hide_tools:
        (stage.root / "bin").mkdir()
        path = str(stage.root / "bin")
    shutil.copy(CHILD, stage.root / "child.py")
    user = fresh_user() if os.geteuid() == 0 and not as_caller else None
    if user is not None:
        for top in (stage.root, stage.shared_root):
            hand_over(top, user)
    env = {"PATH": path, "HOME": str(stage.home), "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
    report = stage.root / "report.json"
    child = start_bounded(["-I", str(stage.root / "child.py"), "work/isolated_sandbox.py", str(report)], user,
                          cwd=stage.course, env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE)
    waited = stretched(OUTER_TIMEOUT_S)
    try:
        _, err = child.communicate(json.dumps(codes).encode(), timeout=waited)
        failed = None
    except subprocess.TimeoutExpired:
        failed = f"your run_untrusted had not returned after {waited:.0f} s, so the grader stopped it"
        err = b""
    finally:
        end_all(child, user)
    outcomes: dict[str, Outcome] = {}
    if report.exists() and failed is None:
        found = json.loads(report.read_text(encoding="utf-8"))
        failed = found.get("failed")
        outcomes = {name: Outcome(o.get("result"), o.get("raised")) for name, o in found.get("outcomes", {}).items()}
    elif failed is None:
        failed = "the grader's driver ended without a report: " + (
            err.decode("utf-8", "replace").strip().splitlines() or ["(no error output)"])[-1]
    return Attempts(stage, outcomes, failed, 0, stage.planted(), host_pid)
