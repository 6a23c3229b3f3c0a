"""Section 14 · The Agent Loop: call, run every requested tool, send the results back, until a reply has no tool
calls; budgets that end a model that never stops; errors returned as tool results; a trace of every step; a question
to the user before a tool that acts on the world.

The scripts read the customer's question (and, for agent_confirm.py, the user's answer) on standard input, so every
run meets one recorded scenario. The checks read the request log: each request must hold the one before it, then the
assistant's tool calls unchanged, then one tool message per call with the tool's real result or an error.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from grader import paths
from grader.checks import CheckFailed, Evidence, quote, quote_output
from grader.checks.common import replies_printed_once, sends_model_from_env
from grader.endpoint.matcher import text_of
from grader.endpoint.session import LoggedRequest
from grader.suite import Section


def _input(name: str) -> str:
    return (paths.EXAMPLES / "14" / name).read_text(encoding="utf-8")


ORDERS, CANCEL, WATCH = _input("orders.txt"), _input("cancel.txt"), _input("watch.txt")
EMAIL_NO, EMAIL_YES = _input("email_no.txt"), _input("email_yes.txt")
EMAIL_QUESTION = EMAIL_NO.splitlines()[0] + "\n"
TOOL_NAMES = {"get_order", "track_parcel"}
MAX_STEPS = 5  # the lesson's step limit for agent_budget.py
TOKEN_BUDGET = 2000  # the challenge's token budget
ERROR = re.compile(r"error|fail|unknown|invalid|not found|no such|no tool|not allowed|not available|unexpected|"
                   r"missing|exception|does ?n[o']t exist|not exist|cannot|can't|declin|refus|denied|reject|"
                   r"KeyError|TypeError", re.IGNORECASE)
REFUSED = re.compile(r"declin|refus|denied|not allowed|did ?n[o']t allow|not approved|not confirmed|cancel|"
                     r"(said|answered|typed|replied|chose) ['\"]?no\b|\bno (permission|consent|confirmation)|nothing|not sent|was not|wasn't|skipped|blocked|not permitted|permission|abort|"
                     r"reject|disallow|veto", re.IGNORECASE)
STOPPED = re.compile(r"limit|budget|stop|gave up|give up|giving up|ran out|run out|out of|maximum|\bmax|exceed|"
                     r"reached|too many|exhaust|halt|abort",
                     re.IGNORECASE)
# more than the bare word "error": what the problem was (the tool's name is checked separately)
DETAIL = re.compile(ERROR.pattern.replace("error|fail|", "") + r"|A-7777|order_number|order_id|argument|keyword",
                    re.IGNORECASE)
CLOCK = re.compile(r"\b(monotonic|perf_counter|time\.time|datetime\.now|time\(\))")
# what each recorded call's real result must hold (the lesson's data), or None for a call that must fail
RESULTS: dict[tuple[str, str], tuple[str, ...] | None] = {
    ("get_order", '{"order_id": "A-1001"}'): ("JD014600", "shipped"),
    ("get_order", '{"order_id": "A-1002"}'): ("packing",),
    ("track_parcel", '{"tracking_number": "JD014600"}'): ("Lyon",),
    ("cancel_order", '{"order_id": "A-7777"}'): None,
    ("get_order", '{"order_number": "A-7777"}'): None,
    ("get_order", '{"order_id": "A-7777"}'): None,
}

SECTION = Section("14")

agent = SECTION.file("agent.py", reference="examples/14/agent.py", summary="the loop: tools until a final answer",
                     see="The loop", stdin=ORDERS)
agent_errors = SECTION.scenario("agent.py", "errors", "on cancel.txt (an unknown tool, invalid arguments, a tool "
                                "that raises)", stdin=CANCEL)
agent_budget = SECTION.file("agent_budget.py", reference="examples/14/agent_budget.py",
                            summary="a step limit against a model that never stops asking for tools",
                            see="Your turn: budgets", stdin=WATCH, timeout=10)
agent_budget_orders = SECTION.scenario("agent_budget.py", "orders", "on orders.txt", stdin=ORDERS)
agent_trace = SECTION.file("agent_trace.py", reference="examples/14/agent_trace.py",
                           summary="one JSON trace record per step", see="Your turn: a trace of every step",
                           stdin=ORDERS)
agent_confirm = SECTION.file("agent_confirm.py", reference="examples/14/agent_confirm.py",
                             summary="send_email runs only after the user says yes", see="Confirm before acting",
                             stdin=EMAIL_NO)
agent_confirm_yes = SECTION.scenario("agent_confirm.py", "yes", "answering y", stdin=EMAIL_YES)
agent_confirm_eof = SECTION.scenario("agent_confirm.py", "eof", "with no answer to read (end of input)",
                                     stdin=EMAIL_QUESTION)
agent_tokens = SECTION.file("agent_tokens.py", reference="examples/14/agent_tokens.py",
                            summary="challenge: a token budget", see="Challenges", challenge=True, stdin=WATCH)
agent_tokens_orders = SECTION.scenario("agent_tokens.py", "orders", "on orders.txt", stdin=ORDERS)
agent_other_model = SECTION.other_model("agent.py", stdin=ORDERS)
agent_variant = SECTION.variant("agent.py")
agent_trace_variant = SECTION.variant("agent_trace.py")
agent_tokens_variant = SECTION.variant("agent_tokens.py")


# --- the request log of a loop ------------------------------------------------------------------------------------

def _calls(request: LoggedRequest) -> list[dict[str, Any]]:
    """The tool calls of a request's response, as the server sent them."""
    response = request.response if isinstance(request.response, dict) else {}
    choices = response.get("choices") or [{}]
    return (choices[0].get("message") or {}).get("tool_calls") or []


