"""What lesson 14 states about the SDK's message objects and Python's input(), pinned against the installed
versions; and that the recorded scenarios behave as the lesson tells (three requests, prompt_tokens growing)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from openai.types.chat import ChatCompletionMessage

from grader.endpoint import Endpoint, load_recordings
from grader.runner import run_script

ROOT = Path(__file__).resolve().parent.parent
LESSON = (ROOT / "lessons/14-agent-loop.md").read_text(encoding="utf-8")
EXAMPLES = ROOT / "examples/14"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[Endpoint]:
    with Endpoint(load_recordings([ROOT / "recordings/14-agent-loop.json"])) as running:
        yield running


def test_model_dump_keeps_tool_calls_and_reasoning_and_drops_null_content() -> None:
    """`message.model_dump(exclude_none=True)` is the dictionary to append: tool calls and ids as sent, the server's
    `reasoning` field kept (the SDK keeps fields it does not know), no `content: None`."""
    call = {"id": "call_1", "type": "function", "function": {"name": "get_order", "arguments": '{"order_id": "A-1"}'}}
    message = ChatCompletionMessage.model_validate(
        {"role": "assistant", "content": None, "tool_calls": [call], "reasoning": "Look it up."})
    assert message.model_dump(exclude_none=True) == {"role": "assistant", "tool_calls": [call],
                                                     "reasoning": "Look it up."}
    assert "model_dump(exclude_none=True)" in LESSON and "`reasoning`" in LESSON


def test_input_raises_eoferror_at_end_of_input() -> None:
    done = subprocess.run([sys.executable, "-c", "input('? ')"], input="", capture_output=True, text=True, check=False)
    assert "EOFError" in done.stderr
    assert "`input()` raises `EOFError`" in LESSON


def test_the_orders_trace_has_three_steps_and_prompt_tokens_grow(endpoint: Endpoint, tmp_path: Path) -> None:
    """Three requests, the first with two get_order calls, and every request resends (so outgrows) the last."""
    (tmp_path / "agent_trace.py").write_text((EXAMPLES / "agent_trace.py").read_text(encoding="utf-8"))
    session = endpoint.new_session()
    settings = {"OPENAI_BASE_URL": endpoint.base_url, "OPENAI_API_KEY": session.api_key, "MODEL": endpoint.app.model}
    run = run_script("agent_trace.py", tmp_path, settings, stdin=(EXAMPLES / "orders.txt").read_text())
    assert run.exit_code == 0, run.stderr
    records = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    assert len(records) == 3 and [c["name"] for c in records[0]["tool_calls"]] == ["get_order", "get_order"]
    prompts = [r["prompt_tokens"] for r in records]
    assert prompts == sorted(set(prompts))
    assert "three JSON lines" in LESSON and "first record lists two\n`get_order` calls" in LESSON
