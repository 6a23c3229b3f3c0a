"""Facts lesson 15 states about limits and signals, pinned against the running platform (POSIX)."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="resource limits and these signals are POSIX only")


def test_sigxcpu_ends_a_process_with_status_152() -> None:
    """The lesson reads the CPU limit from exit status 128 + 24 (what the supervisor reports for SIGXCPU)."""
    assert signal.SIGXCPU == 24 and 128 + signal.SIGXCPU == 152


def test_python_ignores_sigxfsz_so_a_write_past_the_limit_raises_file_too_large() -> None:
    """Python starts with SIGXFSZ ignored: the write fails with EFBIG, errno 27, 'File too large'."""
    shown = subprocess.run([sys.executable, "-I", "-c", "import signal; print(signal.getsignal(signal.SIGXFSZ) == signal.SIG_IGN)"],
                           capture_output=True, text=True, check=True).stdout.strip()
    assert shown == "True"
    assert errno.EFBIG == 27 and os.strerror(errno.EFBIG) == "File too large"


def test_a_refused_fork_raises_blocking_io_error() -> None:
    """RLIMIT_NPROC makes fork fail with EAGAIN, which Python raises as BlockingIOError."""
    assert isinstance(OSError(errno.EAGAIN, os.strerror(errno.EAGAIN)), BlockingIOError)


def test_isolated_mode_sets_the_flag_the_grader_reads() -> None:
    """`python -I` shows as sys.flags.isolated == 1."""
    shown = subprocess.run([sys.executable, "-I", "-c", "import sys; print(sys.flags.isolated)"],
                           capture_output=True, text=True, check=True).stdout.strip()
    assert shown == "1"


ROOT_THEN_USER = """
import os, resource
resource.setrlimit(resource.RLIMIT_NPROC, (1, 1))
def fork():
    try:
        pid = os.fork()
    except BlockingIOError:
        return "refused"
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return "forked"
print(fork())
user = 2_000_000_000 + os.getpid()
os.setgroups([])
os.setgid(user)
os.setuid(user)
print(fork())
"""


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="only a root process shows root's exemption")
def test_rlimit_nproc_binds_root_only_once_it_becomes_another_user() -> None:
    """The kernel ignores RLIMIT_NPROC for root; after setgroups, setgid and setuid to an unprivileged uid, the same
    process with the same limit can no longer fork (the lesson's supervisor drops root for that reason)."""
    shown = subprocess.run([sys.executable, "-I", "-c", ROOT_THEN_USER], capture_output=True, text=True, check=True)
    assert shown.stdout.split() == ["forked", "refused"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the limit on one argument is Linux's")
def test_linux_takes_128_kib_in_one_argument() -> None:
    """The sandbox passes the code as one `-c` argument: Linux takes 128 KiB there (with its final NUL), no more."""
    fits = "#" * (128 * 1024 - 1)
    assert subprocess.run([sys.executable, "-I", "-c", fits], check=False).returncode == 0
    with pytest.raises(OSError) as refused:
        subprocess.run([sys.executable, "-I", "-c", fits + "#"], check=False)
    assert refused.value.errno == errno.E2BIG
