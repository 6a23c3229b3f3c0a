"""Section 11's match condition: the last assistant message, which is a few-shot prompt's last worked example."""

from __future__ import annotations

from grader.endpoint.matcher import Request, answers_any_text, find, mismatches
from grader.endpoint.recordings import Interaction, Match

ROUTE = "POST /v1/chat/completions"


def _request(*labels: str) -> Request:
    messages = [{"role": "system", "content": "Route the message."}]
    for label in labels:
        messages += [{"role": "user", "content": "an example"}, {"role": "assistant", "content": label}]
    messages.append({"role": "user", "content": "I was charged for an order that never arrived."})
    return Request("POST", "/v1/chat/completions", {"messages": messages})


def _interaction(label: str) -> Interaction:
    return Interaction.model_validate({"name": label, "description": "", "match": {
        "route": ROUTE, "last_user_contains": "never arrived", "last_assistant_contains": label},
        "response": {"reply": {"content": label}}})


def test_the_last_example_decides_which_interaction_answers() -> None:
    both = [_interaction("billing"), _interaction("shipping")]
    assert find(both, _request("billing", "shipping")).name == "shipping"
    assert find(both, _request("shipping", "billing")).name == "billing"


def test_a_request_without_assistant_messages_says_what_it_lacks() -> None:
    problems = mismatches(_interaction("billing").match, _request())
    assert problems == ["the last assistant message lacks 'billing'"]


def test_it_reads_text_so_it_is_no_catch_all() -> None:
    assert not answers_any_text(Match(route=ROUTE, last_assistant_contains="billing"))
