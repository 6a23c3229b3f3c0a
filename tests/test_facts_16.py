"""What lesson 16 states about bubblewrap's and the container tools' flags and about exit statuses, pinned against
the tools installed here (each test skips, naming the tool, where it is missing)."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from grader.isolation import INSTALL

ROOT = Path(__file__).resolve().parent.parent
LESSON = (ROOT / "lessons/16-sandboxing-os-isolation.md").read_text(encoding="utf-8")
SECTIONS = re.split(r"^## ", LESSON, flags=re.M)
CONTAINERS = next(s for s in SECTIONS if s.startswith("The container route"))
BWRAP_FLAGS = {"--unshare-all", "--unshare-net", "--unshare-pid", "--unshare-user", "--unshare-ipc", "--unshare-uts",
               "--uid", "--gid", "--cap-drop", "--die-with-parent", "--new-session", "--clearenv", "--ro-bind",
               "--ro-bind-try", "--bind", "--dev", "--proc", "--tmpfs", "--chdir", "--version"}
CONTAINER_FLAGS = {"--network", "--read-only", "--tmpfs", "--user", "--cap-drop", "--security-opt", "--pids-limit",
                   "--memory", "--rm"}
SYSTEMD_RUN = {"--scope"}  # systemd-run --scope -p TasksMax=64, named as one way to cap a root sandbox's processes


def _help(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return done.stdout + done.stderr


def test_lesson_names_only_these_flags() -> None:
    """Every bubblewrap or container flag the lesson names is one the tests below pin."""
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", LESSON))
    known = BWRAP_FLAGS | CONTAINER_FLAGS | SYSTEMD_RUN
    assert named <= known, sorted(named - known)


def test_bubblewrap_has_the_flags_the_lesson_uses() -> None:
    if shutil.which("bwrap") is None:
        pytest.skip(f"bubblewrap is not installed ({INSTALL})")
    listed = set(re.findall(r"--[a-z][a-z-]+", _help("bwrap", "--help")))
    assert BWRAP_FLAGS <= listed, sorted(BWRAP_FLAGS - listed)


@pytest.mark.parametrize("tool", ["docker", "podman"])
def test_container_tools_have_the_flags_the_lesson_uses(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"no {tool} client on this machine")
    listed = set(re.findall(r"--[a-z][a-z-]+", _help(tool, "run", "--help")))
    used = {flag for flag in CONTAINER_FLAGS if flag in CONTAINERS}
    assert used and used <= listed, sorted(used - listed)


def test_exit_status_of_the_cpu_limit() -> None:
    """The lesson: bubblewrap reports a signal as 128 + its number, and 152 is SIGXCPU."""
    assert 128 + signal.SIGXCPU == 152 and "`exit_code` 152 is `SIGXCPU`" in LESSON


def test_bubblewrap_passes_a_signal_on_as_128_plus_its_number() -> None:
    if shutil.which("bwrap") is None:
        pytest.skip(f"bubblewrap is not installed ({INSTALL})")
    done = subprocess.run(["bwrap", "--ro-bind", "/", "/", "--unshare-pid", "--die-with-parent", "sh", "-c",
                           "kill -XCPU $$"], capture_output=True, check=False)
    assert done.returncode == 128 + signal.SIGXCPU
