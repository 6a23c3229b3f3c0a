"""What lesson 01 and the README state about the SDK and the server, pinned against the installed versions."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import openai
import oracle
import pytest

from grader.endpoint import config, harmony

ROOT = Path(__file__).resolve().parent.parent
LESSON = (ROOT / "lessons/01-hello-world.md").read_text()
HELLO = [{"role": "system", "content": "You are a concise, friendly assistant."},
         {"role": "user", "content": "Say hello in one short sentence."}]


def test_sdk_reads_base_url_and_key_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    client = openai.OpenAI()
    assert str(client.base_url) == "http://127.0.0.1:1/v1/" and client.api_key == "sk-from-env"


def test_sdk_connection_failure_says_only_connection_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="x", max_retries=0)
    with pytest.raises(openai.APIConnectionError) as raised:
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    assert str(raised.value) == "Connection error."


def test_sdk_raises_on_an_error_status(endpoint, session) -> None:
    client = openai.OpenAI(base_url=endpoint.base_url, api_key=session.api_key)
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="not-served", messages=HELLO)


def test_numbers_the_lesson_quotes(endpoint, session) -> None:
    client = openai.OpenAI(base_url=endpoint.base_url, api_key=session.api_key)
    sizes = [client.chat.completions.create(model=config.SERVED_MODEL, max_tokens=1,
                                            messages=[{"role": "user", "content": text}]).usage.prompt_tokens
             for text in ("hi", "hi " * 50)]
    assert sizes == [oracle.prompt_tokens([{"role": "user", "content": t}]) for t in ("hi", "hi " * 50)]
    prose = " ".join(LESSON.split())
    assert f"they are {sizes[0]} and {sizes[1]}" in prose
    assert f"a lone `\"hi\"` comes to {sizes[0]} tokens" in prose
    usage = client.chat.completions.create(model=config.SERVED_MODEL, messages=HELLO).usage
    expected = oracle.recorded_usage("01-hello-world.json", "greeting")
    prompt = oracle.prompt_tokens(HELLO)
    assert (usage.prompt_tokens, usage.completion_tokens, usage.completion_tokens_details.reasoning_tokens) == (
        prompt, expected.completion_tokens, expected.reasoning_tokens)
    shown = re.search(r'"prompt_tokens": (\d+),\s+"total_tokens": (\d+),\s+"completion_tokens": (\d+),'
                      r'.*?"reasoning_tokens": (\d+)', LESSON, re.S).groups()
    assert tuple(map(int, shown)) == (prompt, prompt + expected.completion_tokens, expected.completion_tokens,
                                      expected.reasoning_tokens)


def test_the_rendered_template_the_lesson_shows() -> None:
    rendered = harmony.decode(harmony.chat_prompt_tokens({"messages": HELLO}))
    block = LESSON.split("This is the harmony prompt your greeting turns into:\n\n```text\n")[1].split("\n```")[0]
    assert block == rendered
