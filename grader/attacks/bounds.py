"""The outer bounds around a learner's sandbox: however broken it is, an attack cannot take the grading machine down.

The driver runs in a new session with its own memory, file-size, CPU and process caps, and a deadline per attack after
which everything it started is killed. Run as root, where the kernel ignores RLIMIT_NPROC, the driver runs as a fresh
unprivileged user instead, so the process cap holds, and every process of that user is killed afterwards. The attacks
of ROOT_BRANCH grade what a sandbox does when it runs as root: their driver stays root, inside a pids cgroup.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..load import stretched
from . import cgroups
from .catalogue import ATTACKS, OPTIONS, RESOURCE_LIMITED, ROOT_BRANCH

DRIVER = Path(__file__).with_name("driver.py")
MEMORY_CAP = 2 * 2**30  # address space of the driver and of each process it starts
FILE_CAP = 64 * 2**20
CPU_CAP = 60  # processor seconds per process
PROCESS_CAP = 150  # processes the driver's user may add
ROOT_PROCESS_CAP = 200  # processes the pids cgroup of a driver that stays root may hold
PER_ATTACK_S = 12.0  # a deadline, stretched on a busy machine: not a timing check, only a bound
SURVIVOR_GRACE_S = 2.0  # how long the code's processes may take to die after run_untrusted returned, stretched
POSIX_LIMITS = os.name == "posix"


@dataclass
class AttackReport:
    """What the learner's run_untrusted returned for each attack, or what happened to its caller instead."""

    results: dict[str, object] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)  # attack -> what the caller suffered (killed, hung, raised)
    missing_options: dict[str, str] = field(default_factory=dict)  # attack -> the keyword run_untrusted does not take
    survivors: dict[str, int] = field(default_factory=dict)  # attack -> its processes still alive after the call
    skipped: dict[str, str] = field(default_factory=dict)  # attack -> why this machine cannot run it
    caller: dict[str, object] = field(default_factory=dict)  # the driver's pid and working directory
    secret: str = ""  # OPENAI_API_KEY in the caller's environment
    nonce: str = ""  # what the host file holds and the loopback listener sends


def attack(source: str, names: list[str]) -> AttackReport:
    """Run the named attacks against a sandbox module's source, each in the outer bounds."""
    report = AttackReport(secret="sk-" + secrets.token_hex(16), nonce=secrets.token_hex(8))
    wanted = [name for name in names if POSIX_LIMITS or name not in RESOURCE_LIMITED]
    for name in names:
        if name not in wanted:
            report.problems[name] = "not contained on this platform: Windows has no resource limits"
    with tempfile.TemporaryDirectory(prefix="course-attacks-") as scratch:
        folder = Path(scratch)
        (folder / "sandbox.py").write_text(source, encoding="utf-8")
        shutil.copy(DRIVER, folder / "driver.py")
        host_file = folder / "host.txt"
        host_file.write_text(report.nonce, encoding="utf-8")
        user = fresh_user() if POSIX_LIMITS and os.geteuid() == 0 else None
        if user is not None:
            hand_over(folder, user)
        _run(folder, [name for name in wanted if name not in ROOT_BRANCH], report, user)
        as_root = [name for name in wanted if name in ROOT_BRANCH]
        if as_root:
            with cgroups.pids_cgroup(ROOT_PROCESS_CAP) as group:
                if group is None:
                    report.skipped.update(dict.fromkeys(as_root, cgroups.NO_CGROUP))
                else:
                    caller = report.caller  # the checks compare the code's pid and folder with the other driver's
                    _run(folder, as_root, report, None, group)
                    report.caller = caller
    return report