def _call_key(call: dict[str, Any]) -> tuple[str, str]:
    function = call.get("function") or {}
    try:
        arguments = json.dumps(json.loads(function.get("arguments") or ""), sort_keys=True)
    except (TypeError, ValueError):
        arguments = str(function.get("arguments"))
    return str(function.get("name")), arguments


def _same(sent: dict[str, Any], kept: dict[str, Any]) -> bool:
    """Two messages say the same: role, text, tool_call_id and tool calls (ids, names, arguments)."""
    def shape(m: dict[str, Any]) -> tuple[Any, ...]:
        calls = tuple((c.get("id"), *_call_key(c)) for c in m.get("tool_calls") or [] if isinstance(c, dict))
        return m.get("role"), text_of(m.get("content")).strip(), m.get("tool_call_id"), calls
    return shape(sent) == shape(kept)


def _describe(m: dict[str, Any]) -> str:
    if m.get("tool_calls"):
        return f"the assistant's tool calls ({', '.join(_call_key(c)[0] for c in m['tool_calls'])})"
    return f"a {m.get('role')} message {quote(text_of(m.get('content')), 60)!r}"


def _answered(ev: Evidence) -> list[LoggedRequest]:
    chats = ev.chats()
    if not chats:
        ev.one("POST /v1/chat/completions", "a chat request with tools")
    refused = next((r for r in chats if r.status != 200), None)
    if refused is not None:
        number = chats.index(refused) + 1
        lost = (" A step whose history is incomplete or out of order is a conversation the model was never shown."
                if refused.miss else "")
        if refused.status == 404 and "model" in str(refused.response).lower():
            lost = (f" Your script asked for model {refused.json_field('model')!r}: read the model's name from the "
                    "environment, model = os.environ[\"MODEL\"].")
        raise CheckFailed(f"the server answered request {number} with {refused.status}: "
                          f"{quote(str(refused.response), 220)}.{lost}")
    return chats


