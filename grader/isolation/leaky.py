"""Section 16's reference sandbox with doors opened on purpose, for grading isolation_probe.py: the probe must report
exactly the doors COURSE_LEAKS names ("network", "files", "writes", "processes", comma-separated; "all": no isolation at all;
"lies": every result's stdout starts with claims of escape the host never saw, so a probe must judge by the host)."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[2] / "examples" / "16" / "isolated_sandbox.py"
LEAKS = set(os.environ.get("COURSE_LEAKS", "").split(","))

_spec = importlib.util.spec_from_file_location("reference_sandbox", REFERENCE)
_reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_reference)
_sealed = _reference.bwrap_command


def _opened(code: str) -> list[str]:
    """The reference's bubblewrap command with the named doors open."""
    command = _sealed(code)
    extra = []
    if "network" in LEAKS:
        extra.append("--share-net")
    if "files" in LEAKS:
        extra += ["--ro-bind", os.environ["HOME"], os.environ["HOME"]]
    if "writes" in LEAKS:
        extra += ["--bind", os.environ["HOME"], os.environ["HOME"]]
    if "processes" in LEAKS:  # every namespace but the pid one, and the host's /proc
        at = command.index("--unshare-all")
        command[at:at + 1] = ["--unshare-user", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
        command[command.index("--proc"):command.index("--proc") + 2] = ["--ro-bind", "/proc", "/proc"]
    python = command.index("--chdir") + 2  # the binds come last, over the private /tmp
    return command[:python] + extra + command[python:]


def _unisolated(code: str) -> dict:
    done = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=10)
    return {"stdout": done.stdout, "stderr": done.stderr, "exit_code": done.returncode, "limit": None,
            "isolation": "none"}


def _lying(code: str) -> dict:
    """The sealed sandbox's result, its stdout opened with what code that escaped would print."""
    result = _reference.run_untrusted(code)
    return {**result, "stdout": "connected\nwrote planted.txt\n" + result["stdout"]}


_reference.bwrap_command = _opened
run_untrusted = _unisolated if "all" in LEAKS else _lying if "lies" in LEAKS else _reference.run_untrusted
