"""What lesson 06 states about streams, the SDK and requests, pinned against the installed versions and the endpoint."""

from __future__ import annotations

import json
import os
import pty
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import openai
import oracle
import pytest
import requests

from grader.endpoint import config, recordings
from grader.runner import run_script

ROOT = Path(__file__).resolve().parent.parent
LESSON = (ROOT / "lessons/06-streaming.md").read_text()
RECORDING = recordings.load(ROOT / "recordings/06-streaming.json")
SKY = [{"role": "system", "content": "You are a patient science teacher."},
       {"role": "user", "content": "Why is the sky blue? Answer in three short sentences."}]
BEGINNER = [{"role": "system", "content": "You are a friendly programming tutor. Keep answers short."},
            {"role": "user", "content": "Which programming language should a beginner learn first? Answer in two sentences."}]
COMMITS = [{"role": "user", "content": "Give me three tips for writing good commit messages."}]
STORY = [{"role": "user", "content": "Tell me a short story about a lighthouse keeper."}]


def _client(endpoint, session) -> openai.OpenAI:
    return openai.OpenAI(base_url=endpoint.base_url, api_key=session.api_key)


def _raw_lines(endpoint, session, messages, **extra) -> tuple[requests.Response, list[bytes]]:
    response = requests.post(f"{endpoint.base_url}/chat/completions", timeout=10, stream=True,
                             headers={"Authorization": f"Bearer {session.api_key}"},
                             json={"model": config.SERVED_MODEL, "messages": messages, "stream": True, **extra})
    return response, list(response.iter_lines())


def _same_but_ids(shown: str, sent: str) -> bool:
    """A line the lesson shows equals a line the endpoint sent, apart from the per-request id and created."""
    def plain(text: str) -> str:
        text = re.sub(r'"id":"chatcmpl-[^"]*"', '"id":"chatcmpl-X"', text)
        return re.sub(r'"created":\d+', '"created":0', text)
    return plain(shown) == plain(sent)


def _lesson_lines(prefix: str) -> list[str]:
    return [line.strip() for line in LESSON.splitlines() if line.strip().startswith(prefix)]


def test_the_wire_format_the_lesson_shows(endpoint, session) -> None:
    response, lines = _raw_lines(endpoint, session, SKY)
    assert response.headers["Content-Type"] == "text/event-stream; charset=utf-8"
    assert "`text/event-stream; charset=utf-8`" in LESSON
    events = [line.decode() for line in lines if line]
    assert all(line == b"" for line in lines[1::2]), "every event is followed by a blank line, b''"
    assert all(e.startswith("data: ") for e in events) and events[-1] == "data: [DONE]"
    chunks = [json.loads(e.removeprefix("data: ")) for e in events[:-1]]
    deltas = [c["choices"][0]["delta"] for c in chunks]
    assert deltas[0] == {"role": "assistant", "content": ""}
    kinds = [next(iter(d), "final") for d in deltas[1:]]
    assert kinds == sorted(kinds, key=["reasoning", "content", "final"].index) and kinds[-1] == "final"
    assert deltas[1] == {"reasoning": "Why"} and deltas[kinds.index("content") + 1] == {"content": "Sun"}
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and deltas[-1] == {}
    shown = _lesson_lines('data: {"id":"chatcmpl-dd209c1c21d2d15d"')
    assert [_same_but_ids(line, sent) for line, sent in zip(shown[:3], events[:3])] == [True] * 3
    assert _same_but_ids(shown[3], events[-2]), "the final chunk the lesson shows"


def test_what_the_sdk_hands_you_for_each_chunk(endpoint, session) -> None:
    stream = _client(endpoint, session).chat.completions.create(model=config.SERVED_MODEL, messages=BEGINNER,
                                                                 stream=True)
    assert type(stream) is openai.Stream and "<class 'openai.Stream'>" in LESSON
    chunks = list(stream)
    role, reasoning, final = chunks[0].choices[0], chunks[1].choices[0], chunks[-1].choices[0]
    assert role.delta.content == "" and getattr(role.delta, "reasoning", None) is None
    with pytest.raises(AttributeError):
        role.delta.reasoning  # noqa: B018 - the extra attribute exists only on chunks that carry it
    assert reasoning.delta.content is None and reasoning.delta.reasoning == "Which"
    assert final.finish_reason == "stop" and final.delta.content is None
    assert all(c.choices[0].finish_reason is None for c in chunks[:-1])
    shown = _lesson_lines("ChoiceDelta(")
    assert f"{role.delta!r} None" in shown and f"{reasoning.delta!r} None" in shown and f"{final.delta!r} stop" in shown