def _step_problem(number: int, before: LoggedRequest, after: LoggedRequest) -> str | None:
    """What is wrong with request `number + 1`, which must be request `number` plus the tool round it asked for."""
    old, new, calls = before.messages(), after.messages(), _calls(before)
    if not calls:
        return (f"request {number} got the final answer (no tool calls), yet your script sent request {number + 1}: "
                "stop the loop when a reply has no tool calls.")
    lost = next((i for i, m in enumerate(old) if i >= len(new) or not _same(m, new[i])), None)
    if lost is not None:
        return (f"request {number + 1} must begin with everything request {number} sent; {_describe(old[lost])} "
                f"(message {lost + 1}) is missing or changed. Append to one messages list; never rebuild it.")
    added = new[len(old):]
    if not added or added[0].get("role") != "assistant" or not _same({"role": "assistant", "tool_calls": calls},
                                                                      {**added[0], "content": None}):
        first = _describe(added[0]) if added else "nothing"
        return (f"after request {number}, expected the assistant message with its tool calls unchanged "
                f"({', '.join(_call_key(c)[0] for c in calls)}), then the results; your script added {first}.")
    results = added[1:]
    ids = [c.get("id") for c in calls]
    answered = [m.get("tool_call_id") for m in results if m.get("role") == "tool"]
    if sorted(map(str, answered)) != sorted(map(str, ids)) or len(results) != len(calls):
        return (f"request {number} asked for {len(calls)} tool call(s) (ids {', '.join(map(str, ids))}); request "
                f"{number + 1} must add one tool message for each, with its tool_call_id. Your script added "
                f"{'; '.join(_describe(m) + ' for ' + str(m.get('tool_call_id')) for m in results) or 'none'}.")
    for call in calls:
        content = next(text_of(m.get("content")) for m in results if m.get("tool_call_id") == call.get("id"))
        key = _call_key(call)
        needed = RESULTS.get(key, ())
        shown = f"{key[0]}({key[1]})"
        if needed is None and not ERROR.search(content):
            return (f"{shown} cannot succeed, and the result your script sent was {quote(content, 100)!r}: return an "
                    "error result that says what went wrong, so the model can read it.")
        if needed is None and key[0] not in content and not DETAIL.search(content):
            return (f"{shown} cannot succeed, and the result your script sent was {quote(content, 100)!r}: name the "
                    "tool and the problem (the exception's type and message), since \"error\" alone gives the model "
                    "nothing to correct.")
        if needed and not all(word.lower() in content.lower() for word in needed):
            return (f"expected the real result of {shown} (it holds {', '.join(needed)}); your script sent "
                    f"{quote(content, 100)!r}.")
    return None


def follows_history(ev: Evidence, answered: list[LoggedRequest], question: str) -> None:
    """Every step's request is the previous one plus its tool round, complete and in order."""
    first = answered[0].messages()
    if not first or first[-1].get("role") != "user" or question.strip() not in text_of(first[-1].get("content")):
        raise CheckFailed(f"expected the first request to end with the user's question from standard input, "
                          f"{question.strip()!r}; it ended with {_describe(first[-1]) if first else 'nothing'}.")
    for number, (before, after) in enumerate(zip(answered, answered[1:], strict=False), start=1):
        problem = _step_problem(number, before, after)
        if problem:
            raise CheckFailed(problem)


def runs_to_answer(ev: Evidence, steps: int) -> list[LoggedRequest]:
    """The loop went on until a reply without tool calls, which came at request `steps`, and stopped there."""
    chats = _answered(ev)
    if _calls(chats[-1]):
        asked = ", ".join(_call_key(c)[0] for c in _calls(chats[-1]))
        ended = f" Then {ev.why_nothing()}." if ev.run.exit_code not in (0, None) or ev.run.timed_out else ""
        raise CheckFailed(f"the model's reply to request {len(chats)} asked for tools ({asked}), and your script sent "
                          f"nothing after it.{ended} Run the tools, append their results and call again, until a "
                          f"reply has no tool calls (this question takes {steps} requests).")
    if len(chats) != steps:
        raise CheckFailed(f"expected {steps} requests for this question; your script sent {len(chats)}.")
    return chats


