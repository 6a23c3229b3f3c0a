"""Section 07 · Conversations & Memory: a chat loop that resends the whole conversation, saves it, trims it to a
token budget and summarises what it would otherwise drop.

The scripts read scripted input (examples/07/*.txt). Each test replays that input the way the lesson's loop would,
filling in the replies the server really sent, and compares what the script sent with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from grader import paths
from grader.checks import CheckFailed, Evidence, quote, quote_exact
from grader.checks.common import (
    CHAT,
    posts_chat,
    replies_printed_once,
    sends_key,
    sends_model_from_env,
    squash,
    stops_at_end_of_input,
)
from grader.checks.streams import prints_as_it_arrives
from grader.endpoint import harmony
from grader.endpoint.matcher import text_of
from grader.endpoint.session import LoggedRequest
from grader.suite import Section

BUDGET = 250  # the prompt-token budget the lesson sets for trim.py and summarize.py
COMMANDS = ("/save", "/load", "/undo", "/user")


def _input(name: str) -> str:
    return (paths.EXAMPLES / "07" / name).read_text(encoding="utf-8")


CHAT_INPUT = _input("chat.txt")
SAVE_INPUT = _input("save.txt")
TRIP_INPUT = _input("trip.txt")
LONG_INPUT = _input("long.txt")  # one pasted message far longer than the rest: catches trimming by message count
UNDO_INPUT = _input("undo.txt")
USERS_INPUT = _input("users.txt")
NO_QUIT_INPUT = "".join(CHAT_INPUT.splitlines(keepends=True)[:2])  # two lines, then the input simply ends
LOAD_ONLY_INPUT = "\n".join(SAVE_INPUT.splitlines()[SAVE_INPUT.splitlines().index("/load"):]) + "\n"
FIRST_LINE_INPUT = SAVE_INPUT.splitlines()[0] + "\nquit\n"  # no /save: a run that must not write the saved file

SECTION = Section("07", pace=1.0)  # chat.txt's first line, streamed, is paced (recordings/07: *-streamed)

chat = SECTION.file("chat.py", reference="examples/07/chat.py", summary="a chat loop that resends the conversation",
                    see="A chat loop", stdin=CHAT_INPUT)
chat_no_quit = SECTION.scenario("chat.py", "no_quit", "with input that ends without quit", stdin=NO_QUIT_INPUT)
chat_save = SECTION.file("chat_save.py", reference="examples/07/chat_save.py",
                         summary="/save and /load a conversation as JSON", see="Save and load a conversation",
                         stdin=SAVE_INPUT)
trim = SECTION.file("trim.py", reference="examples/07/trim.py", summary="trimming the history to a token budget",
                    see="Trim to a token budget", stdin=TRIP_INPUT)
trim_long = SECTION.scenario("trim.py", "long", "with a long message pasted in", stdin=LONG_INPUT)
summarize = SECTION.file("summarize.py", reference="examples/07/summarize.py",
                         summary="summarising old turns into one message", see="Summarise instead of forgetting",
                         stdin=TRIP_INPUT)
undo = SECTION.file("undo.py", reference="examples/07/undo.py", summary="challenge 1: /undo the last exchange",
                    see="Challenges", challenge=True, stdin=UNDO_INPUT)
chat_stream = SECTION.file("chat_stream.py", reference="examples/07/chat_stream.py",
                           summary="challenge 2: a streaming chat", see="Challenges", challenge=True, stdin=CHAT_INPUT)
per_user = SECTION.file("per_user.py", reference="examples/07/per_user.py", summary="challenge 3: one history per user",
                        see="Challenges", challenge=True, stdin=USERS_INPUT)

Pair = tuple[Any, str]  # (role, text) of one message


# --- what the input asks for -----------------------------------------------------------------------------------------

def _typed_lines(stdin: str) -> list[str]:
    """The lines a script must send to the model: everything before quit that is neither blank nor a command."""
    lines = []
    for line in stdin.splitlines():
        if line.strip() == "quit":
            break
        if line.strip() and not line.strip().startswith(COMMANDS):
            lines.append(line)
    return lines


# --- reading the request log -----------------------------------------------------------------------------------------

def _pairs(request: LoggedRequest) -> list[Pair]:
    return [(m.get("role"), text_of(m.get("content"))) for m in request.messages()]


def _after_system(request: LoggedRequest) -> list[Pair]:
    found = _pairs(request)
    return found[1:] if found and found[0][0] == "system" else found


def _final_user_text(request: LoggedRequest) -> str | None:
    """The text of the request's last message when the user sent it, else None."""
    found = _pairs(request)
    return found[-1][1] if found and found[-1][0] == "user" else None


