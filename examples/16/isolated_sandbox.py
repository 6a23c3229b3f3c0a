"""Run model-written Python inside bubblewrap: no network, no host files, no host processes, plus Section 15's limits."""

import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile

TIMEOUT_S = 5
CPU_S = 3
MEMORY_BYTES = 256 * 1024 * 1024
FILE_BYTES = 1024 * 1024
PROCESSES = 64
OUTPUT_CHARS = 10_000


class NoIsolation(RuntimeError):
    """No isolation tool was found: the code was not run."""


def set_limits() -> None:
    """Section 15's resource limits, set in the child just before bubblewrap starts."""
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_S, CPU_S + 1))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_BYTES, FILE_BYTES))
    resource.setrlimit(resource.RLIMIT_NPROC, (PROCESSES, PROCESSES))


def bwrap_command(code: str) -> list[str]:
    """The bubblewrap command line: only the system's programs and Python are visible, read-only."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise NoIsolation("bubblewrap (bwrap) is not installed: see lessons/16 for the install line. Nothing was run.")
    python = os.path.realpath(sys.executable)
    prefix = os.path.realpath(sys.base_prefix)
    command = [bwrap, "--unshare-all", "--uid", "65534", "--gid", "65534", "--cap-drop", "ALL",
               "--die-with-parent", "--new-session", "--clearenv"]
    for folder in ("/usr", "/bin", "/lib", "/lib64", prefix):
        command += ["--ro-bind-try", folder, folder]
    command += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--chdir", "/tmp",
                python, "-I", "-c", code]
    return command


def which_limit(exit_code: int, stderr: str) -> str | None:
    """Name the limit that stopped the code, from its exit status and last error."""
    if exit_code == 128 + signal.SIGXCPU or exit_code == -signal.SIGXCPU:
        return "cpu"
    if exit_code == 128 + signal.SIGXFSZ or exit_code == -signal.SIGXFSZ or "File too large" in stderr:
        return "file_size"
    if "MemoryError" in stderr:
        return "memory"
    if "BlockingIOError" in stderr or "Resource temporarily unavailable" in stderr:
        return "processes"
    return None


def run_untrusted(code: str) -> dict:
    """Run `code` isolated and limited; report what it printed, how it ended, and which isolation held it."""
    command = bwrap_command(code)
    # Output goes to files, where RLIMIT_FSIZE stops a flood at FILE_BYTES.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                 preexec_fn=set_limits, start_new_session=True)
        try:
            child.wait(timeout=TIMEOUT_S)
            limit = None
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
            limit = "timeout"
        out.seek(0)
        err.seek(0)
        stdout = out.read(OUTPUT_CHARS + 1).decode("utf-8", "replace")
        stderr = err.read(OUTPUT_CHARS + 1).decode("utf-8", "replace")
    if limit is None and (len(stdout) > OUTPUT_CHARS or len(stderr) > OUTPUT_CHARS):
        limit = "output"
    if limit is None:
        limit = which_limit(child.returncode, stderr)
    exit_code = None if limit == "timeout" else child.returncode
    return {"stdout": stdout[:OUTPUT_CHARS], "stderr": stderr[:OUTPUT_CHARS], "exit_code": exit_code,
            "limit": limit, "isolation": "bubblewrap"}


if __name__ == "__main__":
    print(run_untrusted("import os; print('inside:', os.getuid(), sorted(os.listdir('/')))"))