# --- agent.py --------------------------------------------------------------------------------------------------------

def test_agent_offers_tools(agent: Evidence) -> None:
    """offers get_order and track_parcel as tools in every request"""
    for number, request in enumerate(agent.chats() or _answered(agent), start=1):
        tools = request.body.get("tools") if isinstance(request.body, dict) else None
        names = {(t.get("function") or {}).get("name") for t in tools or [] if isinstance(t, dict)}
        if not TOOL_NAMES <= names:
            raise CheckFailed(f"expected tools get_order and track_parcel in request {number}; it offered "
                              f"{sorted(map(str, names)) or 'no tools'}. Send the same tools with every step.")


def test_agent_keeps_history(agent: Evidence) -> None:
    """sends each step the whole conversation: the tool calls unchanged, then each call's real result"""
    follows_history(agent, agent.chats() or _answered(agent), ORDERS)


def test_agent_stops_on_answer(agent: Evidence) -> None:
    """keeps calling until a reply has no tool calls, then prints that answer and stops"""
    replies_printed_once(agent, runs_to_answer(agent, 3)[-1:])


@pytest.mark.see("When a tool fails")
def test_agent_errors_as_results(agent_errors: Evidence) -> None:
    """turns an unknown tool, invalid arguments and a tool that raises into error results the model reads"""
    chats = agent_errors.chats()
    if chats and chats[0].status != 200:
        _answered(agent_errors)
    follows_history(agent_errors, chats or _answered(agent_errors), CANCEL)
    if agent_errors.run.exit_code not in (0, None) and agent_errors.last_error():
        raise CheckFailed(f"expected the script to survive the failing tool calls; it stopped with "
                          f"{quote(agent_errors.last_error(), 160)}. Catch the error in run_tool and return it as "
                          "the tool's result.")
    replies_printed_once(agent_errors, runs_to_answer(agent_errors, 4)[-1:])


def test_agent_model_from_env(agent_other_model: Evidence) -> None:
    """sends the model named in MODEL"""
    sends_model_from_env(agent_other_model)


def test_agent_stops_on_answer_variant(agent_variant: Evidence) -> None:
    """keeps calling until a reply has no tool calls, then prints that answer and stops"""
    test_agent_stops_on_answer(agent_variant)


# --- agent_budget.py -------------------------------------------------------------------------------------------------

def test_budget_stops_at_limit(agent_budget: Evidence) -> None:
    """stops after 5 requests against a model that never stops asking for tools"""
    chats = _answered(agent_budget)
    follows_history(agent_budget, chats, WATCH)
    if len(chats) != MAX_STEPS:
        raise CheckFailed(f"expected exactly {MAX_STEPS} requests, the step limit, against a model that always asks "
                          f"for another tool call; your script sent {len(chats)}.")


def _limit_lines(output: str) -> list[str]:
    """The lines that say the agent stopped at a limit of MAX_STEPS."""
    return [line for line in output.splitlines()
            if STOPPED.search(line) and re.search(rf"(?<!\d){MAX_STEPS}(?!\d)", line)]


def _tail(output: str, lines: int = 4) -> str:
    """The last lines a script printed, each shortened from the front, where a closing line sits."""
    last = [line if len(line) <= 160 else "… " + line[-150:] for line in output.strip("\n").splitlines()[-lines:]]
    return "\n".join(last) or "(nothing)"


def test_budget_says_so(agent_budget: Evidence) -> None:
    """says that it stopped at its step limit, naming the limit"""
    _answered(agent_budget)
    if not _limit_lines(agent_budget.output):
        raise CheckFailed(f"expected a line saying the agent stopped at its limit of {MAX_STEPS} steps: the number "
                          f"{MAX_STEPS} beside a word such as limit, budget, stopped, reached, ran out or exhausted; "
                          f"your script's output ended with:\n{_tail(agent_budget.output)}")