def _reply_of(request: LoggedRequest | None) -> str | None:
    if request is None or request.status != 200:
        return None
    texts = request.replies()
    return texts[0] if texts else None


def _turn_requests(chats: list[LoggedRequest], lines: list[str]) -> list[LoggedRequest | None]:
    """For each typed line, the request that answered it: the last one ending with that line before the next
    line's first request. Earlier ones ending with the same line are measurements (max_tokens=1 probes)."""
    found: list[LoggedRequest | None] = []
    start = 0
    for k, line in enumerate(lines):
        following = lines[k + 1] if k + 1 < len(lines) else None
        end = next((i for i in range(start, len(chats))
                    if following is not None and _final_user_text(chats[i]) == following), len(chats))
        hits = [i for i in range(start, end) if _final_user_text(chats[i]) == line]
        found.append(chats[hits[-1]] if hits else None)
        start = hits[-1] + 1 if hits else start
    return found


@dataclass
class Turn:
    """One typed line: the request that answered it and the conversation it should have carried."""

    number: int  # 1-based, among typed lines
    line: str
    user: str  # whose conversation it belongs to (per_user.py); "" otherwise
    request: LoggedRequest
    expected: list[Pair]  # after the system message: the conversation so far, ending with this line
    full: list[Pair]  # the whole conversation, as if nothing were ever dropped

    @property
    def sent(self) -> list[Pair]:
        return _after_system(self.request)

    @property
    def reply(self) -> str | None:
        return _reply_of(self.request)


def _play(ev: Evidence, stdin: str) -> list[Turn]:
    """Replays the input as the lesson's loop would, with the replies the server really sent.

    Fails, in words, when a typed line never reached the server; stops at the first turn the server refused."""
    chats = ev.chats()
    if not chats:
        ev.one(CHAT, "a chat request for the first line of input")
    requests = _turn_requests(chats, _typed_lines(stdin))
    histories: dict[str, list[Pair]] = {"": []}
    everything: list[Pair] = []
    saved: list[Pair] = []
    user = ""
    turns: list[Turn] = []
    for raw in stdin.splitlines():
        word = raw.strip()
        if word == "quit":
            break
        if not word:
            continue
        history = histories.setdefault(user, [])
        if word == "/save":
            saved = list(history)
        elif word == "/load":
            histories[user] = list(saved)
        elif word == "/undo":
            del history[-2:]
        elif word.startswith("/user"):
            user = word.removeprefix("/user").strip()
        else:
            request = requests[len(turns)]
            if request is None:
                raise CheckFailed(_unanswered(ev, chats, raw, len(turns)))
            turn = Turn(len(turns) + 1, raw, user, request, history + [("user", raw)], everything + [("user", raw)])
            turns.append(turn)
            if turn.reply is None:
                break
            history.extend([("user", raw), ("assistant", turn.reply)])
            everything.extend([("user", raw), ("assistant", turn.reply)])
    return turns


def _unanswered(ev: Evidence, chats: list[LoggedRequest], line: str, number: int) -> str:
    crashed = f" Then {ev.why_nothing()}." if ev.run.exit_code not in (0, None) else ""
    if all(r.status != 200 for r in chats):
        first = chats[0]
        return (f"the server refused every request your script sent (the first was answered {first.status}: "
                f"{quote(str(first.response), 150)}), so no line you typed got an answer.{crashed}")
    ends = [quote(_final_user_text(r), 50) if _final_user_text(r) is not None else
            f"(a {_pairs(r)[-1][0]} message)" if _pairs(r) else "(no messages)" for r in chats]
    return (f"expected a request ending with the line you typed, {quote(line, 60)!r} (line {number + 1} of the input, "
            f"sent as the last user message, unchanged); your script sent {len(chats)} chat request(s), ending with "
            f"{ends}.{crashed}")


def _show(messages: list[Pair], limit: int = 12, *, exact: bool = False) -> str:
    shown = [f"{role}: {quote_exact(text, 60) if exact else repr(quote(text, 48))}" for role, text in messages[-limit:]]
    more = [f"…{len(messages) - limit} earlier"] if len(messages) > limit else []
    return "[" + ", ".join(more + shown) + "]" if messages else "[] (nothing)"


def _show_both(sent: list[Pair], expected: list[Pair]) -> tuple[str, str]:
    """Two conversations as a message shows them, with whitespace made visible when they would look the same."""
    plain = _show(sent), _show(expected)
    return (_show(sent, exact=True), _show(expected, exact=True)) if plain[0] == plain[1] else plain


