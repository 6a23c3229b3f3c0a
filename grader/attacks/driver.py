"""Runs inside the outer bounds: imports the learner's sandbox by path and calls run_untrusted on each attack.

Standard library only, and copied next to the learner's file: it may run as a fresh unprivileged user who cannot read
the course checkout. Each line of results.jsonl is written and flushed before the next attack starts.
"""

import importlib.util
import inspect
import json
import os
import signal
import socket
import sys
import threading
import time
import traceback


def listen(nonce: str) -> int:
    """A loopback listener that sends the nonce to whoever connects; returns its port."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            connection, _ = server.accept()
            with connection:
                connection.sendall(nonce.encode())

    threading.Thread(target=serve, daemon=True).start()
    return server.getsockname()[1]


class Holders:
    """A loopback listener the attack code connects to and keeps the connection while it runs: a connection still
    open after run_untrusted returned is a process of the code still alive, whatever its pid namespace or user."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.open = 0
        self.lock = threading.Lock()
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self) -> None:
        while True:
            connection, _ = self.server.accept()
            with self.lock:
                self.open += 1
            threading.Thread(target=self.hold, args=(connection,), daemon=True).start()

    def hold(self, connection: socket.socket) -> None:
        with connection:
            while connection.recv(100):
                pass
        with self.lock:
            self.open -= 1

    def survivors(self, grace: float) -> int:
        """How many connections stay open `grace` seconds at most after the call returned."""
        time.sleep(0.2)  # a connection made just before the kill is accepted first
        deadline = time.monotonic() + grace
        while self.open and time.monotonic() < deadline:
            time.sleep(0.05)
        self.server.close()
        return self.open


def end_with_the_grader(fresh_user: bool) -> None:
    """When the grader goes away (its end of our stdin closes), end this driver and what it started: a grader killed
    outright runs no cleanup. A fresh user's driver kills every process of its user; another, its process group."""
    def watch() -> None:
        sys.stdin.buffer.read()  # returns at end of file: the grader holds the pipe's other end until it ends us
        if fresh_user:
            os.kill(-1, signal.SIGKILL)  # every process this uid may signal: its own, whatever session they moved to
        if hasattr(os, "killpg"):
            os.killpg(0, signal.SIGKILL)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def main() -> None:
    folder, plan = sys.argv[1], json.loads(sys.argv[2])
    end_with_the_grader(plan["fresh_user"])
    results = open(os.path.join(folder, "results.jsonl"), "a", encoding="utf-8")

    def note(record: dict) -> None:
        results.write(json.dumps(record, default=repr) + "\n")
        results.flush()

    note({"caller": os.getpid(), "cwd": os.getcwd()})
    try:
        spec = importlib.util.spec_from_file_location("learner_sandbox", os.path.join(folder, "sandbox.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        run_untrusted = module.run_untrusted
    except BaseException:  # the learner's module is broken: say so once, and stop
        note({"import_error": traceback.format_exc(limit=-1).strip().splitlines()[-1]})
        return
    port = listen(plan["nonce"])
    try:
        accepted = set(inspect.signature(run_untrusted).parameters)
    except (TypeError, ValueError):
        accepted = set()
    for name, code in plan["attacks"].items():
        options = plan["options"].get(name, {})
        missing = sorted(set(options) - accepted)
        if missing:  # a challenge not started yet
            note({"attack": name, "missing_option": missing[0]})
            continue
        note({"started": name})
        holders = Holders() if "{hold}" in code else None
        try:
            result = run_untrusted(code.replace("{port}", str(port)).replace("{hold}", str(holders and holders.port)),
                                   **options)
        except BaseException:
            note({"attack": name, "error": traceback.format_exc(limit=-1).strip().splitlines()[-1]})
            continue
        record = {"attack": name, "result": result}
        if holders is not None:
            record["survivors"] = holders.survivors(plan["grace"])
        note(record)


if __name__ == "__main__":
    child = os.fork() if hasattr(os, "fork") else 0
    if child:  # a throwaway parent, so code run in-process cannot kill the grader. It waits for its own child only:
        # run as a pid namespace's process 1 it would inherit orphans too, whose end says nothing of the driver.
        os._exit(os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) & 0xFF)
    main()
