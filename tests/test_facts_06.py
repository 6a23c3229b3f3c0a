"""What lesson 06 states about streams, the SDK and requests, pinned against the installed versions and the endpoint."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openai
import pytest
import requests

from grader.endpoint import config, recordings

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
    assert f"they are {numbers[0]}, {numbers[1]} (35\nof them reasoning) and {numbers[3]}" in LESSON
    assert numbers[2] == 35
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
    first = next(n for n, c in enumerate(chunks) if c.choices and c.choices[0].delta.content)
    at = [(pacing.first_ms + n * pacing.per_event_ms) / 1000 for n in (first, len(chunks))]  # [DONE] is one more
    assert "they are roughly 3 s\nand 3.5 s" in LESSON
    assert 2.5 <= at[0] <= 3.3 and 3.0 <= at[1] <= 3.8