# --- checks every chat loop shares -------------------------------------------------------------------------------

def _one_request_per_line(ev: Evidence, stdin: str, *, extra_allowed: bool = False) -> None:
    """Each typed line is answered; nothing after quit is sent; chat.py-style loops send nothing else."""
    lines = stdin.splitlines()
    cut = next((i for i, line in enumerate(lines) if line.strip() == "quit"), len(lines))
    for late in [line for line in lines[cut + 1:] if line.strip()]:
        for request in ev.chats():
            if any(late in text for _, text in _pairs(request)):
                raise CheckFailed(f"expected the script to stop reading at `quit`; it also sent the line after "
                                  f"it, {quote(late, 60)!r}. Leave the loop with `break` when the line is quit.")
    turns = _play(ev, stdin)
    typed = _typed_lines(stdin)
    if len(turns) < len(typed):
        stopped = turns[-1]
        raise CheckFailed(f"the server refused the request for {quote(stopped.line, 50)!r} "
                          f"({stopped.request.status}: {quote(str(stopped.request.response), 200)}), so the "
                          "conversation could not go on. Send only role and content in each message.")
    if not extra_allowed and len(ev.chats()) != len(typed):
        raise CheckFailed(f"expected one chat request per line you type, {len(typed)} in all; your script sent "
                          f"{len(ev.chats())}. Call the model once per line, after appending that line.")


def _keeps_commands_local(ev: Evidence, stdin: str) -> None:
    names = sorted({line.strip().split()[0] for line in stdin.splitlines() if line.strip().startswith(COMMANDS)})
    for request in ev.chats():
        for role, text in _pairs(request):
            if text.strip().startswith(tuple(names)):
                raise CheckFailed(f"expected {' and '.join(names)} to be handled by your script; it sent "
                                  f"{quote(text, 60)!r} to the model as a {role} message. Check for the command "
                                  "(and `continue`) before appending the line to the conversation.")
    _play(ev, stdin)


def _system_first(ev: Evidence, stdin: str, *, may_grow: bool = False) -> None:
    """The same system message opens every request; with may_grow, it may gain text (a summary) after it."""
    turns = _play(ev, stdin)
    first = _pairs(turns[0].request)
    if not first or first[0][0] != "system":
        raise CheckFailed(f"expected a system message first in every request; the first request began with "
                          f"{_show(first[:2])}. Start the list with {{'role': 'system', 'content': ...}}.")
    system = first[0][1]
    for turn in turns[1:]:
        sent = _pairs(turn.request)
        opens = sent[0] if sent else (None, "")
        same = opens[0] == "system" and (opens[1].startswith(system) if may_grow else opens[1] == system)
        if not same:
            raise CheckFailed(f"expected every request to start with your system message, "
                              f"{quote(system, 60)!r}; the request for {quote(turn.line, 50)!r} started with "
                              f"{_show(sent[:1])}. Keep messages[0] in place: only ever remove messages after it.")


def _carries_conversation(ev: Evidence, stdin: str, advice: str, *, only_after: str | None = None) -> None:
    """Each request carries exactly the conversation so far (as the input's commands shape it)."""
    turns = _play(ev, stdin)
    start = 0
    if only_after is not None:
        lines = [raw.strip() for raw in stdin.splitlines()]
        start = len(_typed_lines("\n".join(lines[:lines.index(only_after)])))
    for turn in turns[start:]:
        if turn.sent == turn.expected:
            continue
        _no_second_system(turn)
        sent, expected = _show_both(turn.sent, turn.expected)
        raise CheckFailed(f"the request for line {turn.number}, {quote(turn.line, 50)!r}, carried "
                          f"{sent} after the system message; the conversation at that point should "
                          f"have been {expected}. {advice}")


def _no_second_system(turn: Turn) -> None:
    """A request that differs from the conversation by a repeated system message says so (a list of messages
    shows only after the first one)."""
    again = [text for role, text in turn.sent if role == "system"]
    if again:
        raise CheckFailed(f"the request for line {turn.number}, {quote(turn.line, 50)!r}, carried a second system "
                          f"message, {quote_exact(again[0], 60)}, after the first: add the system message once, "
                          "before the loop, never again inside it.")


