"""`python -m grader serve` as a learner runs it: bound before it prints, honest about stand-ins, drills
that replay the lesson's sequence however quickly a script is run again."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
KEY = "offline-course-key"
MODEL = "openai/gpt-oss-120b"


def serve(*args: str, stdin: int | None = subprocess.DEVNULL) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}
    return subprocess.Popen([sys.executable, "-m", "grader", "serve", *args], cwd=ROOT, env=env, text=True,
                            stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@dataclass
class Screen:
    """What the serve command printed so far, read by a thread."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, count: int = 1) -> list[str]:
        """The lines containing `text`, once there are `count` of them (the server prints as it answers)."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            found = [line for line in self.lines if text in line]
            if len(found) >= count or self.process.poll() is not None:
                return found
            time.sleep(0.02)
        return [line for line in self.lines if text in line]

    @property
    def base_url(self) -> str:
        exported = self.wait_for("export OPENAI_BASE_URL=")
        assert exported, "\n".join(self.lines)
        return exported[0].split("=", 1)[1]


@pytest.fixture(scope="module")
def screen() -> Iterator[Screen]:
    process = serve("--port", "0", stdin=subprocess.PIPE)
    running = Screen(process)
    threading.Thread(target=running.read, daemon=True).start()
    running.wait_for("Ctrl+C stops the server")
    yield running
    process.terminate()
    process.communicate(timeout=30)


def ask(screen: Screen, question: str) -> requests.Response:
    return requests.post(screen.base_url + "/chat/completions", headers={"Authorization": f"Bearer {KEY}"},
                         json={"model": MODEL, "messages": [{"role": "user", "content": question}]}, timeout=30)


def reply(answer: requests.Response) -> str:
    return answer.json()["choices"][0]["message"]["content"]


def test_a_taken_port_is_named_and_nothing_is_printed_to_paste() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out, err = serve("--port", str(port)).communicate(timeout=60)
    assert f"Port {port} on 127.0.0.1 is already in use" in err
    assert "make serve PORT=" in err and "python -m grader serve --port " in err
    assert "export" not in out + err and "Traceback" not in err


def test_the_lessons_prompt_gets_its_recording_and_the_screen_names_it(screen: Screen) -> None:
    answer = ask(screen, "Say hello in one short sentence.")
    assert reply(answer) == "Hello there, it's great to meet you!"
    [line] = screen.wait_for("'Say hello in one short sentence.'")
    assert "-> recording 01/greeting  [200]" in line


def test_an_unrecorded_question_gets_a_visible_stand_in(screen: Screen) -> None:
    answer = ask(screen, "What is the capital of Peru?")
    assert answer.status_code == 200
    assert reply(answer).startswith("(offline endpoint) This is a stand-in, not an answer")
    [line] = screen.wait_for("'What is the capital of Peru?'")
    assert "-> STAND-IN reply: no recording was made for this question" in line


def test_a_drill_plays_the_lessons_sequence_on_two_runs_in_a_row(screen: Screen) -> None:
    """A hand-written retry until the answer, run twice without a pause: 429 then 200, both times."""
    runs = [[ask(screen, "drill:429 Name one planet.").status_code for _ in range(2)] for _ in range(2)]
    assert runs == [[429, 200], [429, 200]]
    steps = screen.wait_for("'drill:429 Name one planet.'", 4)
    assert [line.split("-> ")[1] for line in steps] == [
        "recording 08/drill-429, reply 1 of 2  [429]", "recording 08/drill-429, reply 2 of 2  [200]"] * 2


def test_a_finished_drill_asked_again_starts_every_drill_over(screen: Screen) -> None:
    """sdk_errors.py's order: 503 until the answer, then one 429 without retries; the second run is the same."""
    def run() -> list[int]:
        statuses = [ask(screen, "drill:503 Name one ocean.").status_code for _ in range(3)]
        return statuses + [ask(screen, "drill:retry-after-ms Name one sea.").status_code]

    assert run() == run() == [503, 503, 200, 429]


def test_enter_on_the_servers_terminal_starts_every_drill_over(screen: Screen) -> None:
    assert ask(screen, "drill:outage Name one river.").status_code == 503
    assert screen.process.stdin is not None
    screen.process.stdin.write("\n")
    screen.process.stdin.flush()
    assert screen.wait_for("Every drill and sequence starts over")
    ask(screen, "drill:outage Name one river.")
    last = screen.wait_for("'drill:outage Name one river.'", 2)[-1]
    assert "reply 1 of 10" in last


def test_a_catch_all_answers_its_own_lesson_prompt_from_its_own_section(screen: Screen) -> None:
    """polite_batch.py's question reaches Section 08's generic answer (its lesson_prompts), not Section 01's."""
    ask(screen, "Name a planet.")
    [line] = screen.wait_for("'Name a planet.'")
    assert "-> recording 08/any-question  [200]" in line


def test_a_summary_of_a_transcript_that_lost_the_name_does_not_know_it(screen: Screen) -> None:
    """Section 07: a summariser sent only the later turns (the earlier summary dropped) cannot name Priya."""
    transcript = ("user: Any ideas for my first evening there?\n"
                  "assistant: Watch the sunset from the Miradouro da Senhora do Monte, then walk down to Alfama.")
    answer = requests.post(screen.base_url + "/chat/completions", headers={"Authorization": f"Bearer {KEY}"}, json={
        "model": MODEL, "messages": [{"role": "system", "content": "Summarise this conversation in at most three "
                                      "sentences. Keep every name, place, date, number and decision."},
                                     {"role": "user", "content": transcript}]}, timeout=30)
    assert "Priya" not in reply(answer)
