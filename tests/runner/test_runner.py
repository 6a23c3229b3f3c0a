"""The hermetic runner, one small scenario script per situation."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from grader.runner import run_script

SETTINGS = {"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "OPENAI_API_KEY": "sk-course-test", "MODEL": "m"}


@pytest.fixture(autouse=True, params=["forked", "fresh"])
def mode(request, monkeypatch) -> str:
    """Every scenario holds for a child of the preloaded interpreter and for a fresh `python` process."""
    if request.param == "fresh":
        monkeypatch.setenv("COURSE_GRADER_FRESH", "1")
    elif not sys.platform.startswith("linux"):
        pytest.skip("the preloaded interpreter runs on Linux only")
    return request.param


def script(tmp_path: Path, name: str, code: str) -> str:
    (tmp_path / "work").mkdir(exist_ok=True)
    (tmp_path / "work" / name).write_text(code)
    return f"work/{name}"


def test_runs_like_the_learner_with_only_the_given_settings(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-the-learners-real-key")
    monkeypatch.setenv("SOME_SECRET", "hunter2")
    path = script(tmp_path, "env.py", "import os, sys\nprint(sorted(os.environ))\n"
                                      "print(os.environ['OPENAI_API_KEY'], os.getcwd(), sys.argv[0])\n")
    run = run_script(path, tmp_path, SETTINGS)
    assert run.exit_code == 0
    assert "SOME_SECRET" not in run.stdout and "sk-the-learners-real-key" not in run.stdout
    assert f"sk-course-test {tmp_path} work/env.py" in run.stdout


def test_learners_dotenv_is_never_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("OPENAI_API_KEY=sk-the-learners-real-key\nOPENAI_BASE_URL=https://example.com/v1\n")
    path = script(tmp_path, "dot.py", "import os\nfrom dotenv import load_dotenv, dotenv_values\n"
                                      "print(load_dotenv(override=True))\nprint(os.environ['OPENAI_API_KEY'])\n"
                                      "print(dotenv_values()['OPENAI_BASE_URL'])\n")
    run = run_script(path, tmp_path, SETTINGS)
    assert run.stdout.split() == ["True", "sk-course-test", "http://127.0.0.1:9/v1"], run.stderr


def test_network_outside_loopback_is_blocked_and_reported(tmp_path: Path) -> None:
    path = script(tmp_path, "net.py", "import socket\n"
                                      "try:\n    socket.create_connection(('203.0.113.7', 443), timeout=5)\n"
                                      "except OSError as e:\n    print('refused:', e)\n"
                                      "import requests\nrequests.get('https://api.openai.com/v1/models', timeout=5)\n")
    run = run_script(path, tmp_path, SETTINGS)
    assert not run.timed_out
    assert "refused: the grader blocks network access" in run.stdout
    assert run.blocked[0] == "203.0.113.7:443" and "api.openai.com:443" in run.blocked
    assert "[grader] blocked a connection to api.openai.com:443" in run.stderr
    assert run.exit_code != 0


def test_loopback_is_allowed(tmp_path: Path) -> None:
    path = script(tmp_path, "lo.py", "import socket\ns = socket.socket()\ns.bind(('127.0.0.1', 0))\ns.listen()\n"
                                     "c = socket.create_connection(s.getsockname())\nprint('ok')\n")
    assert run_script(path, tmp_path, SETTINGS).stdout.strip() == "ok"


@pytest.mark.skipif(os.name != "posix", reason="process groups")
def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    marker = tmp_path / "child-alive"
    child = f"import time; time.sleep(3); open({str(marker)!r}, 'w')"
    path = script(tmp_path, "hang.py", f"import subprocess, sys, time\nsubprocess.Popen([sys.executable, '-c', {child!r}])\n"
                                       "print('started', flush=True)\ntime.sleep(60)\n")
    run = run_script(path, tmp_path, SETTINGS, timeout=1)
    assert run.timed_out and run.exit_code is None
    assert run.stdout.strip() == "started"
    time.sleep(3.5)
    assert not marker.exists(), "a child of the timed-out script survived"


def test_crash_is_captured(tmp_path: Path) -> None:
    run = run_script(script(tmp_path, "crash.py", "def f():\n    raise ValueError('boom')\nf()\n"), tmp_path, SETTINGS)
    assert run.exit_code == 1 and run.crashed
    lines = run.stderr.strip().splitlines()
    assert lines[0] == "Traceback (most recent call last):" and lines[-1] == "ValueError: boom"
    assert lines[1].strip() == f'File "{tmp_path}/work/crash.py", line 3, in <module>' and "preload" not in run.stderr


def test_exit_codes_and_main_guard(tmp_path: Path) -> None:
    code = "import sys\nif __name__ == '__main__':\n    print(__file__, sys.argv)\n    sys.exit('bye')\n"
    run = run_script(script(tmp_path, "bye.py", code), tmp_path, SETTINGS)
    assert run.stdout.strip() == f"{tmp_path}/work/bye.py ['work/bye.py']"
    assert (run.exit_code, run.stderr.strip()) == (1, "bye")
    assert run_script(script(tmp_path, "three.py", "raise SystemExit(3)"), tmp_path, SETTINGS).exit_code == 3


def test_each_run_gets_its_own_randomness_and_imports(tmp_path: Path) -> None:
    path = script(tmp_path, "rand.py", "import random, sys\nprint(random.random(), 'helper' in sys.modules)\n")
    (tmp_path / "work" / "helper.py").write_text("")
    first, second = (run_script(path, tmp_path, SETTINGS).stdout for _ in range(2))
    assert first != second and first.split()[1] == "False"
    imports = script(tmp_path, "imp.py", "import helper\nprint(helper.__file__)\n")
    assert run_script(imports, tmp_path, SETTINGS).stdout.strip().endswith("work/helper.py")


def test_huge_output_is_capped(tmp_path: Path) -> None:
    run = run_script(script(tmp_path, "loud.py", "import sys\nfor _ in range(200000): sys.stdout.write('x' * 99 + '\\n')\n"),
                     tmp_path, SETTINGS)
    assert run.exit_code == 0
    assert len(run.stdout) == 64 * 1024 and run.stdout_dropped == 200000 * 100 - 64 * 1024


def test_stdin_is_scripted_and_otherwise_empty(tmp_path: Path) -> None:
    path = script(tmp_path, "ask.py", "import sys\nprint(repr(sys.stdin.read()))\n")
    assert run_script(path, tmp_path, SETTINGS, stdin="hello\nquit\n").stdout.strip() == "'hello\\nquit\\n'"
    assert run_script(path, tmp_path, SETTINGS).stdout.strip() == "''"


def test_output_arrival_times_are_recorded(tmp_path: Path) -> None:
    path = script(tmp_path, "slow.py", "import time\nprint('a', flush=True)\ntime.sleep(0.5)\nprint('b', flush=True)\n")
    run = run_script(path, tmp_path, SETTINGS)
    (t1, n1), (t2, n2) = run.stdout_arrivals[0], run.stdout_arrivals[-1]
    assert n1 == 2 and n2 == 4 and t2 - t1 >= 0.4


def test_uses_the_courses_interpreter(tmp_path: Path) -> None:
    run = run_script(script(tmp_path, "which.py", "import sys; print(sys.executable)"), tmp_path, SETTINGS)
    assert run.stdout.strip() == sys.executable


def test_unread_input_does_not_block_the_timeout(tmp_path: Path) -> None:
    path = script(tmp_path, "deaf.py", "import time\nprint('started', flush=True)\ntime.sleep(60)\n")
    run = run_script(path, tmp_path, SETTINGS, stdin="x" * 1_000_000, timeout=1)
    assert run.timed_out and run.stdout.strip() == "started"


SLEEPER = "import os, sys, time\nopen(sys.argv[1] + '.tmp', 'w').write(str(os.getpid()))\nos.rename(sys.argv[1] + '.tmp', sys.argv[1])\ntime.sleep(300)\n"
DAEMON = "import os, sys\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        exec(sys.argv[2])\n"
WAIT_FOR = "def wait_for(path):\n    while not os.path.exists(path):\n        time.sleep(0.02)\n"


def leaver(tmp_path: Path, name: str, how: str, then: str = "") -> str:
    """A script that leaves a 300 s sleeper behind, started `how` ("setsid" or "daemon"), writing its pid to <name>.pid."""
    pid_file = str(tmp_path / f"{name}.pid")
    start = (f"subprocess.Popen(['setsid', sys.executable, '-c', {SLEEPER!r}, {pid_file!r}])" if how == "setsid" else
             f"subprocess.run([sys.executable, '-c', {DAEMON!r}, {pid_file!r}, {SLEEPER!r}])")
    return script(tmp_path, f"{name}.py", f"import os, subprocess, sys, time\n{WAIT_FOR}{start}\nwait_for({pid_file!r})\n"
                                          f"print('started', flush=True)\n{then}")


def alive(pid: int) -> bool:
    try:
        return (Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]) != b"Z"
    except FileNotFoundError:
        return False


def ends(pid: int) -> bool:
    """Whether pid stops being alive, polled with a generous bound for a loaded machine."""
    for _ in range(3000):
        if not alive(pid):
            return True
        time.sleep(0.01)
    return False


@pytest.fixture
def sleepers(tmp_path: Path):
    """The pids the scenario's sleepers wrote, read on demand; any still alive afterwards is killed."""
    read = lambda name: int((tmp_path / f"{name}.pid").read_text())  # noqa: E731
    yield read
    for pid_file in tmp_path.glob("*.pid"):
        if alive(pid := int(pid_file.read_text())):
            os.kill(pid, 9)


linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="child subreapers are Linux only")


@linux_only
@pytest.mark.parametrize("how", ["setsid", "daemon"])
def test_what_a_script_leaves_in_another_session_is_ended(tmp_path: Path, sleepers, how: str) -> None:
    run = run_script(leaver(tmp_path, "left", how), tmp_path, SETTINGS)
    assert (run.exit_code, run.stdout.strip()) == (0, "started")
    assert ends(sleepers("left"))


@linux_only
def test_what_a_script_killed_by_a_signal_started_in_another_session_is_ended(tmp_path: Path, sleepers) -> None:
    run = run_script(leaver(tmp_path, "killed", "setsid", "os.kill(os.getpid(), 9)\n"), tmp_path, SETTINGS)
    assert (run.exit_code, run.stdout.strip()) == (-9, "started")
    assert ends(sleepers("killed"))


@linux_only
def test_what_a_timed_out_script_started_in_another_session_is_ended(tmp_path: Path, sleepers) -> None:
    run = run_script(leaver(tmp_path, "hung", "setsid", "time.sleep(60)\n"), tmp_path, SETTINGS, timeout=8)
    assert run.timed_out and run.stdout.strip() == "started"
    assert ends(sleepers("hung"))


@linux_only
def test_concurrent_runs_do_not_end_each_others_processes(tmp_path: Path, sleepers) -> None:
    """Run "first" keeps a daemon alive until "second" has ended with a sleeper of its own."""
    second_done = str(tmp_path / "second-done")
    check = (f"wait_for({second_done!r})\npid = int(open({str(tmp_path / 'first.pid')!r}).read())\n"
             "print(open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[0])\n")
    first: list = []
    thread = threading.Thread(target=lambda: first.append(
        run_script(leaver(tmp_path, "first", "daemon", check), tmp_path, SETTINGS, timeout=120)))
    thread.start()
    try:
        while not (tmp_path / "first.pid").exists() and thread.is_alive():
            time.sleep(0.02)
        second = run_script(leaver(tmp_path, "second", "setsid"), tmp_path, SETTINGS)
        assert second.exit_code == 0 and ends(sleepers("second"))
        assert alive(sleepers("first"))
    finally:
        Path(second_done).touch()
        thread.join()
    assert first[0].exit_code == 0 and first[0].stdout.split() == ["started", "S"]
    assert ends(sleepers("first"))


