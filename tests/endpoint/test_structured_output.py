"""A JSON response_format on the gpt-oss chat route: vLLM 0.33.0's `_adjust_output_format` (vllm/parser/harmony.py)
turns it into a structural tag that admits the final answer only after a `final json` or `final <|constrain|>json`
header; the recorded endpoint writes the second, so the reply's tokens, and its count, include it; the text the
client sees does not."""

from __future__ import annotations

import openai_harmony as hm

from grader.endpoint import config, harmony

TWO_PLUS_TWO = [{"role": "user", "content": "2+2?"}]  # fidelity.json's "plain" reply


def _answer(post, **body) -> dict:
    response = post("/v1/chat/completions", {"model": config.SERVED_MODEL, "messages": TWO_PLUS_TWO, **body})
    assert response.status_code == 200, response.text
    return response.json()


def _generated(reasoning: str, content: str, content_type: str | None) -> int:
    """Tokens of an analysis message then a final one (with its content type), after `<|start|>assistant`."""
    final = hm.Message.from_role_and_content(hm.Role.ASSISTANT, content).with_channel("final")
    messages = [hm.Message.from_role_and_content(hm.Role.ASSISTANT, reasoning).with_channel("analysis"),
                final.with_content_type(content_type) if content_type else final]
    return sum(len(harmony.encoding().render(m)) for m in messages) - 2


def test_json_mode_adds_the_constrain_header_to_the_count(post) -> None:
    plain, constrained = _answer(post), _answer(post, response_format={"type": "json_object"})
    assert constrained["usage"]["completion_tokens"] == plain["usage"]["completion_tokens"] + 3
    assert constrained["choices"][0]["message"]["content"] == plain["choices"][0]["message"]["content"]
    assert constrained["usage"]["completion_tokens_details"] == plain["usage"]["completion_tokens_details"]


def test_a_schema_reply_is_counted_with_the_header(post) -> None:
    """fidelity.json's "schema" reply, counted independently of grader.endpoint.generation."""
    answer = _answer(post, response_format={"type": "json_schema", "json_schema": {"name": "x", "schema": {}}})
    content = answer["choices"][0]["message"]["content"]
    assert answer["usage"]["completion_tokens"] == _generated("Return the fields.", content, "<|constrain|>json")
    assert _generated("Return the fields.", content, None) + 3 == answer["usage"]["completion_tokens"]


def test_a_text_format_changes_nothing(post) -> None:
    assert _answer(post, response_format={"type": "text"})["usage"] == _answer(post)["usage"]
