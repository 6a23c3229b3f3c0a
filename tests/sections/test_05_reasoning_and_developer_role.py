"""Section 05 · Reasoning Models & the Developer Role: reasoning vs. answer, effort, the budget trap, roles.

Each test is one check a learner sees; its docstring is the sentence in their report. A test names the learner
file it grades by its fixture: `reasoning` is one run of work/reasoning.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from grader.checks import CheckFailed, Evidence, quote, quote_body, quote_output
from grader.checks.common import (
    CHAT,
    budget_of,
    by_sdk,
    find_value,
    find_values,
    labelled_numbers,
    posts_chat,
    replies_printed_once,
    sends_key,
    sends_model_from_env,
    sent_with_requests,
    squash,
    user_agent,
)
from grader.endpoint.session import LoggedRequest
from grader.suite import Section

SECTION = Section("05")

reasoning = SECTION.file("reasoning.py", reference="examples/05/reasoning.py",
                         summary="the reasoning and the answer, by hand and with the SDK",
                         see="Read the reasoning with raw HTTP")
effort = SECTION.file("effort.py", reference="examples/05/effort.py", summary="one question at three reasoning efforts",
                      see="How hard to think: reasoning_effort", timeout=30.0)
budget_trap = SECTION.file("budget_trap.py", reference="examples/05/budget_trap.py",
                           summary="detecting an answer lost to reasoning, and retrying", see="The budget trap")
developer_role = SECTION.file("developer_role.py", reference="examples/05/developer_role.py",
                              summary="a developer rule against a user request; system vs. developer",
                              see="The developer role")
support_bot = SECTION.file("support_bot.py", reference="examples/05/support_bot.py",
                           summary="challenge 1: keep the thinking backstage", see="Challenges", challenge=True)
reasoning_share = SECTION.file("reasoning_share.py", reference="examples/05/reasoning_share.py",
                               summary="challenge 2: the price of thinking", see="Challenges", challenge=True,
                               timeout=30.0)
drop_reasoning = SECTION.file("drop_reasoning.py", reference="examples/05/drop_reasoning.py",
                              summary="challenge 3: send back the answer, not the thinking", see="Challenges",
                              challenge=True)
late_rule = SECTION.file("late_rule.py", reference="examples/05/late_rule.py",
                         summary="challenge 4: a rule in mid-conversation", see="Challenges", challenge=True)

EFFORTS = ("low", "medium", "high")
RANK = {"low": 0, "medium": 1, "high": 2, None: 1}  # no reasoning_effort: the server's default, medium


@dataclass(frozen=True)
class Reply:
    """What the endpoint sent back for one chat request, streamed or not."""

    reasoning: str
    content: str | None
    finish_reason: str | None


def _reply_of(request: LoggedRequest) -> Reply | None:
    if isinstance(request.response, dict):
        choices = request.response.get("choices") or []
        if not choices:
            return None
        message = choices[0].get("message") or {}
        return Reply(message.get("reasoning") or "", message.get("content"), choices[0].get("finish_reason"))
    if isinstance(request.response, list):
        thought, content, finish = "", None, None
        for event in request.response:
            for choice in event.get("choices") or [] if isinstance(event, dict) else []:
                delta = choice.get("delta") or {}
                thought += delta.get("reasoning") or ""
                if delta.get("content"):
                    content = (content or "") + delta["content"]
                finish = choice.get("finish_reason") or finish
        return Reply(thought, content, finish)
    return None


def _answered(ev: Evidence, at_least: int = 1) -> list[LoggedRequest]:
    answered = [r for r in ev.chats() if r.status == 200 and _reply_of(r) is not None]
    if len(answered) < at_least:
        sent = ev.chats()
        if sent and sent[-1].status != 200:
            raise CheckFailed(f"the server answered {sent[-1].status}: {quote(str(sent[-1].response), 200)}")
        why = "" if answered else f": {ev.why_nothing()}"
        raise CheckFailed(f"expected at least {at_least} answered chat request(s); the server answered "
                          f"{len(answered)}{why}.")
    return answered


def _effort(request: LoggedRequest) -> object:
    return request.json_field("reasoning_effort")


def _usage_numbers(request: LoggedRequest) -> tuple[int, int, int]:
    """prompt_tokens, completion_tokens, reasoning_tokens of one answered request."""
    usage = request.usage() or {}
    details = usage.get("completion_tokens_details") or {}
    return usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0), details.get("reasoning_tokens", 0)


def _shows(text: str, output: str) -> bool:
    """Whether output shows the text (or, for a long one, its first 60 characters): spacing does not matter."""
    wanted = squash(text)
    return bool(wanted) and wanted[:60] in squash(output)


def _reasoning_off_stdout(ev: Evidence) -> None:
    for request in _answered(ev):
        reply = _reply_of(request)
        if reply and _shows(reply.reasoning, ev.output):
            raise CheckFailed(f"expected the reasoning to stay out of what the user sees; your output shows it: "
                              f"{quote(reply.reasoning, 100)!r}. Print message.content only; reasoning can "
                              "repeat your instructions and data.")


def _prints_prompt_tokens(ev: Evidence, requests: list[LoggedRequest]) -> None:
    """The prompt_tokens of the first two answered `requests` appear in the output, in order."""
    answered = [r for r in requests if r.status == 200 and r.usage()]
    if len(answered) < 2:
        raise CheckFailed(f"expected two answered calls to compare; the server answered {len(answered)}.")
    counts = [_usage_numbers(r)[0] for r in answered[:2]]
    if not find_values(ev, "prompt|input|with|without|developer|system", counts, avoid="completion output total"):
        raise CheckFailed(f"expected the prompt_tokens the server returned for both calls, {counts[0]} and "
                          f"{counts[1]}, in your output, each next to its name (prompt tokens); your script "
                          f"printed:\n{quote_output(ev.output)}")


# --- work/reasoning.py ----------------------------------------------------------------------------------------------

def test_reasoning_uses_requests(reasoning: Evidence) -> None:
    """sends its request with the requests library"""
    sent_with_requests(reasoning)


@pytest.mark.see("The same with the SDK")
def test_reasoning_then_sdk(reasoning: Evidence) -> None:
    """then asks the same question through the openai SDK"""
    chats = reasoning.chats()
    if len(chats) < 2:
        why = "" if chats else f": {reasoning.why_nothing()}"
        raise CheckFailed(f"expected two chat requests, the first with requests and the second with the SDK; your "
                          f"script sent {len(chats)}{why}.")
    later = [r for r in chats[1:] if by_sdk(r)]
    if not later:
        agents = sorted({user_agent(r) for r in chats[1:]})
        raise CheckFailed(f"expected a later request from the openai SDK (it marks its requests with X-Stainless-* "
                          f"headers); the later requests were written by hand (User-Agent {agents}). Add "
                          "client.chat.completions.create(...) after the raw call.")
    if later[0].messages() != chats[0].messages():
        raise CheckFailed(f"expected the SDK call to send the same messages as the raw call, to compare the two; it "
                          f"sent {quote_body(later[0].messages())} after {quote_body(chats[0].messages())}.")


def test_reasoning_posts_chat(reasoning: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(reasoning)


def test_reasoning_sends_key(reasoning: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(reasoning)


def test_reasoning_prints_reasoning(reasoning: Evidence) -> None:
    """prints the reasoning field of each reply"""
    for request in _answered(reasoning):
        reply = _reply_of(request)
        if reply and reply.reasoning and not _shows(reply.reasoning, reasoning.output):
            raise CheckFailed(f"expected the reasoning the server sent, {quote(reply.reasoning, 100)!r}, in your "
                              f"output; your script printed:\n{quote_output(reasoning.output)}\nIt is "
                              "message['reasoning'] in the JSON, and message.reasoning with the SDK.")


def test_reasoning_prints_answer(reasoning: Evidence) -> None:
    """prints the answer from the content field of each reply"""
    for request in _answered(reasoning):
        reply = _reply_of(request)
        if reply and reply.content and not _shows(reply.content, reasoning.output):
            extra = (" Your output shows the reasoning, which is the model's private working, not its answer."
                     if _shows(reply.reasoning, reasoning.output) else "")
            raise CheckFailed(f"expected the answer the server sent in message.content, {quote(reply.content, 100)!r}, "
                              f"in your output; your script printed:\n{quote_output(reasoning.output)}\n"
                              f"{extra}".rstrip())


def test_reasoning_prints_token_split(reasoning: Evidence) -> None:
    """prints completion_tokens and reasoning_tokens for each call"""
    for request in _answered(reasoning):
        _, completion, thought = _usage_numbers(request)
        wanted = (("completion_tokens", "completion|output|tokens", completion),
                  ("reasoning_tokens", "reasoning|thinking", thought))
        missing = [f"{name}={value}" for name, label, value in wanted if not find_value(reasoning, label, value)]
        if missing:
            raise CheckFailed(f"expected the usage numbers the server returned, {' and '.join(missing)}, in your "
                              f"output; your script printed:\n{quote_output(reasoning.output)}\nThey are "
                              "usage.completion_tokens and usage.completion_tokens_details.reasoning_tokens.")


# --- work/effort.py -------------------------------------------------------------------------------------------------

def _asks_three_efforts(ev: Evidence) -> None:
    chats = ev.chats() or [ev.one(CHAT, "a chat request")]
    sent = [_effort(r) for r in chats]
    if sorted(map(str, sent)) != sorted(EFFORTS):
        nested = [r.json_field("reasoning") for r in chats if isinstance(r.json_field("reasoning"), dict)]
        hint = (" The Chat Completions API takes a top-level reasoning_effort string; {\"reasoning\": "
                "{\"effort\": ...}} belongs to the Responses API and is ignored here." if nested else "")
        raise CheckFailed(f"expected three calls with reasoning_effort 'low', 'medium' and 'high'; your script sent "
                          f"{sent} ({len(chats)} call(s)).{hint}")
    refused = [r for r in chats if r.status != 200]
    if refused:
        raise CheckFailed(f"the server refused a call with {refused[0].status}: {quote(str(refused[0].response), 200)}")


def _same_question(ev: Evidence) -> None:
    chats = ev.chats() or [ev.one(CHAT, "a chat request")]
    first = chats[0].messages()
    for request in chats[1:]:
        if request.messages() != first:
            raise CheckFailed(f"expected the same messages in every call, so that only the effort changes; your "
                              f"script sent {quote_body(first)} and then {quote_body(request.messages())}.")


def test_effort_posts_chat(effort: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(effort)


def test_effort_sends_key(effort: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(effort)


def test_effort_three_efforts(effort: Evidence) -> None:
    """asks at reasoning_effort low, medium and high, one call each"""
    _asks_three_efforts(effort)


def test_effort_same_question(effort: Evidence) -> None:
    """asks the same question at every effort"""
    _same_question(effort)


def test_effort_prints_reasoning_tokens(effort: Evidence) -> None:
    """prints the reasoning_tokens the server reported for each effort"""
    counts = [_usage_numbers(r)[2] for r in _answered(effort)]
    if not find_values(effort, "reasoning|thinking", counts):
        raise CheckFailed(f"expected the reasoning_tokens the server returned, in order and each next to its name: "
                          f"{counts}; your script "
                          f"printed:\n{quote_output(effort.output)}\n"
                          "Read usage.completion_tokens_details.reasoning_tokens.")


def test_effort_room_to_answer(effort: Evidence) -> None:
    """leaves every effort room to finish its answer"""
    for request in _answered(effort):
        reply = _reply_of(request)
        if reply is not None and reply.finish_reason == "length":
            raise CheckFailed(f"at reasoning_effort {_effort(request)!r} the server stopped at your budget of "
                              f"{request.json_field('max_completion_tokens') or request.json_field('max_tokens')} "
                              f"tokens (finish_reason 'length'), " + ("before any answer" if not reply.content else
                                                                      "in the middle of the answer") +
                              ", so that effort printed no real reply. Leave max_tokens out here, or give every "
                              "effort room to reason and answer.")


def test_effort_prints_reply(effort: Evidence) -> None:
    """prints the reply the server sent"""
    replies_printed_once(effort, effort.chats())


# --- work/budget_trap.py --------------------------------------------------------------------------------------------

def _settings(request: LoggedRequest) -> str:
    asked = _effort(request)
    return (f"max_tokens={budget_of(request)!r}, "
            + (f"reasoning_effort={asked!r}" if asked is not None else "no reasoning_effort (medium)"))


def _lower_cost(before: LoggedRequest, after: LoggedRequest) -> bool:
    """Whether `after` gives the reasoning more room or asks for less of it than `before`."""
    old, new = budget_of(before), budget_of(after)
    bigger = new is None and old is not None or isinstance(new, int) and isinstance(old, int) and new > old
    effort_old, effort_new = _effort(before), _effort(after)
    lower = effort_new in RANK and effort_old in RANK and RANK[effort_new] < RANK[effort_old]
    return bigger or lower


def test_budget_trap_posts_chat(budget_trap: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(budget_trap)


def test_budget_trap_sends_key(budget_trap: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(budget_trap)


def test_budget_trap_first_call_trapped(budget_trap: Evidence) -> None:
    """its first call runs out of budget inside the reasoning"""
    first = _answered(budget_trap)[0]
    reply = _reply_of(first)
    assert reply is not None
    if reply.finish_reason != "length" or reply.content:
        _, completion, thought = _usage_numbers(first)
        raise CheckFailed(f"expected the first call to end with finish_reason 'length' and no content, because its "
                          f"max_tokens is smaller than the reasoning; with max_tokens={budget_of(first)!r} it ended "
                          f"with finish_reason {reply.finish_reason!r} after {completion} tokens ({thought} of them "
                          "reasoning). Use a small budget such as max_tokens=100 for the first call.")


def test_budget_trap_survives_empty_answer(budget_trap: Evidence) -> None:
    """handles the empty answer without crashing or printing None"""
    if budget_trap.run.exit_code not in (0, None):
        raise CheckFailed(f"expected the script to recover, but {budget_trap.why_nothing()}. When the budget runs out "
                          "inside the reasoning, message.content is None: check it before using it.")
    shown = [line for line in budget_trap.output.splitlines() if line.strip().endswith("None")]
    if shown:
        raise CheckFailed(f"expected no None in what the script prints; it printed {quote(shown[0], 120)!r}. An empty "
                          "answer is something to detect and handle, not to show.")


def test_budget_trap_retries_smarter(budget_trap: Evidence) -> None:
    """retries with a larger max_tokens or a lower reasoning_effort"""
    chats = budget_trap.chats()
    if len(chats) < 2:
        why = "" if chats else f": {budget_trap.why_nothing()}"
        raise CheckFailed(f"expected a second call after the empty answer; your script sent {len(chats)} chat "
                          f"request(s){why}.")
    for before, after in zip(chats, chats[1:]):
        if after.messages() != before.messages():
            raise CheckFailed(f"expected the retry to ask the same question; it sent {quote_body(after.messages())} "
                              f"after {quote_body(before.messages())}.")
        if after.status == 400:
            refused = after.response.get("error", {}).get("message", "") if isinstance(after.response, dict) else ""
            raise CheckFailed(f"expected the retry to raise max_tokens or lower reasoning_effort; the server refused "
                              f"it with 400: {quote(refused, 160)!r}. reasoning_effort takes low, medium or high.")
        if not _lower_cost(before, after):
            raise CheckFailed(f"expected the retry to raise max_tokens or lower reasoning_effort; it went from "
                              f"{_settings(before)} to {_settings(after)}. The same request again runs out the "
                              "same way.")


def test_budget_trap_retry_succeeds(budget_trap: Evidence) -> None:
    """stops as soon as a retry gets a complete answer"""
    answered = _answered(budget_trap)
    replies = [_reply_of(r) for r in answered]
    done = [i for i, reply in enumerate(replies) if reply and reply.content and reply.finish_reason == "stop"]
    if not done:
        last = answered[-1]
        finish = replies[-1].finish_reason if replies[-1] else None
        raise CheckFailed(f"expected a call that ends with finish_reason 'stop' and an answer; the last one ended with "
                          f"{finish!r} ({_settings(last)}). Give the retry room for the reasoning and the answer.")
    if done[0] != len(answered) - 1:
        raise CheckFailed(f"expected no more calls once one had an answer; call {done[0] + 1} answered, but your "
                          f"script sent {len(answered) - done[0] - 1} more.")


def test_budget_trap_prints_reply(budget_trap: Evidence) -> None:
    """prints the reply the server sent"""
    replies_printed_once(budget_trap)


def test_budget_trap_reasoning_not_printed(budget_trap: Evidence) -> None:
    """keeps the reasoning out of what it prints"""
    _reasoning_off_stdout(budget_trap)


# --- work/developer_role.py -----------------------------------------------------------------------------------------

def _as_system(ev: Evidence) -> list[LoggedRequest]:
    """The first call and the first later one that repeats it with a system message."""
    chats = ev.chats()
    first = chats[0].messages() if chats else []
    twins = [r for r in chats[1:] if r.roles()[:1] == ["system"] and r.messages()[1:] == first[1:]]
    return chats[:1] + twins[:1]


def test_developer_role_posts_chat(developer_role: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(developer_role)


def test_developer_role_sends_key(developer_role: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(developer_role)


def test_developer_role_developer_then_user(developer_role: Evidence) -> None:
    """sends a developer message, then the user's request"""
    roles = developer_role.one(CHAT, "a chat request").roles()
    if roles != ["developer", "user"]:
        raise CheckFailed(f"expected the first call's roles to be ['developer', 'user']; your script sent {roles}.")


