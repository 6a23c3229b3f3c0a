"""The preloaded interpreter: imports what learner scripts import, then forks one child per script.

Importing the openai SDK costs most of a second of CPU per script; forking an interpreter that
already holds it costs milliseconds. Run as a plain script (not through the grader package) with
the guard folder on PYTHONPATH, so a child's interpreter looks like `python work/x.py`'s: the same
sitecustomize, no grader modules. CPython reseeds `random` in every forked child by itself.

Protocol, over a SOCK_SEQPACKET socket whose fd is argv[1]:
  grader -> here: a JSON command {"id", "script", "args", "cwd", "env"} with three fds (stdin, stdout, stderr)
  here -> grader: "started <id> <pid>" and, when the child ends, "exited <id> <exit code>"

On Linux this process and every script are child subreapers (reap.py): what a script starts stays in
its tree whatever session it moves to, and what outlives the script is killed before "exited" is sent.
"""

import atexit
import builtins
import json
import os
import select
import socket
import sys
import threading
import traceback
import types

import reap  # from this folder; dropped from sys.modules below so a learner's own `reap` module still imports

del sys.modules["reap"]

for _name in ("openai", "requests", "dotenv", "httpx2"):
    try:
        __import__(_name)
    except ImportError:
        pass


def _run_child(command):
    """In the forked child: become `python <script>` and never return."""
    os.setsid()
    reap.become_subreaper()  # what the script orphans stays its child until the script ends
    os.chdir(command["cwd"])
    os.environ.clear()
    os.environ.update(command["env"])
    if "OPENAI_LOG" in os.environ and "openai" in sys.modules:
        sys.modules["openai"]._setup_logging()  # the SDK reads OPENAI_LOG when it is imported
    path = os.path.abspath(command["script"])  # python makes the main script's path absolute too
    sys.argv = [command["script"], *command["args"]]
    sys.path[0] = os.path.dirname(path)
    main = types.ModuleType("__main__")
    main.__file__ = path
    main.__builtins__ = builtins
    sys.modules["__main__"] = main
    try:
        with open(path, "rb") as handle:
            code = compile(handle.read(), path, "exec")
        exec(code, main.__dict__)
        status = 0
    except SystemExit as stop:
        status = _exit_status(stop.code)
    except BaseException as exc:  # what python itself prints for an uncaught exception, minus this frame
        traceback.print_exception(type(exc), exc, exc.__traceback__.tb_next)
        status = 1
    _finish(status)


def _exit_status(code):
    """SystemExit's argument as python turns it into an exit status."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _finish(status):
    """The interpreter's own shutdown, minus freeing every object the preloaded imports made (slow, unseen):
    wait for the script's threads, run its atexit handlers, flush, exit."""
    threading._shutdown()  # private, but it is what the interpreter calls to join non-daemon threads
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)


def serve(channel):
    reap.become_subreaper()  # what outlives a script comes here, and is ended before its run is reported over
    children = {}
    while True:
        ready, _, _ = select.select([channel], [], [], 0.01 if children else None)
        if ready:
            try:
                message, fds, _, _ = socket.recv_fds(channel, 1 << 20, 3)
            except OSError:
                message = b""
            if not message:  # the grader went away, perhaps killed outright: end the scripts it can no longer stop
                reap.kill_descendants(os.getpid())
                return
            command = json.loads(message)
            pid = os.fork()
            if pid == 0:
                channel.close()
                for target, fd in enumerate(fds):
                    os.dup2(fd, target)
                    os.close(fd)
                _run_child(command)
            for fd in fds:
                os.close(fd)
            children[pid] = command["id"]
            channel.send(f"started {command['id']} {pid}".encode())
        while children:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            run_id = children.pop(pid, None)
            if run_id is not None:
                reap.end_strays(children)  # only a running script's own processes stay its children
                channel.send(f"exited {run_id} {os.waitstatus_to_exitcode(status)}".encode())


if __name__ == "__main__":
    serve(socket.socket(fileno=int(sys.argv[1])))