def test_budget_time_limit(agent_budget: Evidence) -> None:
    """holds a 60-second deadline, read from the clock (the grader reads the code: it cannot wait a minute)"""
    if not CLOCK.search(agent_budget.source) or not re.search(r"(?<![\d.])60(?![\d])", agent_budget.source):
        raise CheckFailed("expected a time limit of 60 seconds beside the step limit: a deadline such as "
                          "time.monotonic() + 60, checked at the top of each pass. Your script reads no clock "
                          "(time.monotonic()) or never names 60.")


def test_budget_finishes_short_tasks(agent_budget_orders: Evidence) -> None:
    """still answers a question that needs fewer steps than the limit"""
    follows_history(agent_budget_orders, _answered(agent_budget_orders), ORDERS)
    replies_printed_once(agent_budget_orders, runs_to_answer(agent_budget_orders, 3)[-1:])
    told = _limit_lines(agent_budget_orders.output)
    if told:
        raise CheckFailed(f"the model answered within the limits, yet your script also printed {quote(told[0], 160)!r}: "
                          "print the limit line only when a limit ran out (a for loop's else: block runs only "
                          "when the loop did not break).")


# --- agent_trace.py --------------------------------------------------------------------------------------------------

def _records(ev: Evidence) -> list[dict[str, Any]]:
    """The JSON objects printed one per line (after an input() prompt such as "You: " on the same line, too)."""
    found = []
    for line in ev.output.splitlines():
        start = line.find("{")
        try:
            value, end = json.JSONDecoder().raw_decode(line, start) if start >= 0 else (None, 0)
        except ValueError:
            continue
        if isinstance(value, dict) and not line[end:].strip():
            found.append(value)
    return found


def _number(record: dict[str, Any], words: tuple[str, ...]) -> Any:
    """The first value in a record (nested records too) whose key holds one of the words."""
    for key, value in record.items():
        if isinstance(value, dict):
            inner = _number(value, words)
            if inner is not None:
                return inner
        elif any(word in key.lower() for word in words) and isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def _traced(ev: Evidence) -> tuple[list[LoggedRequest], list[dict[str, Any]]]:
    chats = runs_to_answer(ev, 3)
    records = _records(ev)
    if len(records) != len(chats):
        raise CheckFailed(f"expected one JSON record per step, {len(chats)} lines that json.loads reads as objects, "
                          f"for the {len(chats)} requests your script sent; found {len(records)} in:\n"
                          f"{quote_output(ev.output)}")
    return chats, records


def test_trace_one_record_per_step(agent_trace: Evidence) -> None:
    """prints one JSON trace record per step, in order, and runs the loop to the answer"""
    chats, _ = _traced(agent_trace)
    follows_history(agent_trace, chats, ORDERS)


def test_trace_token_counts(agent_trace: Evidence) -> None:
    """each record holds its step's prompt_tokens and completion_tokens, as the server counted them"""
    chats, records = _traced(agent_trace)
    for number, (request, record) in enumerate(zip(chats, records, strict=True), start=1):
        usage = request.usage() or {}
        shown = (_number(record, ("prompt", "input")), _number(record, ("completion", "output")))
        wanted = (usage.get("prompt_tokens"), usage.get("completion_tokens"))
        if None in shown:
            missing = [k for k, v in zip(("prompt_tokens", "completion_tokens"), shown, strict=True) if v is None]
            raise CheckFailed(f"expected record {number} to hold prompt_tokens {wanted[0]} and completion_tokens "
                              f"{wanted[1]}, from response {number}'s usage; it has no key {' or '.join(missing)} "
                              f"holding a number: {quote(json.dumps(record), 200)}.")
        if shown != wanted:
            raise CheckFailed(f"expected record {number} to hold prompt_tokens {wanted[0]} and completion_tokens "
                              f"{wanted[1]}, from response {number}'s usage; it holds {shown[0]} and {shown[1]}. "
                              "Read response.usage at each step.")


