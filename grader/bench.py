"""make bench: how fast the recorded endpoint answers, and what grading costs over the scripts themselves.

Measured here, never asserted in tests: a benchmark's numbers depend on the machine."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import paths
from .endpoint import Endpoint, config, load_recordings
from .runner import run_script
from .suite import catalog

KEY = "bench-key"
HELLO = {"model": config.SERVED_MODEL, "messages": [
    {"role": "system", "content": "You are a concise, friendly assistant."},
    {"role": "user", "content": "Say hello in one short sentence."}]}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_server(port: int) -> subprocess.Popen[bytes]:
    """The endpoint in its own process, so the load generator does not share its interpreter."""
    server = subprocess.Popen([sys.executable, "-m", "grader", "serve", "--port", str(port), "--key", KEY],
                              cwd=paths.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise SystemExit("the endpoint did not start")


def _load(port: int, body: dict, seconds: float, clients: int) -> tuple[int, list[float]]:
    payload = json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        mine = []
        while time.monotonic() < stop:
            started = time.perf_counter()
            conn.request("POST", "/v1/chat/completions", payload, headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            assert response.status == 200, response.status
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), latencies


def _long_paste(port: int) -> float:
    """Seconds to answer Section 03's oversized paste: one pre-token that harmony's own BPE encodes in quadratic time."""
    body = {**HELLO, "messages": [{"role": "user", "content": "a" * 1_100_000}], "max_tokens": 1}
    conn = http.client.HTTPConnection("127.0.0.1", port)
    started = time.perf_counter()
    conn.request("POST", "/v1/chat/completions", json.dumps(body), {"Authorization": f"Bearer {KEY}",
                                                                     "Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    assert response.status == 400, response.status
    return time.perf_counter() - started


def _report(label: str, count: int, latencies: list[float], seconds: float) -> None:
    ordered = sorted(latencies)
    p50 = ordered[len(ordered) // 2] * 1000
    p99 = ordered[int(len(ordered) * 0.99)] * 1000
    print(f"  {label:<34} {count / seconds:8.0f} req/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")


def bench_endpoint(seconds: float = 4.0) -> None:
    port = _free_port()
    server = _start_server(port)
    try:
        print(f"Recorded endpoint (its own process), {seconds:.0f} s per row, keep-alive clients:")
        for label, body, clients in [
            ("non-streaming, 1 client", HELLO, 1),
            ("non-streaming, 2 clients", HELLO, 2),
            ("streaming + usage, 1 client", {**HELLO, "stream": True, "stream_options": {"include_usage": True}}, 1),
        ]:
            _load(port, body, 0.5, clients)  # warm-up
            count, latencies = _load(port, body, seconds, clients)
            _report(label, count, latencies, seconds)
        print(f"  {'a 1.1 MB one-word paste (a 400)':<34} {_long_paste(port) * 1000:8.0f} ms")
    finally:
        server.terminate()
        server.wait()


def bench_grading(number: str = "01") -> None:
    section = catalog.load(number)
    assert section is not None
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch) / "work"
        work.mkdir()
        for declared in section.files.values():
            shutil.copy(paths.ROOT / declared.reference, work / declared.work)
        # the floor: every run the check makes, as a fresh `python work/x.py` (the way the learner runs it),
        # one after another, divided by the cores
        own = 0.0
        os.environ["COURSE_GRADER_FRESH"] = "1"
        try:
            with Endpoint(load_recordings([paths.ROOT / section.entry.recording])) as endpoint:
                for declared in section.files.values():
                    for scenario in [None, *declared.scenarios]:
                        session = endpoint.new_session()
                        settings = {"OPENAI_BASE_URL": endpoint.base_url, "OPENAI_API_KEY": session.api_key,
                                    "MODEL": config.SERVED_MODEL, **(scenario.env if scenario else {})}
                        own += run_script(f"work/{declared.work}", Path(scratch), settings,
                                          stdin=scenario.stdin if scenario and scenario.stdin else declared.stdin,
                                          timeout=declared.timeout).duration
        finally:
            del os.environ["COURSE_GRADER_FRESH"]
        floor = own / paths.cores()
        times = []
        for _ in range(3):
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "grader", "check", number], cwd=paths.ROOT,
                                  env={**os.environ, "COURSE_WORK_DIR": str(work),
                                       "COURSE_STATE_FILE": str(Path(scratch) / "progress.json")},
                                  capture_output=True, check=False)
            times.append(time.perf_counter() - started)
            assert done.returncode == 0, done.stdout.decode()
    check = statistics.median(times)
    print(f"\nmake check-{number} on a complete work/ ({paths.cores()} cores):")
    print(f"  scripts' own run time {own:.2f} s, floor (/{paths.cores()} cores) {floor:.2f} s")
    print(f"  check-{number} wall time (median of 3) {check:.2f} s  =  {check / floor:.2f} x the floor")


def main() -> None:
    bench_endpoint()
    bench_grading()


if __name__ == "__main__":
    main()