def _appends_replies(ev: Evidence, stdin: str) -> None:
    for turn in _play(ev, stdin):
        if turn.sent == turn.expected:
            continue
        _no_second_system(turn)
        answered = [t for role, t in turn.expected if role == "assistant"]
        sent = [t for role, t in turn.sent if role == "assistant"]
        if not sent and answered:
            what = "no assistant message at all"
        else:
            wrong = next(((s, a) for s, a in zip(sent, answered) if s != a), None)
            what = (f"the assistant message {quote_exact(wrong[0], 100)} where the server had replied "
                    f"{quote_exact(wrong[1], 100)}" if wrong else f"the messages {_show(turn.sent)}")
        raise CheckFailed(f"the request for line {turn.number}, {quote(turn.line, 50)!r}, carried {what}; the "
                          f"conversation at that point should have been {_show(turn.expected)}. After every answer, "
                          "append {'role': 'assistant', 'content': reply} with the reply text exactly as it came back "
                          "(not the whole response), before reading the next line.")


def _prints_turn_replies(ev: Evidence, stdin: str) -> None:
    replies_printed_once(ev, [t.request for t in _play(ev, stdin)])


# --- the token budget --------------------------------------------------------------------------------------------

def _prompt_size(request: LoggedRequest, messages: list[dict[str, Any]]) -> int:
    """What the server would count for this request with other messages (harmony, as vLLM renders it)."""
    body = request.body if isinstance(request.body, dict) else {}
    return len(harmony.chat_prompt_tokens({**body, "messages": messages}))


def _within_budget(ev: Evidence, stdin: str) -> None:
    for turn in _play(ev, stdin):
        size = (turn.request.usage() or {}).get("prompt_tokens")
        if isinstance(size, int) and size > BUDGET:
            raise CheckFailed(f"the request for line {turn.number}, {quote(turn.line, 50)!r}, was {size} prompt "
                              f"tokens by the server's count (usage.prompt_tokens), over the lesson's budget of "
                              f"{BUDGET}. Before each call, measure the whole list with the server and make room "
                              "(drop or summarise the oldest exchanges) until it fits; a fixed number of messages "
                              "fits short lines, not long ones.")


def _is_tail(sent: list[Pair], full: list[Pair]) -> bool:
    return len(sent) <= len(full) and full[len(full) - len(sent):] == sent


def _positions(sent: list[Pair], full: list[Pair]) -> list[int] | None:
    """Where each sent message stands in the full conversation, if they appear in order; else None."""
    found, at = [], 0
    for message in sent:
        if message not in full[at:]:
            return None
        at = full.index(message, at)
        found.append(at)
        at += 1
    return found or None


# --- summaries ---------------------------------------------------------------------------------------------------

def _summary_requests(ev: Evidence, turns: list[Turn]) -> list[LoggedRequest]:
    """Chat requests that answer no typed line and do not end with one: the requests for a summary."""
    lines = {t.line for t in turns}
    answering = {id(t.request) for t in turns}
    return [r for r in ev.chats() if id(r) not in answering and _final_user_text(r) not in lines]


def _mentions(request: LoggedRequest, text: str) -> bool:
    return any(squash(text) in squash(t) for _, t in _pairs(request))


def _next_turn(ev: Evidence, turns: list[Turn], request: LoggedRequest) -> Turn | None:
    """The first turn answered after `request` was sent."""
    order = {id(r): i for i, r in enumerate(ev.chats())}
    return next((t for t in turns if order[id(t.request)] > order[id(request)]), None)


def _sent_before(ev: Evidence, first: LoggedRequest, second: LoggedRequest) -> bool:
    order = {id(r): i for i, r in enumerate(ev.chats())}
    return order[id(first)] < order[id(second)]


# --- work/chat.py ------------------------------------------------------------------------------------------------