def _run(folder: Path, wanted: list[str], report: AttackReport, user: int | None, group: Path | None = None) -> None:
    """Drive the attacks until each is settled, a new driver after one that died or was killed."""
    host_file = folder / "host.txt"
    while wanted:
        codes = {name: ATTACKS[name].replace("{path!r}", repr(str(host_file))) for name in wanted}
        plan = {"nonce": report.nonce, "attacks": codes, "options": {n: OPTIONS[n] for n in codes if n in OPTIONS},
                "fresh_user": user is not None, "grace": stretched(SURVIVOR_GRACE_S)}
        done = _drive(folder, plan, report, user, group)
        wanted = [name for name in wanted if name not in done]


def _drive(folder: Path, plan: dict[str, object], report: AttackReport, user: int | None,
           group: Path | None = None) -> set[str]:
    """One driver process, in `group` where given: the attacks it settled (a result, or a harm to the caller)."""
    log = folder / "results.jsonl"
    log.unlink(missing_ok=True)
    env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", "HOME": str(folder),
           "OPENAI_API_KEY": report.secret}
    if os.name == "nt":
        env["SYSTEMROOT"] = os.environ.get("SYSTEMROOT", "")
    # stdin is a pipe the grader never writes to: the driver ends itself when it closes (see driver.py)
    process = start_bounded([str(folder / "driver.py"), str(folder), json.dumps(plan)], user, group, cwd=folder,
                            env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = stretched(PER_ATTACK_S)
    settled: set[str] = set()
    current, since, seen = None, time.monotonic(), 0
    try:
        while True:
            ended = process.poll() is not None
            records = _records(log)
            for record in records[seen:]:
                if "caller" in record:
                    report.caller = record
                elif "import_error" in record:
                    report.problems.update({n: f"importing your sandbox.py failed: {record['import_error']}"
                                            for n in plan["attacks"]})  # type: ignore[union-attr]
                    return set(plan["attacks"])  # type: ignore[arg-type]
                elif "started" in record:
                    current, since = record["started"], time.monotonic()
                elif "attack" in record:
                    settled.add(record["attack"])
                    if "missing_option" in record:
                        report.missing_options[record["attack"]] = record["missing_option"]
                    elif "error" in record:
                        report.problems[record["attack"]] = f"run_untrusted raised {record['error']}"
                    else:
                        report.results[record["attack"]] = record["result"]
                        if "survivors" in record:
                            report.survivors[record["attack"]] = record["survivors"]
            seen = len(records)
            if current is not None and current not in settled and (ended or time.monotonic() - since > deadline):
                report.problems[current] = (
                    f"the program that called run_untrusted died ({_death(process.returncode)})" if ended else
                    f"run_untrusted had not returned after {deadline:.0f} s, so the grader killed it")
                settled.add(current)
                return settled
            if ended:
                if current is None:  # died before its first attack
                    report.problems.update({n: f"the grader's driver failed ({_death(process.returncode)})"
                                            for n in plan["attacks"]})  # type: ignore[union-attr]
                    return set(plan["attacks"])  # type: ignore[arg-type]
                return settled
            time.sleep(0.05)
    finally:
        end_all(process, user)
        process.stdin.close()  # type: ignore[union-attr]


def _records(log: Path) -> list[dict[str, object]]:
    if not log.exists():
        return []
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return [json.loads(line) for line in lines if line.endswith("}")]


def _death(code: int | None) -> str:
    if code is not None and code < 0:
        return f"killed by signal {signal.Signals(-code).name}"
    return f"exit status {code}"


def start_bounded(arguments: list[str], user: int | None, group: Path | None = None,
                  **popen: Any) -> subprocess.Popen[bytes]:
    """`python ARGUMENTS` in a new session inside the outer bounds: as `user` where given, in `group` where given."""
    return subprocess.Popen([_python(user), *arguments], start_new_session=POSIX_LIMITS,
                            preexec_fn=_outer_limits(user, group) if POSIX_LIMITS else None, **_as(user), **popen)


def _as(user: int | None) -> dict[str, Any]:
    """Popen's arguments that run a child as `user` with no supplementary groups, or none for the grader's own."""
    return {"user": user, "group": user, "extra_groups": []} if user is not None else {}


def _outer_limits(user: int | None, group: Path | None = None):  # type: ignore[no-untyped-def]
    import resource

    processes = PROCESS_CAP if user is not None else _processes_now() + PROCESS_CAP

    def apply() -> None:
        if group is not None:
            cgroups.enter(group)
        for limit, value in ((resource.RLIMIT_AS, MEMORY_CAP), (resource.RLIMIT_FSIZE, FILE_CAP),
                             (resource.RLIMIT_CPU, CPU_CAP), (resource.RLIMIT_NPROC, processes)):
            hard = resource.getrlimit(limit)[1]
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)  # a user cannot raise a hard limit
            resource.setrlimit(limit, (value, value))

    return apply