@linux_only
def test_a_killed_grader_leaves_no_script_running(tmp_path: Path, sleepers, mode: str) -> None:
    """A grader killed outright (SIGKILL) runs no cleanup: the preloaded interpreter sees its socket close and ends
    the scripts still running. A fresh run's reaper does not watch the grader, so that mode is not claimed."""
    if mode == "fresh":
        pytest.skip("only the preloaded interpreter watches the grader")
    pid_file = str(tmp_path / "stays.pid")
    path = script(tmp_path, "stays.py", f"import os, time\nopen({pid_file!r} + '.tmp', 'w').write(str(os.getpid()))\n"
                                        f"os.rename({pid_file!r} + '.tmp', {pid_file!r})\ntime.sleep(300)\n")
    grader = subprocess.Popen([sys.executable, "-c", "import sys\nfrom grader.runner import run_script\n"
                               f"run_script(sys.argv[1], sys.argv[2], {SETTINGS!r}, timeout=300)\n", path, str(tmp_path)],
                              cwd=Path(__file__).resolve().parents[2])
    try:
        for _ in range(3000):
            if os.path.exists(pid_file):
                break
            time.sleep(0.01)
        assert os.path.exists(pid_file), "the script never started"
    finally:
        grader.kill()
        grader.wait()
    assert ends(sleepers("stays"))
