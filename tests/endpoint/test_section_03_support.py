"""Section 03 support: very long user texts and raw prompts are counted exactly, and fast.

openai-harmony's BPE is quadratic in the length of one pre-token, so the endpoint encodes texts over
10,000 characters with bpe-openai's linear encoder. These tests prove both give the same ids where harmony
is still quick, and that a learner's `"a" * 1_100_000` gets its context-length error in time.
"""

from __future__ import annotations

from typing import Any

import openai_harmony as hm
import pytest
import requests

from grader.endpoint import Endpoint, config, harmony

RUNS = ["a" * 10_500, "🙂 " * 5100, " " * 10_400, "!?" * 5200, "x" * 10_001 + " tail", "lead\n\n" + "Z" * 10_200,
        "日本語、" * 2600, "It's 3.14 o'clock, DON'T panic!\n\t" * 330, "word " * 1600 + "q" * 3000 + " word" * 50]


def _slow_prompt(body: dict[str, Any]) -> list[int]:
    """harmony's own rendering of the whole conversation, without the linear encoder."""
    conv = hm.Conversation.from_messages(harmony.conversation(body))
    return harmony.encoding().render_conversation_for_completion(conv, hm.Role.ASSISTANT)


@pytest.mark.parametrize("text", RUNS, ids=range(len(RUNS)))
def test_a_long_run_in_a_user_message_renders_as_harmony_does(text: str) -> None:
    body = {"messages": [{"role": "system", "content": "Be brief."},
                         {"role": "user", "content": text},
                         {"role": "assistant", "content": "Noted.", "reasoning": "ok"},
                         {"role": "user", "content": "and " + text}],
            "reasoning_effort": "low"}
    assert harmony._long_user_text(harmony.conversation(body)[2]) is not None  # the linear path is taken
    assert harmony.chat_prompt_tokens(body) == _slow_prompt(body)


@pytest.mark.parametrize("text", RUNS, ids=range(len(RUNS)))
def test_a_long_run_in_a_raw_prompt_tokenizes_as_harmony_does(text: str) -> None:
    assert harmony.text_tokens(text) == harmony.encoding().encode(text, allowed_special="all")


def test_special_token_text_keeps_the_harmony_path() -> None:
    text = "a" * 2100 + "<|end|>"
    assert harmony.text_tokens(text)[-1] == harmony.encoding().encode("<|end|>", allowed_special="all")[0]


def test_an_oversized_run_gets_the_context_error_in_seconds(session, endpoint: Endpoint) -> None:
    body = {"model": config.SERVED_MODEL, "messages": [{"role": "user", "content": "a" * 1_100_000}], "max_tokens": 1}
    # harmony's own encoder is quadratic on one long run and would take many minutes here; make bench times it
    response = requests.post(endpoint.base_url + "/chat/completions", json=body,
                             headers={"Authorization": f"Bearer {session.api_key}"}, timeout=300)
    assert response.status_code == 400
    # eight a's make one token, and a lone user message adds 67 template tokens (see the facts test of 03)
    assert response.json()["error"]["param"] is None
    assert response.json()["error"]["message"] == "Input length (137567) exceeds model's maximum context length (131072)."