def _processes_now() -> int:
    """How many processes (threads count too) this user has: RLIMIT_NPROC counts them all."""
    if Path("/proc").is_dir():
        total = 0
        for pid in _pids_of(os.getuid()):
            try:
                total += len(os.listdir(f"/proc/{pid}/task"))
            except OSError:  # ended meanwhile
                continue
        return total
    listed = subprocess.run(["ps", "-U", str(os.getuid()), "-o", "pid="], capture_output=True, text=True, check=False)
    return 4 * len(listed.stdout.split())  # threads are not listed: leave room for them


def _owners() -> dict[int, int]:
    """Every process's user, by pid, from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit():
                found[int(entry.name)] = entry.stat().st_uid
        except OSError:  # ended meanwhile
            continue
    return found


def _pids_of(user: int) -> list[int]:
    return [pid for pid, owner in _owners().items() if owner == user]


def hand_over(top: Path, user: int) -> None:
    """Make `user` the owner of the folder `top` and of everything in it."""
    for folder, _, files in os.walk(top):
        for item in (folder, *(os.path.join(folder, f) for f in files)):
            os.chown(item, user, user)


def end_all(process: subprocess.Popen[bytes], user: int | None) -> None:
    """Kill the driver and everything it started: its session, and as root every process of its fresh user."""
    if POSIX_LIMITS:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    process.kill()
    process.wait()
    for _ in range(100):
        pids = _pids_of(user) if user is not None else []
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.02)


_HANDED_OUT: set[int] = set()  # uids given to drivers of this process: one may not have started its driver yet
_HANDING_OUT = threading.Lock()
FRESH_UIDS = range(2_000_000, 2_000_000_000)  # far above the uids of accounts and of user namespaces' subuid ranges


def fresh_user() -> int:
    """A uid no process uses, for this driver alone. Drawn at random from a wide range: the grader's other processes
    (pytest-xdist's workers) hand out uids too, and killing every process of a uid must hit only this driver's."""
    with _HANDING_OUT:
        taken = _HANDED_OUT | set(_owners().values())
        user = FRESH_UIDS.start + secrets.randbelow(len(FRESH_UIDS))
        while user in taken:
            user = FRESH_UIDS.start + secrets.randbelow(len(FRESH_UIDS))
        _HANDED_OUT.add(user)
        return user


_PYTHONS: dict[bool, str] = {}


def _python(user: int | None) -> str:
    """An interpreter the driver's user can run: a fresh user may not reach a venv under /root. What one fresh user
    (no groups) can run, any other can, so the answer is kept for them all."""
    fresh = user is not None
    if fresh in _PYTHONS:
        return _PYTHONS[fresh]
    candidates = [sys.executable] if not fresh else [
        sys.executable, os.path.realpath(sys.executable), shutil.which("python3") or "", "/usr/bin/python3",
        "/usr/local/bin/python3"]
    for candidate in filter(None, candidates):
        try:
            works = subprocess.run([candidate, "-c", "import json, socket, importlib.util"], capture_output=True,
                                   check=False, **_as(user))
        except OSError:  # not executable by that user
            continue
        if works.returncode == 0:
            _PYTHONS[fresh] = candidate
            return candidate
    raise RuntimeError("no Python interpreter that an unprivileged user can run: the attacks cannot run as root here")