def test_trace_names_tools(agent_trace: Evidence) -> None:
    """each record names the tools its step asked for"""
    chats, records = _traced(agent_trace)
    for number, (request, record) in enumerate(zip(chats, records, strict=True), start=1):
        text = json.dumps(record)
        names = [_call_key(c)[0] for c in _calls(request)]
        missing = [n for n in set(names) if text.count(n) < names.count(n)]
        if missing:
            raise CheckFailed(f"expected record {number} to name the tool calls of step {number} "
                              f"({', '.join(names)}); it holds {quote(text, 200)}.")


def test_trace_counts_messages(agent_trace: Evidence) -> None:
    """each record says how many messages its step's request sent"""
    chats, records = _traced(agent_trace)
    for number, (request, record) in enumerate(zip(chats, records, strict=True), start=1):
        sent = len(request.messages())
        shown = _number(record, ("message",))
        shown = _number(record, ("sent",)) if shown is None else shown
        if shown != sent:
            held = "no key naming messages with a number" if shown is None else f"{shown}"
            raise CheckFailed(f"expected record {number} to hold the number of messages request {number} sent, "
                              f"{sent} (counted before the step's tool round is appended); it holds {held}: "
                              f"{quote(json.dumps(record), 200)}.")


def test_trace_holds_results(agent_trace: Evidence) -> None:
    """each record holds the results the tools returned at its step"""
    chats, records = _traced(agent_trace)
    for number, (request, record) in enumerate(zip(chats, records, strict=True), start=1):
        text = json.dumps(record) + json.dumps(json.dumps(record))
        for call in _calls(request):
            needed = RESULTS.get(_call_key(call)) or ()
            if not all(word.lower() in text.lower() for word in needed):
                raise CheckFailed(f"expected record {number} to hold the result of {_call_key(call)[0]}"
                                  f"({_call_key(call)[1]}), which holds {', '.join(needed)}; it holds "
                                  f"{quote(json.dumps(record), 200)}.")


def test_trace_token_counts_variant(agent_trace_variant: Evidence) -> None:
    """each record holds its step's prompt_tokens and completion_tokens, as the server counted them"""
    test_trace_token_counts(agent_trace_variant)


# --- agent_confirm.py ------------------------------------------------------------------------------------------------

def _asks_before_reading(ev: Evidence) -> None:
    """Fail when the script asked the user before a read-only tool: the answer meant for send_email went to it."""
    names = {c.get("id"): _call_key(c) for r in ev.chats() for c in _calls(r)}
    for m in (m for r in ev.chats() for m in r.messages() if m.get("role") == "tool"):
        key = names.get(m.get("tool_call_id"))
        content = text_of(m.get("content"))
        if key and key[0] in TOOL_NAMES and RESULTS.get(key) and REFUSED.search(content) \
                and not all(word.lower() in content.lower() for word in RESULTS[key] or ()):
            raise CheckFailed(f"your script sent the model {quote(content, 100)!r} for {key[0]}, a tool that only "
                              "reads: it asked the user before it, so the answer meant for send_email went to "
                              f"{key[0]}. Ask only before the tools in ACTS_ON_THE_WORLD.")


def _email_result(ev: Evidence) -> str:
    """What the script sent back for the model's send_email call."""
    _asks_before_reading(ev)
    chats = _answered(ev)
    follows_history(ev, chats, EMAIL_QUESTION)
    ask = next((c for r in chats for c in _calls(r) if _call_key(c)[0] == "send_email"), None)
    later = [m for r in chats for m in r.messages() if ask is not None and m.get("tool_call_id") == ask.get("id")]
    if not later:
        how = ev.why_nothing() if ev.run.exit_code not in (0, None) or ev.run.timed_out else "it then finished"
        raise CheckFailed(f"expected a request after the model asked for send_email, holding its result; your "
                          f"script sent {len(chats)} request(s), the last asking for "
                          f"{', '.join(_call_key(c)[0] for c in _calls(chats[-1])) or 'no tool'}, and {how}. "
                          "Send the result back, a refusal too, and let the model answer.")
    return text_of(later[0].get("content"))