def test_the_usage_chunk(endpoint, session) -> None:
    client = _client(endpoint, session)
    chunks = list(client.chat.completions.create(model=config.SERVED_MODEL, messages=COMMITS, stream=True,
                                                 stream_options={"include_usage": True}))
    last = chunks[-1]
    assert last.choices == [] and all(c.usage is None for c in chunks[:-1])
    usage = last.usage
    numbers = (usage.prompt_tokens, usage.completion_tokens, usage.completion_tokens_details.reasoning_tokens,
               usage.total_tokens)
    expected = oracle.recorded_usage("06-streaming.json", "commit-tips")
    assert numbers[1:3] == (expected.completion_tokens, expected.reasoning_tokens)
    assert f"they are {numbers[0]}, {numbers[1]} ({numbers[2]}\nof them reasoning) and {numbers[3]}" in LESSON
    with pytest.raises(IndexError):
        last.choices[0]  # noqa: B018 - what an unguarded loop does on this chunk
    plain = list(client.chat.completions.create(model=config.SERVED_MODEL, messages=COMMITS, stream=True))
    assert all(c.usage is None for c in plain)
    _, lines = _raw_lines(endpoint, session, COMMITS, stream_options={"include_usage": True})
    shown = _lesson_lines('data: {"id":"chatcmpl-…"')[0].replace("chatcmpl-…", "chatcmpl-X")
    assert _same_but_ids(shown, [line for line in lines if line][-2].decode())


def test_stream_options_need_stream(endpoint, session) -> None:
    with pytest.raises(openai.BadRequestError):
        _client(endpoint, session).chat.completions.create(model=config.SERVED_MODEL, messages=COMMITS,
                                                           stream_options={"include_usage": True})


def test_an_error_event_mid_stream(endpoint, session) -> None:
    _, lines = _raw_lines(endpoint, session, STORY)
    events = [line.decode() for line in lines if line]
    assert events[-1] == "data: [DONE]" and '"error"' in events[-2]
    assert _lesson_lines('data: {"error"')[0] == events[-2]
    with pytest.raises(openai.APIError) as raised:  # the second attempt drops; start a fresh run for the SDK
        list(_client(endpoint, endpoint.new_session(session.api_key)).chat.completions.create(
            model=config.SERVED_MODEL, messages=STORY, stream=True))
    assert type(raised.value) is openai.APIError  # not an APIStatusError: the status was 200
    assert str(raised.value) == json.loads(events[-2].removeprefix("data: "))["error"]["message"]


def test_a_dropped_connection(endpoint, session) -> None:
    _raw_lines(endpoint, session, STORY)  # the first stream of a run ends with the error event
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        _raw_lines(endpoint, session, STORY)
    fresh = endpoint.new_session(session.api_key)
    client = _client(endpoint, fresh)
    with pytest.raises(openai.APIError):
        list(client.chat.completions.create(model=config.SERVED_MODEL, messages=STORY, stream=True))
    with pytest.raises(openai.APIConnectionError):
        list(client.chat.completions.create(model=config.SERVED_MODEL, messages=STORY, stream=True))
    assert issubclass(openai.APIConnectionError, openai.APIError)
    assert len(fresh.requests()) == 2, "the SDK never retries a stream that has started"
    complete = list(client.chat.completions.create(model=config.SERVED_MODEL, messages=STORY, stream=True))
    assert complete[-1].choices[0].finish_reason == "stop"