def test_chat_posts_chat(chat: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(chat)


def test_chat_sends_key(chat: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(chat)


def test_chat_one_request_per_line(chat: Evidence) -> None:
    """sends one request per line you type, and stops at quit"""
    _one_request_per_line(chat, CHAT_INPUT)


def test_chat_system_first(chat: Evidence) -> None:
    """starts every request with the same system message"""
    _system_first(chat, CHAT_INPUT)


def test_chat_resends_user_lines(chat: Evidence) -> None:
    """resends every earlier line you typed, in order"""
    for turn in _play(chat, CHAT_INPUT):
        sent = [text for role, text in turn.sent if role == "user"]
        expected = [text for role, text in turn.expected if role == "user"]
        if sent != expected:
            raise CheckFailed(f"the request for line {turn.number} carried the user messages "
                              f"{[quote(t, 40) for t in sent]}; you had typed {[quote(t, 40) for t in expected]} "
                              "so far. Create the list once, before the loop, and append every line to it: the "
                              "server remembers nothing, so each request must carry the whole conversation.")


@pytest.mark.see("The bug everyone writes once")
def test_chat_appends_replies(chat: Evidence) -> None:
    """adds each reply to the conversation exactly as the server sent it"""
    _appends_replies(chat, CHAT_INPUT)


def test_chat_prints_reply(chat: Evidence) -> None:
    """prints the reply the server sent"""
    _prints_turn_replies(chat, CHAT_INPUT)


def test_chat_ends_cleanly(chat_no_quit: Evidence) -> None:
    """stops cleanly when the input ends without quit"""
    stops_at_end_of_input(chat_no_quit, "the input ends without quit")
    _play(chat_no_quit, NO_QUIT_INPUT)


# --- work/chat_save.py -------------------------------------------------------------------------------------------

def test_chat_save_posts_chat(chat_save: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(chat_save)


def test_chat_save_sends_key(chat_save: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(chat_save)


def test_chat_save_one_request_per_line(chat_save: Evidence) -> None:
    """sends one request per line you type, and stops at quit"""
    _one_request_per_line(chat_save, SAVE_INPUT)


def test_chat_save_commands_local(chat_save: Evidence) -> None:
    """handles /load and /save itself and never sends them to the model"""
    _keeps_commands_local(chat_save, SAVE_INPUT)


def test_chat_save_system_first(chat_save: Evidence) -> None:
    """starts every request with the same system message"""
    _system_first(chat_save, SAVE_INPUT)


def test_chat_save_carries_on_after_load(chat_save: Evidence) -> None:
    """after /load, carries on from the saved conversation"""
    _carries_conversation(chat_save, SAVE_INPUT, "/save must write every message, replies included, and /load must "
                          "replace the conversation in memory with the one in the file.", only_after="/load")


def test_chat_save_loads_in_new_run(chat_save_load_only: Evidence) -> None:
    """/load in a new run brings back the conversation the first run saved"""
    saved = SAVE_INPUT.splitlines()[0]
    request = chat_save_load_only.one(CHAT, "a chat request after /load")
    users = [str(m.get("content")) for m in request.messages() if m.get("role") == "user"]
    if squash(saved) not in map(squash, users):
        raise CheckFailed(f"in a second run whose input was only {quote(LOAD_ONLY_INPUT, 80)!r}, after a first run "
                          f"that typed {saved!r} and /save, your script asked with the user messages {users}. /save "
                          "must write the conversation to a file and /load must read it back from there: a list "
                          "kept in memory is gone when the program ends.")


def test_chat_save_prints_reply(chat_save: Evidence) -> None:
    """prints the reply the server sent"""
    _prints_turn_replies(chat_save, SAVE_INPUT)


# --- work/trim.py ------------------------------------------------------------------------------------------------

def test_trim_posts_chat(trim: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(trim)


def test_trim_sends_key(trim: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(trim)


def test_trim_one_request_per_line(trim: Evidence) -> None:
    """sends one request per line you type, and stops at quit"""
    _one_request_per_line(trim, TRIP_INPUT, extra_allowed=True)


def test_trim_system_first(trim: Evidence) -> None:
    """starts every request with the same system message"""
    _system_first(trim, TRIP_INPUT)


def test_trim_drops_oldest_first(trim: Evidence) -> None:
    """drops the oldest exchanges first and keeps the rest word for word"""
    for turn in _play(trim, TRIP_INPUT):
        sent, full = turn.sent, turn.full
        if _is_tail(sent, full) and (not sent or sent[0][0] == "user"):
            continue
        where = f"the request for line {turn.number}, {quote(turn.line, 50)!r},"
        if _is_tail(sent, full):
            raise CheckFailed(f"{where} kept a reply without the question before it: it began with "
                              f"{_show(sent[:1])}. Drop a user message together with its reply, two at a time.")
        positions = _positions(sent, full)
        gap = next((i for i in range(positions[0], len(full)) if i not in positions), None) if positions else None
        if gap is not None:
            raise CheckFailed(f"{where} left out {full[gap][0]}: {quote(full[gap][1], 60)!r} but kept the older "
                              f"{quote(sent[0][1], 50)!r}. Drop from the start of the conversation (just after "
                              "the system message), never from the middle or the end.")
        raise CheckFailed(f"{where} carried {_show(sent)} after the system message; expected the newest part "
                          f"of the conversation, word for word: {_show(full)}, minus its oldest exchanges.")


def test_trim_within_budget(trim: Evidence) -> None:
    """keeps every request within the 250-token budget, as the server counts it"""
    _within_budget(trim, TRIP_INPUT)


def test_trim_drops_no_more_than_needed(trim: Evidence) -> None:
    """drops only as many exchanges as the budget requires"""
    for turn in _play(trim, TRIP_INPUT):
        sent, full = turn.sent, turn.full
        dropped = len(full) - len(sent)
        if not _is_tail(sent, full) or dropped < 2:
            continue
        system = turn.request.messages()[:1]
        if not system or system[0].get("role") != "system":
            continue
        back = [{"role": role, "content": text} for role, text in full[dropped - 2:]]
        size = _prompt_size(turn.request, system + back)
        if size <= BUDGET:
            raise CheckFailed(f"the request for line {turn.number}, {quote(turn.line, 50)!r}, dropped the "
                              f"exchange that begins {quote(full[dropped - 2][1], 50)!r}, but with it the request "
                              f"would have been {size} tokens, within the budget of {BUDGET}. Drop one exchange "
                              "at a time and measure again (with the server's count, not by message count or "
                              "characters).")


def test_trim_prints_reply(trim: Evidence) -> None:
    """prints the reply the server sent"""
    _prints_turn_replies(trim, TRIP_INPUT)


def test_trim_long_within_budget(trim_long: Evidence) -> None:
    """keeps every request within the 250-token budget, as the server counts it"""
    _within_budget(trim_long, LONG_INPUT)


# --- work/summarize.py -------------------------------------------------------------------------------------------

def test_summarize_posts_chat(summarize: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(summarize)


def test_summarize_sends_key(summarize: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(summarize)


def test_summarize_one_request_per_line(summarize: Evidence) -> None:
    """sends one request per line you type, and stops at quit"""
    _one_request_per_line(summarize, TRIP_INPUT, extra_allowed=True)


def test_summarize_system_first(summarize: Evidence) -> None:
    """starts every request with the same system message"""
    _system_first(summarize, TRIP_INPUT, may_grow=True)


def test_summarize_when_over(summarize: Evidence) -> None:
    """asks for a summary once the conversation outgrows the budget, not before"""
    turns = _play(summarize, TRIP_INPUT)
    asked = _summary_requests(summarize, turns)
    if not asked:
        raise CheckFailed(f"expected a request asking the model to summarise the older turns once the "
                          f"conversation outgrew {BUDGET} tokens; every request your script sent ended with a "
                          "line you typed. Send the old messages in a separate request with an instruction to "
                          "summarise them.")
    first, following = asked[0], _next_turn(summarize, turns, asked[0])
    if following is None:
        raise CheckFailed("your script asked for a summary but sent no further request that could use it.")
    system = turns[0].request.messages()[:1]  # as it was before any summary could join it
    whole = system + [{"role": role, "content": text} for role, text in following.full]
    size = _prompt_size(following.request, whole)
    if size <= BUDGET:
        raise CheckFailed(f"your script asked for a summary before the line {quote(following.line, 50)!r}, "
                          f"when the whole conversation came to {size} tokens, within the budget of {BUDGET}. "
                          "Summarise only when the conversation no longer fits: each summary costs a request "
                          "and loses detail.")
    if not any(_mentions(first, line) for line in _typed_lines(TRIP_INPUT)[:1]):
        raise CheckFailed(f"the first summary request should carry the oldest turns, starting with "
                          f"{quote(turns[0].line, 50)!r}; it sent {_show(_pairs(first))}.")


def test_summarize_carries_summary(summarize: Evidence) -> None:
    """sends the summary in place of the turns it covers"""
    turns = _play(summarize, TRIP_INPUT)
    asked = _summary_requests(summarize, turns)
    if not asked:
        raise CheckFailed("your script never asked for a summary, so no request could carry one.")
    for request in asked:
        summary, following = _reply_of(request), _next_turn(summarize, turns, request)
        if summary is None or following is None:
            continue
        if not _mentions(following.request, summary):
            raise CheckFailed(f"the request after your summary request (for {quote(following.line, 50)!r}) does "
                              f"not contain the summary the server returned, {quote(summary, 80)!r}. Put it in a "
                              "message in place of the turns it summarises.")
        summarised = [t.line for t in turns if t.number < following.number and _mentions(request, t.line)]
        if summarised and all(_mentions(following.request, line) for line in summarised):
            raise CheckFailed(f"the request for {quote(following.line, 50)!r} still carries every turn the "
                              f"summary covers (such as {quote(summarised[0], 50)!r}), so the summary saved "
                              "nothing. Replace those turns with the summary.")
    for turn in turns:
        earlier = [request for request in asked if _sent_before(summarize, request, turn.request)]
        for older in turns[:turn.number - 1]:
            if not _mentions(turn.request, older.line) and not any(_mentions(r, older.line) for r in earlier):
                raise CheckFailed(f"the request for {quote(turn.line, 50)!r} dropped the turn "
                                  f"{quote(older.line, 50)!r} without it ever going into a summary. Summarise the "
                                  "turns you remove; do not simply drop them.")


def _covered(ev: Evidence, request: LoggedRequest, asked: list[LoggedRequest], lines: list[str]) -> set[str]:
    """The typed lines a request carries: word for word, or inside a summary it carries (and so on, back through
    every summary that summary was made from)."""
    found = {line for line in lines if _mentions(request, line)}
    for earlier in asked:
        summary = _reply_of(earlier)
        if summary and _sent_before(ev, earlier, request) and _mentions(request, summary):
            found |= _covered(ev, earlier, asked, lines)
    return found


def test_summarize_keeps_earlier_summary(summarize: Evidence) -> None:
    """keeps every earlier turn, word for word or through the summaries it carries"""
    turns = _play(summarize, TRIP_INPUT)
    asked = _summary_requests(summarize, turns)
    lines = [t.line for t in turns]
    for turn in turns:
        covered = _covered(summarize, turn.request, asked, lines)
        lost = [older.line for older in turns[:turn.number - 1] if older.line not in covered]
        if lost:
            raise CheckFailed(f"the request for {quote(turn.line, 50)!r} carries neither the turn "
                              f"{quote(lost[0], 50)!r} nor a summary made from it (directly, or through an earlier "
                              "summary). When you summarise again, include the earlier summary in what you "
                              "summarise, or the facts it held are lost.")


def test_summarize_keeps_latest_exchange(summarize: Evidence) -> None:
    """keeps the latest exchange word for word"""
    for turn in _play(summarize, TRIP_INPUT)[1:]:
        expected = turn.full[-3:]
        if turn.sent[-3:] != expected:
            raise CheckFailed(f"the request for line {turn.number}, {quote(turn.line, 50)!r}, should end with the "
                              f"previous exchange word for word, {_show(expected[:2])}, then the new line; it "
                              f"ended with {_show(turn.sent[-3:])}. Summarise only the older turns: the latest "
                              "exchange is what a follow-up question refers to.")


def test_summarize_within_budget(summarize: Evidence) -> None:
    """keeps every request within the 250-token budget, as the server counts it"""
    _within_budget(summarize, TRIP_INPUT)


def test_summarize_prints_reply(summarize: Evidence) -> None:
    """prints the reply the server sent"""
    _prints_turn_replies(summarize, TRIP_INPUT)


# --- work/undo.py (challenge 1) ----------------------------------------------------------------------------------

def test_undo_posts_chat(undo: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(undo)


def test_undo_one_request_per_line(undo: Evidence) -> None:
    """sends one request per line you type, and stops at quit"""
    _one_request_per_line(undo, UNDO_INPUT)


def test_undo_commands_local(undo: Evidence) -> None:
    """handles /undo itself and never sends it to the model"""
    _keeps_commands_local(undo, UNDO_INPUT)


def test_undo_drops_last_exchange(undo: Evidence) -> None:
    """after /undo, the last exchange is gone and the rest is kept"""
    _carries_conversation(undo, UNDO_INPUT, "/undo removes the last user message and its reply, nothing else.")


def test_undo_prints_reply(undo: Evidence) -> None:
    """prints the reply the server sent"""
    _prints_turn_replies(undo, UNDO_INPUT)


# --- work/chat_stream.py (challenge 2) ---------------------------------------------------------------------------

def test_chat_stream_posts_chat(chat_stream: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(chat_stream)


def test_chat_stream_one_request_per_line(chat_stream: Evidence) -> None:
    """sends one request per line you type, and stops at quit"""
    _one_request_per_line(chat_stream, CHAT_INPUT)


def test_chat_stream_streams_every_turn(chat_stream: Evidence) -> None:
    """asks for a streamed reply (stream: true) on every turn"""
    for turn in _play(chat_stream, CHAT_INPUT):
        if turn.request.json_field("stream") is not True:
            raise CheckFailed(f"the request for {quote(turn.line, 50)!r} did not ask for a stream; it sent "
                              f"stream={turn.request.json_field('stream')!r}. Pass stream=True.")


def test_chat_stream_appends_replies(chat_stream: Evidence) -> None:
    """adds each reply to the conversation exactly as the server sent it"""
    _appends_replies(chat_stream, CHAT_INPUT)


def test_chat_stream_prints_as_it_arrives(chat_stream: Evidence) -> None:
    """prints each reply as it arrives, not after its stream has ended"""
    streamed = [r for r in chat_stream.chats() if r.status == 200 and isinstance(r.response, list)]
    if not streamed:
        chat_stream.one(CHAT, "a chat request")
        raise CheckFailed("expected a streamed reply to print as it arrives; the server sent none (see \"asks for a "
                          "streamed reply\").")
    prints_as_it_arrives(chat_stream, streamed[0])


def test_chat_stream_prints_reply(chat_stream: Evidence) -> None:
    """prints the reply the server sent"""
    _prints_turn_replies(chat_stream, CHAT_INPUT)


# --- work/per_user.py (challenge 3) ------------------------------------------------------------------------------

def test_per_user_posts_chat(per_user: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(per_user)


def test_per_user_one_request_per_line(per_user: Evidence) -> None:
    """sends one request per line you type, and stops at quit"""
    _one_request_per_line(per_user, USERS_INPUT)


def test_per_user_commands_local(per_user: Evidence) -> None:
    """handles /user itself and never sends it to the model"""
    _keeps_commands_local(per_user, USERS_INPUT)


def test_per_user_system_first(per_user: Evidence) -> None:
    """starts every request with the same system message"""
    _system_first(per_user, USERS_INPUT)


def test_per_user_keeps_users_apart(per_user: Evidence) -> None:
    """never shows one user's conversation to another"""
    turns = _play(per_user, USERS_INPUT)
    for turn in turns:
        others = {text for t in turns if t.user != turn.user and t.number < turn.number
                  for text in (t.line, t.reply) if text}
        leaked = [text for _, text in turn.sent if text in others]
        if leaked:
            raise CheckFailed(f"the request for {turn.user}'s line {quote(turn.line, 50)!r} carried "
                              f"{quote(leaked[0], 60)!r}, which belongs to another user's conversation. Keep a "
                              "separate list per user (a dict from name to messages).")


def test_per_user_own_history(per_user: Evidence) -> None:
    """gives a returning user their own conversation back"""
    for turn in _play(per_user, USERS_INPUT):
        if turn.sent != turn.expected:
            raise CheckFailed(f"the request for {turn.user}'s line {quote(turn.line, 50)!r} carried "
                              f"{_show(turn.sent)}; {turn.user}'s own conversation at that point should have been "
                              f"{_show(turn.expected)}. Switching users must not lose anyone's history.")


def test_per_user_prints_reply(per_user: Evidence) -> None:
    """prints the reply the server sent"""
    _prints_turn_replies(per_user, USERS_INPUT)


# --- every file: the model id comes from MODEL --------------------------------------------------------------------

chat_other_model = SECTION.other_model("chat.py")
chat_save_other_model = SECTION.other_model("chat_save.py", stdin=FIRST_LINE_INPUT)
trim_other_model = SECTION.other_model("trim.py")
summarize_other_model = SECTION.other_model("summarize.py")
undo_other_model = SECTION.other_model("undo.py")
chat_stream_other_model = SECTION.other_model("chat_stream.py")
per_user_other_model = SECTION.other_model("per_user.py")


def test_chat_model_from_env(chat_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(chat_other_model)


def test_chat_save_model_from_env(chat_save_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(chat_save_other_model)


def test_trim_model_from_env(trim_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(trim_other_model)


def test_summarize_model_from_env(summarize_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(summarize_other_model)


def test_undo_model_from_env(undo_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(undo_other_model)


def test_chat_stream_model_from_env(chat_stream_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(chat_stream_other_model)


def test_per_user_model_from_env(per_user_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(per_user_other_model)


# --- variant runs: against a differently configured server, printed values must follow this run's response ----------

chat_variant = SECTION.variant("chat.py")
chat_save_variant = SECTION.variant("chat_save.py", after=True)  # it writes a file
trim_variant = SECTION.variant("trim.py")
summarize_variant = SECTION.variant("summarize.py")


def test_chat_prints_reply_variant(chat_variant: Evidence) -> None:
    """prints the reply the server sent"""
    test_chat_prints_reply(chat_variant)


def test_chat_save_prints_reply_variant(chat_save_variant: Evidence) -> None:
    """prints the reply the server sent"""
    test_chat_save_prints_reply(chat_save_variant)


def test_trim_prints_reply_variant(trim_variant: Evidence) -> None:
    """prints the reply the server sent"""
    test_trim_prints_reply(trim_variant)


def test_summarize_prints_reply_variant(summarize_variant: Evidence) -> None:
    """prints the reply the server sent"""
    test_summarize_prints_reply(summarize_variant)


# --- runs that start once the file's other runs have ended -------------------------------------------------------

chat_save_load_only = SECTION.scenario("chat_save.py", "load_only", "again with only /load, after a run that saved",
                                       stdin=LOAD_ONLY_INPUT, after=True)
