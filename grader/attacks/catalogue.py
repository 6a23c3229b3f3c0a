"""The attacks: code a model might write, each paired with what the sandbox's result must show."""

from __future__ import annotations

MEMORY_MIB = 768  # the memory bomb's goal, under the outer cap: reaching it means no memory limit held it back
FORKS = 300  # the fork bomb's goal, above the outer process cap
DISK_MIB = 48  # the disk filler's goal, under the outer file-size cap
# About 20 MB: past the lesson's 10 MiB file-size limit, and short enough that a sandbox reading a pipe drains it
# well within its timeout on a busy machine (200 MB once outran a correct one's 5 s timeout under load).
FLOOD_LINES = 20_000

LIMITS_SEEN = ("import resource\nfor name in ('RLIMIT_CPU', 'RLIMIT_AS'):\n"
               "    print(name, *resource.getrlimit(getattr(resource, name)))\n")  # the limits the code runs under
# No CPU: only a wall-clock timeout ends it. The code holds a connection to the driver ({hold}) while it lives.
SLEEPER = ("import socket, time\nheld = socket.create_connection(('127.0.0.1', {hold}))\ntime.sleep(600)\n"
           "print('woke up')\n")

FORK_BOMB = ("import os, time\nstarted = 0\ntry:\n"
             f"    while started < {FORKS}:\n"
             "        if os.fork() == 0:\n            time.sleep(3)\n            os._exit(0)\n"
             "        started += 1\nfinally:\n    print('started', started, 'processes', flush=True)\n")

ATTACKS: dict[str, str] = {
    "hello": "print(6 * 7)\n",
    "crash": "import sys\nprint('something broke', file=sys.stderr)\nsys.exit(3)\n",
    "where": ("import os, sys\nprint('pid', os.getpid())\nprint('isolated', sys.flags.isolated)\n"
              "print('cwd', os.getcwd())\nprint('files', sorted(os.listdir('.')))\n"),
    "quotes": "print(\"it's $HOME, `echo hi` and \\\"quoted\\\"\")\n",
    "environment": "import os\nprint(sorted(os.environ))\nprint(os.environ.get('OPENAI_API_KEY', 'absent'))\n",
    "infinite_loop": "while True:\n    pass\n",
    "sleeper": SLEEPER,
    "limits": LIMITS_SEEN,
    "memory_bomb": (f"blocks = []\nfor i in range({MEMORY_MIB // 64}):\n    blocks.append(bytearray(64 * 2**20))\n"
                    f"print('allocated', {MEMORY_MIB}, 'MiB')\n"),
    "fork_bomb": FORK_BOMB,
    "fork_bomb_as_root": FORK_BOMB,  # graded with the driver staying root (ROOT_BRANCH)
    "escaper_as_root": ("import os, socket, time\nheld = socket.create_connection(('127.0.0.1', {hold}))\n"
                        "if os.fork() == 0:\n    os.setsid()  # out of the process group\ntime.sleep(600)\n"),
    "disk_filler": ("written = 0\ntry:\n    with open('filler.bin', 'wb') as f:\n"
                    f"        while written < {DISK_MIB}:\n"
                    "            f.write(bytes(2**20))\n            f.flush()\n            written += 1\n"
                    "finally:\n    print('wrote', written, 'MiB', flush=True)\n"),
    "output_flood": f"for _ in range({FLOOD_LINES}):\n    print('x' * 999)\n",
    "kill_parent": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nprint('sent SIGKILL to', os.getppid())\n",
    # The challenges: per-call limits a caller passes as keywords (OPTIONS), which may only tighten the defaults.
    "short_timeout": "import time\ntime.sleep(3)\nprint('woke up')\n",
    "small_memory": "block = bytearray(100 * 2**20)\nprint('allocated 100 MiB')\n",
    "default_memory": "block = bytearray(100 * 2**20)\nprint('allocated 100 MiB')\n",
    "long_timeout": SLEEPER,  # asks for more time than the default: must still stop at the default
    "more_memory": LIMITS_SEEN,  # asks for more memory than the default: must not get it
    "then_limits": LIMITS_SEEN,  # sorts after small_memory, so runs after it: the defaults must be back
    # Open doors a process sandbox leaves: the driver fills in a host file's path and a loopback listener's port.
    "host_file": "print(open({path!r}, encoding='utf-8').read())\n",
    "loopback": ("import socket\nwith socket.create_connection(('127.0.0.1', {port}), timeout=5) as s:\n"
                 "    print(s.recv(100).decode())\n"),
}

RESOURCE_LIMITED = ("limits", "more_memory", "then_limits",  # need POSIX resource limits
                    "memory_bomb", "fork_bomb", "fork_bomb_as_root", "escaper_as_root", "disk_filler")
# Run by a driver that stays root (the kernel ignores RLIMIT_NPROC there), bounded by a pids cgroup instead.
ROOT_BRANCH = ("fork_bomb_as_root", "escaper_as_root")

OPTIONS: dict[str, dict[str, int]] = {"short_timeout": {"timeout": 1}, "small_memory": {"memory_mb": 64},
                                    "long_timeout": {"timeout": 3600}, "more_memory": {"memory_mb": 1024}}