def test_offline_timing_the_lesson_quotes(endpoint, session) -> None:
    """The offline endpoint plays recordings at pace 1: the haiku's first content event and its end, in seconds."""
    haiku = next(i for i in RECORDING.interactions if i.name == "haiku-waiting")
    pacing = haiku.response.pacing
    stream = _client(endpoint, session).chat.completions.create(
        model=config.SERVED_MODEL, messages=[{"role": "user", "content": "Write a haiku about waiting."}], stream=True)
    chunks = list(stream)
    token = next(n for n, c in enumerate(chunks) if c.choices and getattr(c.choices[0].delta, "reasoning", None))
    first = next(n for n, c in enumerate(chunks) if c.choices and c.choices[0].delta.content)
    at = [(pacing.first_ms + n * pacing.per_event_ms) / 1000 for n in (token, first, len(chunks))]  # [DONE] is one more
    assert "they are roughly 0.4 s, 3 s and 3.5 s" in " ".join(LESSON.split())
    assert 0.35 <= at[0] <= 0.45 and 2.5 <= at[1] <= 3.3 and 3.0 <= at[2] <= 3.8


def test_stream_retry_retries_only_a_broken_stream(endpoint, session) -> None:
    """A 401 from create() is not a broken stream: one request, and the script stops with the error."""
    settings = {"OPENAI_BASE_URL": endpoint.base_url, "OPENAI_API_KEY": "sk-not-the-key", "MODEL": config.SERVED_MODEL}
    run = run_script("examples/06/stream_retry.py", ROOT, settings)
    assert run.exit_code != 0 and "AuthenticationError" in run.stderr
    assert [r.status for r in session.requests()] == [401]
    assert issubclass(openai.APIStatusError, openai.APIError), "why the try must not wrap create()"
    assert "`except openai.APIError` and tries again would send a bad key three more times" in " ".join(LESSON.split())


@contextmanager
def _server(reply: Callable[[socket.socket], None]) -> Iterator[str]:
    """A one-connection HTTP server on loopback that reads the whole request and lets `reply` write the answer."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            received = b""
            while b"\r\n\r\n" not in received:
                received += conn.recv(65536)
            head, body = received.split(b"\r\n\r\n", 1)
            length = re.search(rb"(?i)content-length: *(\d+)", head)
            while length and len(body) < int(length.group(1)):
                body += conn.recv(65536)
            reply(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        thread.join(10)
        listener.close()


@pytest.mark.parametrize("stream", [False, True])
def test_requests_timeout_limits_each_wait_not_the_call(stream: bool) -> None:
    pieces, gap, timeout = 6, 0.15, 0.6

    def trickle(conn: socket.socket) -> None:
        conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {pieces}\r\nConnection: close\r\n\r\n".encode())
        for _ in range(pieces):
            time.sleep(gap)
            conn.sendall(b"x")

    with _server(trickle) as url:
        started = time.perf_counter()
        response = requests.get(url, timeout=timeout, stream=stream)
        body = b"".join(response.iter_content(1)) if stream else response.content
        took = time.perf_counter() - started
    assert body == b"x" * pieces and took > timeout, "the whole call outlived its timeout, and no error was raised"
    assert "It never limits the call as a whole, streaming or not" in " ".join(LESSON.split())


def test_the_sdk_ends_a_stream_quietly_when_the_body_stops_early() -> None:
    chunk = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m",
             "choices": [{"index": 0, "delta": {"content": "Half"}, "finish_reason": None}]}

    def cut(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
                     + f"data: {json.dumps(chunk)}\n\n".encode())

    with _server(cut) as url:
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="x", max_retries=0)
        chunks = list(client.chat.completions.create(model="m", messages=STORY, stream=True))
    assert [c.choices[0].delta.content for c in chunks] == ["Half"] and chunks[-1].choices[0].finish_reason is None
    assert "it also stops it, without any error, when the body simply ends" in " ".join(LESSON.split())


@pytest.mark.parametrize("terminal", [True, False])
def test_python_holds_printed_text_until_a_line_break_even_on_a_terminal(terminal: bool) -> None:
    ask = [sys.executable, "-c", "import sys; sys.stderr.write(repr(sys.stdout.line_buffering))"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # Python's default, as a learner runs it
    if terminal:
        main, secondary = pty.openpty()
        with os.fdopen(main, "rb") as _:
            done = subprocess.run(ask, stdout=secondary, stderr=subprocess.PIPE, env=env, check=True)
        os.close(secondary)
    else:
        done = subprocess.run(ask, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, check=True)
    assert done.stderr.decode() == repr(terminal), "a terminal is line-buffered, a pipe is not even that"
    assert "for a terminal it writes the buffer out at each line break" in " ".join(LESSON.split())
