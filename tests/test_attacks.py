"""grader/attacks against the Section 15 reference: what a process sandbox leaves open, pinned as expected behaviour."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader import paths
from grader.attacks import attack
from grader.load import stretched

REFERENCE = (paths.EXAMPLES / "15" / "sandbox.py").read_text(encoding="utf-8")


def test_a_process_sandbox_leaves_files_and_loopback_open() -> None:
    """The reference sandbox's code reads a file of the host and gets an answer from a listener on 127.0.0.1 (loopback
    only): limits on time, memory, files written, processes and output close neither door. Section 16 closes them."""
    report = attack(REFERENCE, ["host_file", "loopback"])
    assert not report.problems, report.problems
    for name in ("host_file", "loopback"):
        result = report.results[name]
        assert isinstance(result, dict) and report.nonce in result["stdout"], (name, result)
        assert result["exit_code"] == 0 and result["limit"] is None, (name, result)


def test_the_outer_bounds_outlast_a_sandbox_that_runs_code_in_process() -> None:
    """exec() in the caller's process: the code kills the driver's throwaway parent and exhausts nothing of the
    grader's; the caller's secret is found, and every attack still gets a verdict (a result or a problem)."""
    broken = ("def run_untrusted(code):\n    import contextlib, io\n    out = io.StringIO()\n"
              "    with contextlib.redirect_stdout(out):\n        exec(code, {})\n"
              "    return {'stdout': out.getvalue(), 'stderr': '', 'exit_code': 0, 'limit': None}\n")
    names = ["environment", "kill_parent", "hello"]
    report = attack(broken, names)
    assert set(report.results) | set(report.problems) == set(names)
    assert report.secret in report.results["environment"]["stdout"]  # type: ignore[index]
    assert report.results["hello"]["stdout"] == "42\n"  # type: ignore[index]


def _running(marker: str) -> list[int]:
    """The processes whose command line holds `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:  # ended meanwhile
            continue
    return found


def _until(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + stretched(seconds)
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_a_grader_killed_outright_leaves_no_attack_running(tmp_path: Path) -> None:
    """A grader killed with SIGKILL runs no cleanup: the driver sees its stdin close and ends what it started, here a
    sleeping program that a sandbox without a timeout runs (in a session of its own, where the driver is a fresh
    user that can end every process of its uid)."""
    if not Path("/proc").is_dir():
        return  # the driver's watch is POSIX; the processes are found through Linux's /proc
    marker = secrets.token_hex(8)
    own_session = os.geteuid() == 0  # as root the driver is a fresh user: it ends its uid's every process
    sandbox = tmp_path / "sandbox.py"
    sandbox.write_text(f"import subprocess, sys\n\ndef run_untrusted(code):\n"
                       f"    subprocess.run([sys.executable, '-c', '# {marker}\\n' + code], "
                       f"start_new_session={own_session})\n"
                       f"    return {{'stdout': '', 'stderr': '', 'exit_code': 0, 'limit': None}}\n")
    # The killed grader cannot remove its scratch folder: give it one this test removes (open to the driver's user).
    scratch = Path(tempfile.mkdtemp(prefix="course-killed-grader-"))
    scratch.chmod(0o755)
    grader = subprocess.Popen([sys.executable, "-c", "import sys\nfrom grader.attacks import attack\n"
                               "attack(open(sys.argv[1]).read(), ['sleeper'])\n", str(sandbox)],
                              cwd=paths.ROOT, stdin=subprocess.DEVNULL, env={**os.environ, "TMPDIR": str(scratch)})
    try:
        assert _until(lambda: _running(marker), 30), "the sleeping attack never started"
    finally:
        grader.kill()
        grader.wait()
    try:
        assert _until(lambda: not _running(marker), 10), f"still running after the grader died: {_running(marker)}"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