def test_developer_role_same_as_system(developer_role: Evidence) -> None:
    """sends the same two messages again with the first one as system"""
    first = developer_role.one(CHAT, "a chat request").messages()
    wanted = [{**first[0], "role": "system"}, *first[1:]] if first else []
    for request in developer_role.chats()[1:]:
        if request.messages() == wanted:
            return
    sent = [quote_body(r.messages(), 160) for r in developer_role.chats()[1:]] or ["nothing"]
    raise CheckFailed(f"expected a second call with the same messages, the first one as role 'system': "
                      f"{quote_body(wanted, 160)}; after the first call your script sent {'; '.join(sent)}.")


def test_developer_role_prints_reply(developer_role: Evidence) -> None:
    """prints the reply the server sent"""
    replies_printed_once(developer_role, developer_role.chats()[:1])


def test_developer_role_prints_prompt_tokens(developer_role: Evidence) -> None:
    """prints the prompt_tokens of both calls"""
    _prints_prompt_tokens(developer_role, _as_system(developer_role))


# --- work/support_bot.py (challenge 1) ------------------------------------------------------------------------------

def test_support_bot_posts_chat(support_bot: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(support_bot)


def test_support_bot_sends_key(support_bot: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(support_bot)


def test_support_bot_rules_first(support_bot: Evidence) -> None:
    """gives the bot its rules in a developer message"""
    roles = support_bot.one(CHAT, "a chat request").roles()
    if roles[:1] not in (["developer"], ["system"]):
        raise CheckFailed(f"expected the bot's rules as the first message, role 'developer'; your script sent {roles}.")


def test_support_bot_prints_reply(support_bot: Evidence) -> None:
    """prints the reply the server sent"""
    replies_printed_once(support_bot)


def test_support_bot_reasoning_off_stdout(support_bot: Evidence) -> None:
    """keeps the reasoning off stdout"""
    _reasoning_off_stdout(support_bot)


def test_support_bot_reasoning_to_stderr(support_bot: Evidence) -> None:
    """writes the reasoning to stderr, for you rather than the user"""
    for request in _answered(support_bot):
        reply = _reply_of(request)
        if reply and reply.reasoning and not _shows(reply.reasoning, support_bot.run.stderr):
            raise CheckFailed(f"expected the reasoning, {quote(reply.reasoning, 80)!r}, on stderr "
                              "(print(..., file=sys.stderr)), where a log would collect it; stderr held:\n"
                              f"{quote_output(support_bot.run.stderr)}")


# --- work/reasoning_share.py (challenge 2) --------------------------------------------------------------------------

def test_reasoning_share_three_efforts(reasoning_share: Evidence) -> None:
    """asks at reasoning_effort low, medium and high, one call each"""
    _asks_three_efforts(reasoning_share)


def test_reasoning_share_same_question(reasoning_share: Evidence) -> None:
    """asks the same question at every effort"""
    _same_question(reasoning_share)


def test_reasoning_share_prints_share(reasoning_share: Evidence) -> None:
    """prints each effort's reasoning share of the completion tokens"""
    # a share is a percentage, or a fraction named as one (0.29 next to "share"), never a count or a time
    printed = [n.value if n.unit == "%" else 100 * n.value for n in labelled_numbers(reasoning_share.output)
               if n.unit == "%" or (n.unit == "" and n.value <= 1 and n.words & {"share", "fraction", "ratio"})]
    for request in _answered(reasoning_share):
        _, completion, thought = _usage_numbers(request)
        if not completion:
            continue
        share = 100 * thought / completion
        if not any(abs(n - share) <= 1 for n in printed):
            raise CheckFailed(f"for reasoning_effort={_effort(request)!r} the server returned {thought} reasoning "
                              f"tokens out of {completion} completion tokens, {share:.1f}%; your output shows no "
                              f"percentage (or fraction labelled share) within 1 of it:\n"
                              f"{quote_output(reasoning_share.output)}")


# --- work/drop_reasoning.py (challenge 3) ---------------------------------------------------------------------------

def _assistant_turns(request: LoggedRequest) -> list[dict]:
    return [m for m in request.messages() if m.get("role") == "assistant"]


def _follow_ups(ev: Evidence) -> list[LoggedRequest]:
    return [r for r in ev.chats()[1:] if _assistant_turns(r)]


def test_drop_reasoning_posts_chat(drop_reasoning: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(drop_reasoning)


def test_drop_reasoning_sends_key(drop_reasoning: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(drop_reasoning)


def test_drop_reasoning_continues_with_answer(drop_reasoning: Evidence) -> None:
    """sends the first answer back as an assistant turn"""
    reply = _reply_of(_answered(drop_reasoning)[0])
    answer = (reply.content if reply else None) or ""
    follow_ups = [r for r in drop_reasoning.chats()[1:]
                  if any(squash(str(m.get("content") or "")) == squash(answer) for m in _assistant_turns(r))]
    if not follow_ups:
        raise CheckFailed(f"expected later calls to include the first answer, {quote(answer, 80)!r}, as an assistant "
                          f"message before the follow-up question; they sent "
                          f"{[r.roles() for r in drop_reasoning.chats()[1:]] or 'nothing'}.")


def test_drop_reasoning_with_and_without(drop_reasoning: Evidence) -> None:
    """sends the follow-up once with the reasoning and once without"""
    follow_ups = _follow_ups(drop_reasoning)
    carrying = [bool(str(_assistant_turns(r)[-1].get("reasoning") or "").strip()) for r in follow_ups]
    kinds = ", ".join("with reasoning" if c else "without" for c in carrying)
    if True not in carrying or False not in carrying:
        raise CheckFailed(f"expected two follow-up calls: one whose assistant message carries the earlier "
                          f"reasoning ({{'role': 'assistant', 'content': ..., 'reasoning': ...}}) and one without it; "
                          f"your script sent {len(follow_ups)} follow-up(s)"
                          f"{': ' + kinds if kinds else ''}.")
    questions = {str(r.messages()[-1].get("content")) for r in follow_ups}
    if len(questions) > 1:
        raise CheckFailed(f"expected both follow-ups to ask the same question, so only the reasoning differs; they "
                          f"asked {sorted(quote(q, 60) for q in questions)}.")


def test_drop_reasoning_prints_prompt_tokens(drop_reasoning: Evidence) -> None:
    """prints the prompt_tokens of both follow-ups"""
    _prints_prompt_tokens(drop_reasoning, _follow_ups(drop_reasoning))


# --- work/late_rule.py (challenge 4) --------------------------------------------------------------------------------

def test_late_rule_posts_chat(late_rule: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(late_rule)


def test_late_rule_sends_key(late_rule: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(late_rule)


def test_late_rule_late_developer(late_rule: Evidence) -> None:
    """sends a developer message after the assistant's turn"""
    # The assistant's answer may be written in or come from an earlier call: judge the request that carries it.
    for request in reversed(late_rule.chats() or [late_rule.one(CHAT, "a chat request")]):
        roles = request.roles()
        assistant = roles.index("assistant") if "assistant" in roles else None
        late = assistant is not None and any(r in ("developer", "system") for r in roles[assistant + 1:])
        if late and roles[-1] == "user":
            return
    raise CheckFailed(f"expected a conversation with an assistant turn, then a developer message with the new rule, "
                      f"then the user's next question; your script sent roles {late_rule.chats()[-1].roles()}.")


def test_late_rule_prints_reply(late_rule: Evidence) -> None:
    """prints the reply the server sent"""
    replies_printed_once(late_rule)


# --- every file: the model id comes from MODEL --------------------------------------------------------------------

reasoning_other_model = SECTION.other_model("reasoning.py")
effort_other_model = SECTION.other_model("effort.py")
budget_trap_other_model = SECTION.other_model("budget_trap.py")
developer_role_other_model = SECTION.other_model("developer_role.py")
support_bot_other_model = SECTION.other_model("support_bot.py")
reasoning_share_other_model = SECTION.other_model("reasoning_share.py")
drop_reasoning_other_model = SECTION.other_model("drop_reasoning.py")
late_rule_other_model = SECTION.other_model("late_rule.py")


def test_reasoning_model_from_env(reasoning_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(reasoning_other_model)


def test_effort_model_from_env(effort_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(effort_other_model)


def test_budget_trap_model_from_env(budget_trap_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(budget_trap_other_model)


def test_developer_role_model_from_env(developer_role_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(developer_role_other_model)


def test_support_bot_model_from_env(support_bot_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(support_bot_other_model)


def test_reasoning_share_model_from_env(reasoning_share_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(reasoning_share_other_model)


def test_drop_reasoning_model_from_env(drop_reasoning_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(drop_reasoning_other_model)


def test_late_rule_model_from_env(late_rule_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(late_rule_other_model)


# --- variant runs: against a differently configured server, printed values must follow this run's response ----------

reasoning_variant = SECTION.variant("reasoning.py")


def test_reasoning_prints_reasoning_variant(reasoning_variant: Evidence) -> None:
    """prints the reasoning field of each reply"""
    test_reasoning_prints_reasoning(reasoning_variant)


def test_reasoning_prints_answer_variant(reasoning_variant: Evidence) -> None:
    """prints the answer from the content field of each reply"""
    test_reasoning_prints_answer(reasoning_variant)


def test_reasoning_prints_token_split_variant(reasoning_variant: Evidence) -> None:
    """prints completion_tokens and reasoning_tokens for each call"""
    test_reasoning_prints_token_split(reasoning_variant)