def _refused(ev: Evidence, allowed: Evidence, when: str) -> None:
    """The run sent back a refusal for send_email, not what the run answered y sent."""
    refused, sent = _email_result(ev), _email_result(allowed)
    if refused.strip() == sent.strip() or not REFUSED.search(refused):
        raise CheckFailed(f"{when}, your script sent the model {quote(refused, 120)!r} as send_email's result "
                          f"(answered y: {quote(sent, 80)!r}). Ask first (input()) and, unless the answer is y, "
                          "return a result that says the user did not allow it, without calling send_email.")


def test_confirm_no_means_no(agent_confirm: Evidence, agent_confirm_yes: Evidence) -> None:
    """asks before send_email and, told n, tells the model it was not allowed instead of sending"""
    _refused(agent_confirm, agent_confirm_yes, "answered n")
    replies_printed_once(agent_confirm, agent_confirm.chats()[-1:])


def test_confirm_yes_sends(agent_confirm_yes: Evidence, agent_confirm: Evidence) -> None:
    """runs send_email once the user answers y"""
    _asks_before_reading(agent_confirm)
    sent = _email_result(agent_confirm_yes)
    if ERROR.search(sent) and not re.search(r"sent", sent, re.IGNORECASE):
        raise CheckFailed(f"answered y, your script sent the model {quote(sent, 120)!r} as send_email's result: "
                          "run the tool when the user allows it.")
    replies_printed_once(agent_confirm_yes, agent_confirm_yes.chats()[-1:])


def test_confirm_end_of_input(agent_confirm_eof: Evidence, agent_confirm_yes: Evidence) -> None:
    """treats no answer at all (end of input) as no"""
    if agent_confirm_eof.run.exit_code not in (0, None) and "EOFError" in agent_confirm_eof.last_error():
        raise CheckFailed("with nothing left to read, input() raised EOFError and your script crashed: catch "
                          "EOFError and treat it as no.")
    _refused(agent_confirm_eof, agent_confirm_yes, "with no answer to read")


# --- challenge: a token budget ----------------------------------------------------------------------------------------

def test_tokens_stop_at_budget(agent_tokens: Evidence) -> None:
    """stops at the first step that brings the tokens used to 2,000 or more"""
    chats = _answered(agent_tokens)
    follows_history(agent_tokens, chats, WATCH)
    totals = [int((r.usage() or {}).get("total_tokens") or 0) for r in chats]
    if sum(totals) < TOKEN_BUDGET or sum(totals[:-1]) >= TOKEN_BUDGET:
        raise CheckFailed(f"expected the loop to stop at the step whose usage brings the total_tokens to "
                          f"{TOKEN_BUDGET} or more; your script's {len(chats)} requests used "
                          f"{' + '.join(map(str, totals))} = {sum(totals)} tokens.")


def test_tokens_prints_total(agent_tokens: Evidence) -> None:
    """prints how many tokens it used in all"""
    chats = _answered(agent_tokens)
    spent = sum(int((r.usage() or {}).get("total_tokens") or 0) for r in chats)
    if not re.search(rf"(?<![\d,]){spent:,}(?![\d,])|(?<!\d){spent}(?!\d)", agent_tokens.output):
        raise CheckFailed(f"expected the tokens used in all, {spent} (the sum of each response's total_tokens), in "
                          f"your output; your script's output ended with:\n{_tail(agent_tokens.output)}")


def test_tokens_total_after_answer(agent_tokens_orders: Evidence) -> None:
    """prints the total too when the model answers before the budget"""
    chats = runs_to_answer(agent_tokens_orders, 3)
    replies_printed_once(agent_tokens_orders, chats[-1:])
    test_tokens_prints_total(agent_tokens_orders)


def test_tokens_prints_total_variant(agent_tokens_variant: Evidence) -> None:
    """prints how many tokens it used in all"""
    test_tokens_prints_total(agent_tokens_variant)
