"""Run untrusted Python code in a child process with limits, and report what happened."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

TIMEOUT_S = 5  # wall clock: the sandbox kills the code after this long
CPU_S = 2  # processor seconds
MEMORY_BYTES = 256 * 2**20  # address space
FILE_BYTES = 10 * 2**20  # largest file the code may write (its output files too)
PROCESSES = 32  # processes your user may have while the code runs
OUTPUT_BYTES = 64 * 2**10  # what we keep of stdout and of stderr
UID_BASE = 2_000_000_000  # as root, the code runs as uid UID_BASE + the caller's pid: a user no account has

# The code's parent: a throwaway process that sets the limits in its child, waits for it, and passes its status on.
SUPERVISOR = """
import json, os, subprocess, sys
try:
    import resource
except ImportError:
    resource = None
limits, user = json.loads(sys.argv[1]), int(sys.argv[2])
def apply_limits():
    for name, value in limits.items():
        resource.setrlimit(getattr(resource, name), value)
    if os.geteuid() == 0:  # the kernel ignores RLIMIT_NPROC for root: become an unprivileged user, for good
        os.setgroups([])
        os.setgid(user)
        os.setuid(user)
status = subprocess.call(sys.argv[3:], preexec_fn=apply_limits if resource else None)
sys.exit(status if status >= 0 else 128 - status)
"""

LIMITS = {"RLIMIT_CPU": [CPU_S, CPU_S + 1], "RLIMIT_AS": [MEMORY_BYTES, MEMORY_BYTES],
          "RLIMIT_FSIZE": [FILE_BYTES, FILE_BYTES], "RLIMIT_NPROC": [PROCESSES, PROCESSES]}


def which_limit(status: int | None, stdout: bytes, stderr: bytes) -> str | None:
    """The limit that stopped the code, read from its exit status and error output."""
    if status is None:
        return "timeout"
    if len(stdout) > OUTPUT_BYTES or len(stderr) > OUTPUT_BYTES:
        return "output"
    if status == 128 + getattr(signal, "SIGXCPU", 24):
        return "cpu"
    if b"MemoryError" in stderr:
        return "memory"
    if b"File too large" in stderr:
        return "file_size"
    if b"BlockingIOError" in stderr:
        return "processes"
    return None


def run_untrusted(code: str, timeout: float = TIMEOUT_S, memory_mb: int | None = None) -> dict:
    """Run `code` with a fresh interpreter in an empty folder and return stdout, stderr, exit_code and limit.
    A caller may ask for a shorter timeout or less memory than the defaults, never for more."""
    timeout = min(timeout, TIMEOUT_S)
    limits = dict(LIMITS)
    if memory_mb is not None:
        memory = min(memory_mb * 2**20, MEMORY_BYTES)
        limits["RLIMIT_AS"] = [memory, memory]
    with tempfile.TemporaryDirectory(prefix="sandbox-") as scratch:
        root = Path(scratch)
        (root / "work").mkdir()
        python, user = sys.executable, UID_BASE + os.getpid()
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            # The code will run as `user`: give it work/, and a system interpreter (not one under /root).
            os.chown(root / "work", user, user)
            python = shutil.which("python3", path="/usr/local/bin:/usr/bin") or python
        code_command = [python, "-I", "-c", code]
        command = [sys.executable, "-I", "-c", SUPERVISOR, json.dumps(limits), str(user), *code_command]
        if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("unshare"):
            # In a pid namespace every process the code starts dies with the supervisor, even one in a new session.
            command = ["unshare", "--pid", "--fork", "--kill-child", *command]
        with open(root / "stdout", "wb") as out, open(root / "stderr", "wb") as err:
            process = subprocess.Popen(command,
                                       cwd=root / "work", env={}, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                       start_new_session=True)
            try:
                status = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                status = None
            if hasattr(os, "killpg"):
                try:
                    os.killpg(process.pid, signal.SIGKILL)  # the code and anything it started
                except ProcessLookupError:
                    pass
            process.kill()
            process.wait()
        stdout = (root / "stdout").read_bytes()
        stderr = (root / "stderr").read_bytes()
    return {"stdout": stdout[:OUTPUT_BYTES].decode("utf-8", "replace"),
            "stderr": stderr[:OUTPUT_BYTES].decode("utf-8", "replace"),
            "exit_code": status, "limit": which_limit(status, stdout, stderr)}


if __name__ == "__main__":
    snippets = ['print("hello from the sandbox")',
                'import os\nprint(os.environ.get("OPENAI_API_KEY"))',
                "print(1 / 0)",
                "while True:\n    pass"]
    for snippet in snippets:
        print(snippet.splitlines()[0])
        print("  ->", json.dumps(run_untrusted(snippet)))
