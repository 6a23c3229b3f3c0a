"""grader/attacks against the Section 15 reference: what a process sandbox leaves open, pinned as expected behaviour."""

from __future__ import annotations

from grader import paths
from grader.attacks import attack

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
