"""Section 14's match condition: how many tool results a request holds, which tells an agent's steps apart."""

from __future__ import annotations

from grader.endpoint.matcher import Request, find, mismatches
from grader.endpoint.recordings import Interaction

ROUTE = "POST /v1/chat/completions"


def _request(results: int) -> Request:
    messages: list[dict[str, object]] = [{"role": "user", "content": "Cancel order A-7777."}]
    for number in range(results):
        call = {"id": f"call_{number}", "type": "function", "function": {"name": "get_order", "arguments": "{}"}}
        messages += [{"role": "assistant", "content": None, "tool_calls": [call]},
                     {"role": "tool", "tool_call_id": f"call_{number}", "content": '{"error": "no such order"}'}]
    return Request("POST", "/v1/chat/completions", {"messages": messages, "tools": [{"type": "function"}]})


def _step(results: int) -> Interaction:
    return Interaction.model_validate({"name": f"step {results + 1}", "description": "", "match": {
        "route": ROUTE, "last_user_contains": "A-7777", "tool_results": results},
        "response": {"reply": {"content": "done"}}})


def test_the_number_of_tool_results_picks_the_step() -> None:
    steps = [_step(0), _step(1), _step(2)]
    assert [find(steps, _request(n)).name for n in range(3)] == ["step 1", "step 2", "step 3"]


def test_a_lost_tool_result_is_named() -> None:
    assert mismatches(_step(2).match, _request(1)) == ["it needs 2 tool result(s), the request has 1"]
