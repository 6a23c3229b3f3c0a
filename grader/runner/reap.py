"""Linux only: ends every process a learner's script started, whatever session or group it moved to.

A script's descendants can leave its process group (`setsid`, `start_new_session=True`, a double
fork), so killing the group is not enough. A child subreaper keeps orphaned descendants as its own
children instead of handing them to init, so they stay findable in /proc until they are killed.
macOS and Windows keep the group (tree on Windows) kill in run.py: they have no subreaper.

Written by hand with the standard library: psutil lists descendants but cannot make a subreaper,
is not a course dependency, and preload.py must not load it into every learner's interpreter.

Also a script, for the fresh-process path: `python reap.py COMMAND...` runs COMMAND as its child,
kills whatever it left behind when it ends, and exits the way COMMAND did.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import time
from collections.abc import Collection

PR_SET_CHILD_SUBREAPER = 36  # <linux/prctl.h>


def become_subreaper() -> None:
    """Adopt this process's orphaned descendants instead of letting them go to init."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, *map(ctypes.c_ulong, (1, 0, 0, 0))) != 0:  # unsigned long, as the kernel reads them
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def _processes() -> dict[int, tuple[int, str]]:
    """Every process's parent pid and state letter, from /proc/<pid>/stat."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()  # the command name may hold spaces and ')'
        except OSError:  # it ended while we looked
            continue
        found[int(entry)] = (int(fields[1]), fields[0].decode())
    return found


def children(pid: int) -> list[int]:
    """The children of pid, zombies included (they still need reaping)."""
    return [child for child, (parent, _) in _processes().items() if parent == pid]


def descendants(pid: int) -> list[int]:
    """The live (not yet zombie) descendants of pid."""
    by_parent: dict[int, list[int]] = {}
    for child, (parent, state) in _processes().items():
        if state not in "ZX":
            by_parent.setdefault(parent, []).append(child)
    found, frontier = [], [pid]
    while frontier:
        kids = by_parent.get(frontier.pop(), [])
        found += kids
        frontier += kids
    return found


def _kill(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def kill_descendants(pid: int) -> None:
    """SIGKILL pid's descendants until none is left alive: a fork bomb may outrun a single pass."""
    while found := descendants(pid):
        _kill(found)
        time.sleep(0.01)  # let the killed ones die before looking again


def end_strays(keep: Collection[int]) -> None:
    """SIGKILL and reap this process's children that are not in keep, until there are none."""
    while strays := [pid for pid in children(os.getpid()) if pid not in keep]:
        _kill(strays)
        for pid in strays:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:  # reaped elsewhere already
                pass


def _exit_like(status: int) -> None:
    """End this process the way a child with this wait status ended."""
    if os.WIFSIGNALED(status):
        import resource  # Unix only, and run.py imports this module on Windows too

        number = os.WTERMSIG(status)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # the script may have dumped core; this one must not
        if number not in (signal.SIGKILL, signal.SIGSTOP):
            signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def main(command: list[str]) -> None:
    """Run command as this subreaper's only child; when it ends, end what it left and exit as it did."""
    become_subreaper()
    pid = os.fork()
    if pid == 0:
        os.execv(command[0], command)
    _, status = os.waitpid(pid, 0)
    end_strays(())
    _exit_like(status)


if __name__ == "__main__":
    main(sys.argv[1:])
