"""Section 03 · Tokens, Context Windows & Cost: counting through the server, template overhead, the context
window and its 400, fitting a text into a token budget, and the cost of calls.

Each test is one check a learner sees; its docstring is the sentence in their report. A test names the learner
file it grades by its fixture: `safe_ask` is one run of work/safe_ask.py with a short question on stdin,
`safe_ask_paste` a second run of it with a 200,000-character paste instead. work/count_tokens.py is graded by
Section 01 too: this section grades its table.
"""

from __future__ import annotations

import json
import re
import unicodedata
from decimal import Decimal
from typing import Any

import pytest

from grader.checks import CheckFailed, Evidence, quote
from grader.checks.common import (
    CHAT,
    MODELS,
    all_among,
    budget_of,
    find_value,
    labelled_numbers,
    printed_with_error,
    replies_printed_once,
    sends_model_from_env,
    squash,
)
from grader.endpoint import config, harmony
from grader.endpoint.session import LoggedRequest
from grader.suite import Section

SECTION = Section("03")
TOKENIZE = "POST /tokenize"
LIMIT = config.MAX_MODEL_LEN
PROMPT_BUDGET = 1000  # fit.py: what the whole prompt may use
BUDGET_FLOOR = 950  # fit.py: a prompt cut by measured tokens lands this close to the budget
OUTPUT_CAP = 1000  # safe_ask.py: the most max_tokens a capped request may ask for
SHORT_QUESTION = "How many tokens does this question take?\n"
BIG_PASTE = "Please summarise this. " + "lorem ipsum dolor sit amet " * 7500  # about 200,000 characters
OVERFLOW = "Overflow it on purpose"

count_tokens = SECTION.file("count_tokens.py", reference="examples/03/count_tokens.py",
                            summary="a table of characters against tokens, counted by the server",
                            see="Count tokens through the server")
overhead = SECTION.file("overhead.py", reference="examples/03/overhead.py",
                        summary="the tokens the chat template adds", see="The template's share")
context_window = SECTION.file("context_window.py", reference="examples/03/context_window.py",
                              summary="max_model_len, and the 400 for a prompt over it", see="The context window",
                              timeout=40)
fit = SECTION.file("fit.py", reference="examples/03/fit.py", summary="a long text cut to a token budget",
                   see="Fit a long text into a budget")
cost = SECTION.file("cost.py", reference="examples/03/cost.py", summary="the cost of each call and a running total",
                    see="What a call costs")
near_limit = SECTION.file("near_limit.py", reference="examples/03/near_limit.py",
                          summary="challenge 1: an answer squeezed by the window", see="Challenges", challenge=True,
                          timeout=40)
safe_ask = SECTION.file("safe_ask.py", reference="examples/03/safe_ask.py", summary="challenge 2: a wallet guard",
                        see="Challenges", challenge=True, stdin=SHORT_QUESTION)
safe_ask_paste = SECTION.scenario("safe_ask.py", "paste", "with a 200,000-character paste on stdin", stdin=BIG_PASTE)
estimate = SECTION.file("estimate.py", reference="examples/03/estimate.py",
                        summary="challenge 3: the worst case before a call, the cost after", see="Challenges",
                        challenge=True)
# /tokenize is outside /v1, where vLLM asks for no key: with a key it refuses, only the chat call fails
estimate_refused = SECTION.scenario("estimate.py", "refused", "with a key the server refuses, so the call fails",
                                    env={"OPENAI_API_KEY": "sk-revoked-course-key"})


# --- reading what was sent and printed -----------------------------------------------------------------------------

def _integers(text: str) -> list[int]:
    """Whole numbers standing on their own, in order: "68", "68.", "(+13)", "131,072" (also read as 131 and 72),
    but not the digits of 9.46 or of an id."""
    plain = [(m.start(), int(m.group())) for m in re.finditer(r"(?<![\w.-])\d+(?!\w)(?!\.\d)", text)]
    grouped = [(m.start(), int(m.group().replace(",", "")))
               for m in re.finditer(r"(?<![\w.,-])\d{1,3}(?:,\d{3})+(?![\w.]|,\d)", text)]
    return [n for _, n in sorted(plain + grouped)]


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""


def _last_user_text(request: LoggedRequest) -> str | None:
    messages = request.messages()
    return _text(messages[-1].get("content")) if messages and messages[-1].get("role") == "user" else None


def _answered(ev: Evidence) -> list[LoggedRequest]:
    return [r for r in ev.chats() if r.status == 200 and r.usage()]


def _need_answers(ev: Evidence, minimum: int, what: str) -> list[LoggedRequest]:
    answered = _answered(ev)
    if len(answered) >= minimum:
        return answered
    chats = ev.chats()
    if chats and chats[-1].status != 200:
        raise CheckFailed(f"expected {what}; the server answered {chats[-1].status}: "
                          f"{quote(json.dumps(chats[-1].response), 200)}")
    got = f"the server answered {len(answered)}" if chats else ev.why_nothing()
    raise CheckFailed(f"expected {what}; {got}.")


def _context_error(request: LoggedRequest) -> str | None:
    """The server's message when it refused a prompt for being longer than the context window."""
    error = request.response.get("error") if isinstance(request.response, dict) else None
    # vLLM 0.33.0: "Input length (N) exceeds model's maximum context length (M)." for gpt-oss chat (param null),
    # "This model's maximum context length is M tokens. ..." (param input_tokens) for other models
    if request.status == 400 and isinstance(error, dict) and "maximum context length" in str(error.get("message")):
        return str(error.get("message"))
    return None


# --- work/count_tokens.py (Section 01 grades its count() too) -----------------------------------------------------

def _own_tokens(request: LoggedRequest) -> int:
    """The last user message's own tokens: prompt_tokens minus the same request with that message emptied."""
    body = request.body if isinstance(request.body, dict) else {}
    messages = request.messages()
    emptied = [*messages[:-1], {**messages[-1], "content": ""}]
    return request.usage()["prompt_tokens"] - len(harmony.chat_prompt_tokens({**body, "messages": emptied}))


def test_count_tokens_one_token_budget(count_tokens: Evidence) -> None:
    """measures every text with max_tokens=1"""
    for request in count_tokens.chats() or [count_tokens.one(CHAT, "a chat request")]:
        if budget_of(request) != 1:
            raise CheckFailed(f"expected max_tokens=1 on every measuring call; your script sent "
                              f"max_tokens={budget_of(request)!r} for {quote(_last_user_text(request) or '', 60)!r}. "
                              "Only the input is measured, so a one-token reply is all you pay for.")


def test_count_tokens_own_tokens(count_tokens: Evidence) -> None:
    """prints each text's own tokens: its prompt_tokens minus an empty message's"""
    answered = _need_answers(count_tokens, 5, "at least five measured texts for a table")
    rows = [(_last_user_text(r) or "", _own_tokens(r)) for r in answered if _last_user_text(r)]
    own = [n for _, n in rows]
    if not all_among(own, _integers(count_tokens.output)):  # the table may be sorted, or measured in parallel
        shown = ", ".join(f"{quote(t, 24)!r}: {n}" for t, n in rows[:6])
        raise CheckFailed(f"expected each text's own token count, in any order, from the prompt_tokens the server "
                          f"returned minus what an empty message costs ({shown}{', …' if len(rows) > 6 else ''}); "
                          f"your script printed:\n{printed_with_error(count_tokens)}\nMeasure count('') once and "
                          "subtract it from each count, rather than estimating tokens from the characters.")


def test_count_tokens_kinds(count_tokens: Evidence) -> None:
    """measures numbers, emoji, non-English text and a sentence in capitals"""
    texts = [t for t in (_last_user_text(r) for r in count_tokens.chats()) if t]
    kinds = {
        "a number": any(c.isdigit() for t in texts for c in t),
        "an emoji": any(unicodedata.category(c) == "So" for t in texts for c in t),
        "non-English text (letters outside A-Z)": any(c.isalpha() and not c.isascii() for t in texts for c in t),
        "a sentence and the same sentence in capitals": any(a != b and a.upper() == b for a in texts for b in texts),
    }
    missing = [kind for kind, found in kinds.items() if not found]
    if missing:
        raise CheckFailed(f"expected your table to include {', '.join(missing)}; your script measured "
                          f"{[quote(t, 30) for t in texts][:10]}. Add rows for them: they are where the "
                          "four-characters-per-token rule breaks.")


# --- work/overhead.py ----------------------------------------------------------------------------------------------

Measured = tuple[list[dict[str, Any]], int]  # a conversation and its prompt size


def _split_system(messages: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    lead = 0
    while lead < len(messages) and messages[lead].get("role") in ("system", "developer"):
        lead += 1
    return messages[:lead], messages[lead:]


def _measured(ev: Evidence) -> list[Measured]:
    """Every conversation the script had measured: chat calls (usage) and /tokenize (count)."""
    found = [(r.messages(), r.usage()["prompt_tokens"]) for r in _answered(ev)]
    found += [(r.messages(), r.response["count"]) for r in ev.to(TOKENIZE)
              if r.status == 200 and r.messages() and isinstance(r.response, dict) and "count" in r.response]
    if len(found) < 2:
        got = f"{len(found)} answered" if ev.requests else ev.why_nothing()
        raise CheckFailed(f"expected several conversations measured (chat calls with max_tokens=1, or /tokenize); "
                          f"{got}.")
    return found


def _system_pairs(found: list[Measured]) -> list[tuple[Measured, Measured]]:
    """(without, with): the same conversation measured without and with a system message in front."""
    pairs = []
    for plain in found:
        for fuller in found:
            lead, rest = _split_system(fuller[0])
            if lead and rest == plain[0] and not _split_system(plain[0])[0]:
                pairs.append((plain, fuller))
    return pairs


def _turn_pairs(found: list[Measured]) -> list[tuple[Measured, Measured]]:
    """(shorter, longer): the same conversation measured again with one more user-and-assistant turn."""
    pairs = []
    for short in found:
        for long in found:
            (lead_s, rest_s), (lead_l, rest_l) = _split_system(short[0]), _split_system(long[0])
            if lead_s != lead_l or not rest_s or len(rest_l) != len(rest_s) + 2:
                continue
            extra = rest_l[:2] if rest_l[2:] == rest_s else rest_l[-2:] if rest_l[:-2] == rest_s else None
            if extra is not None and sorted(m.get("role") for m in extra) == ["assistant", "user"]:
                pairs.append((short, long))
    return pairs


def _roles_of(found: list[Measured]) -> list[list[Any]]:
    return [[m.get("role") for m in messages] for messages, _ in found]


def test_overhead_system(overhead: Evidence) -> None:
    """measures the same question with and without a system message"""
    found = _measured(overhead)
    if not _system_pairs(found):
        raise CheckFailed(f"expected two measurements of the same messages, the second with a system message in "
                          f"front; your script measured conversations with roles {_roles_of(found)}. "
                          "Measure [question] and then [system, question].")


def test_overhead_turn(overhead: Evidence) -> None:
    """measures the conversation again with one more earlier turn"""
    found = _measured(overhead)
    if not _turn_pairs(found):
        raise CheckFailed(f"expected two measurements of the same conversation, the second with one more user "
                          f"message and assistant reply in it; your script measured conversations with roles "
                          f"{_roles_of(found)}.")


def test_overhead_prints_differences(overhead: Evidence) -> None:
    """prints what the system message and the extra turn add"""
    found = _measured(overhead)
    printed = _integers(overhead.output)
    for name, pairs in (("the system message", _system_pairs(found)), ("the extra turn", _turn_pairs(found))):
        if not pairs:
            raise CheckFailed(f"expected a measurement of {name} to compare with; see the other checks of this file.")
        diffs = [longer[1] - shorter[1] for shorter, longer in pairs]
        if not any(d in printed for d in diffs):
            shorter, longer = pairs[0]
            raise CheckFailed(f"expected what {name} adds, {longer[1]} - {shorter[1]} = {diffs[0]} tokens, in your "
                              f"output; your script printed:\n{printed_with_error(overhead)}\nPrint the difference "
                              "between the two counts.")


@pytest.mark.see("Counting without a call")
def test_overhead_tokenize(overhead: Evidence) -> None:
    """asks POST /tokenize for the same conversation and prints its count"""
    found = overhead.to(TOKENIZE)
    if not found:
        wrong = [r for r in overhead.requests if r.path.endswith("/tokenize")]
        if wrong:
            raise CheckFailed(f"expected POST /tokenize at the server's root; your script sent {wrong[0].method} "
                              f"{wrong[0].path} (answered {wrong[0].status}). /tokenize is not under /v1: take "
                              "/v1 off OPENAI_BASE_URL.")
        overhead.one(TOKENIZE, "a request to vLLM's /tokenize")
    chatted = [r.messages() for r in _answered(overhead)]
    same = [r for r in found if r.status == 200 and r.messages() and r.messages() in chatted]
    if not same:
        raise CheckFailed(f"expected /tokenize to get the same messages as one of your chat requests, so the two "
                          f"counts can be compared; it got {quote(json.dumps(found[0].body), 200)} "
                          f"(answered {found[0].status}).")
    count = same[0].response.get("count")
    if count not in _integers(overhead.output):
        raise CheckFailed(f"expected the count /tokenize returned, {count}, in your output; your script printed:\n"
                          f"{printed_with_error(overhead)}")


# --- work/context_window.py ----------------------------------------------------------------------------------------

def test_context_window_reads_limit(context_window: Evidence) -> None:
    """reads max_model_len from GET /v1/models and prints it"""
    request = context_window.one(MODELS, "a request for the model list")
    if request.status != 200:
        raise CheckFailed(f"the model list was answered {request.status}: {quote(json.dumps(request.response), 160)}. "
                          "Send your key as Authorization: Bearer <key>.")
    if LIMIT not in _integers(context_window.output):
        raise CheckFailed(f"expected the max_model_len the server listed, {LIMIT}, in your output; your script "
                          f"printed:\n{printed_with_error(context_window)}")


@pytest.mark.see(OVERFLOW)
def test_context_window_overflows(context_window: Evidence) -> None:
    """sends a prompt longer than the context window"""
    chats = context_window.chats()
    if any(_context_error(r) for r in chats):
        return
    if not chats:
        context_window.one(CHAT, "a chat request with an oversized prompt")
    sizes = [r.usage()["prompt_tokens"] for r in _answered(context_window)]
    got = f"your largest prompt was {max(sizes)} tokens, and the server answered it" if sizes else \
        f"the server answered {chats[-1].status}: {quote(json.dumps(chats[-1].response), 200)}"
    raise CheckFailed(f"expected a prompt over {LIMIT} tokens, which the server refuses; {got}. Build the text from "
                      "max_model_len (\"hello \" * limit is over it), not from a guess.")


@pytest.mark.see(OVERFLOW)
def test_context_window_prints_message(context_window: Evidence) -> None:
    """prints the server's error message"""
    messages = [m for m in (_context_error(r) for r in context_window.chats()) if m]
    if not messages:
        raise CheckFailed("expected the server's error message in your output, but no prompt was refused; see "
                          "\"sends a prompt longer than the context window\".")
    if squash(messages[0]) not in squash(context_window.output):
        raise CheckFailed(f"expected the message the server sent, {quote(messages[0], 120)!r}, in your output; your "
                          f"script printed:\n{printed_with_error(context_window)}\nPrint error.body['message'] "
                          "(SDK) or response.json()['error']['message'] (requests): it says how many tokens you sent.")


@pytest.mark.see(OVERFLOW)
def test_context_window_exits_cleanly(context_window: Evidence) -> None:
    """finishes normally after the refusal (exit code 0)"""
    if not any(_context_error(r) for r in context_window.chats()):
        raise CheckFailed("no prompt was refused, so there was no refusal to finish after; see \"sends a prompt "
                          "longer than the context window\".")
    if context_window.run.exit_code != 0:
        raise CheckFailed(f"expected your script to catch the 400 and finish; it stopped with exit code "
                          f"{context_window.run.exit_code}:\n{printed_with_error(context_window)}\nWrap the call in "
                          "try/except openai.BadRequestError (or check response.status_code with requests).")


# --- work/fit.py ---------------------------------------------------------------------------------------------------

def _texts_sent(ev: Evidence) -> list[str]:
    """Every text the script sent: raw prompts and message contents, to /tokenize and to chat."""
    texts = []
    for request in ev.requests:
        prompt = request.json_field("prompt")
        if isinstance(prompt, str):
            texts.append(prompt)
        texts.extend(_text(m.get("content")) for m in request.messages())
    return [t for t in texts if t]


def _final_chat(ev: Evidence) -> LoggedRequest:
    chats = ev.chats()
    if not chats:
        ev.one(CHAT, "a chat request with the fitted text")
    return chats[-1]


def _final_prompt(ev: Evidence) -> int:
    request = _final_chat(ev)
    if request.status != 200 or not request.usage():
        raise CheckFailed(f"expected the fitted prompt to be answered; the server answered {request.status}: "
                          f"{quote(json.dumps(request.response), 200)}")
    return request.usage()["prompt_tokens"]


def _from_document(content: str, document: str) -> bool:
    """Most of `content` is copied from `document` (instructions may surround it), but not all of the document."""
    chunks = [content[i:i + 40] for i in range(0, len(content) - 39, 40)]
    found = sum(chunk in document for chunk in chunks)
    return found >= 3 and found * 2 >= len(chunks) and document.strip() not in content


def test_fit_measures_document(fit: Evidence) -> None:
    """measures the whole document before cutting it"""
    longest = max(_texts_sent(fit), key=len, default="")
    size = len(harmony.text_tokens(longest)) if longest else 0
    if size <= PROMPT_BUDGET:
        raise CheckFailed(f"expected your script to send the whole long document to the server to be measured "
                          f"(POST /tokenize, or a count), and the document to be over the {PROMPT_BUDGET}-token "
                          f"budget; the longest text it sent was {len(longest)} characters, {size} tokens.")


def test_fit_within_budget(fit: Evidence) -> None:
    """sends a prompt within the 1000-token budget"""
    used = _final_prompt(fit)
    if used > PROMPT_BUDGET:
        raise CheckFailed(f"expected prompt_tokens of at most {PROMPT_BUDGET} on your last chat request; the server "
                          f"counted {used}. Cut the document by measured tokens (/tokenize, then /detokenize the "
                          "first ones), not by an estimate from its characters.")


def test_fit_fills_budget(fit: Evidence) -> None:
    """fills the budget: at least 950 of the 1000 tokens"""
    used = _final_prompt(fit)
    if used < BUDGET_FLOOR:
        raise CheckFailed(f"expected the fitted prompt to use at least {BUDGET_FLOOR} of the {PROMPT_BUDGET} tokens; "
                          f"the server counted {used}, so {PROMPT_BUDGET - used} tokens of the document were left "
                          f"out. The lesson's budget is {PROMPT_BUDGET} tokens for the whole prompt: measure what the "
                          "template and instructions take, and give the rest to the document.")


def test_fit_sends_piece(fit: Evidence) -> None:
    """sends a piece of the long document"""
    request = _final_chat(fit)
    document = max(_texts_sent(fit), key=len, default="")
    if not any(_from_document(_text(m.get("content")), document) for m in request.messages()):
        raise CheckFailed(f"expected your last chat request to carry a cut of the long document (its first part, "
                          f"say); it sent {quote(json.dumps(request.messages(), ensure_ascii=False), 200)}.")


def test_fit_caps_answer(fit: Evidence) -> None:
    """caps the answer with max_tokens"""
    asked = budget_of(_final_chat(fit))
    if not isinstance(asked, int) or asked <= 0:
        raise CheckFailed(f"expected max_tokens on the request, so the answer has a budget too; your script sent "
                          f"max_tokens={asked!r}.")


def test_fit_prints_prompt_tokens(fit: Evidence) -> None:
    """prints the prompt_tokens the server reported"""
    used = _final_prompt(fit)
    if not find_value(fit, "prompt|input", used):
        raise CheckFailed(f"expected the prompt_tokens of the fitted request, {used}, next to its name in your output, "
                          f"to confirm the fit; your script printed:\n{printed_with_error(fit)}")


# --- work/cost.py --------------------------------------------------------------------------------------------------

PER = (1_000_000, 1_000, 10_000)  # prices per million tokens, per thousand; or per million with costs in cents
Reading = tuple[float, float, float]  # input price, output price, tokens per price unit


def _printed_numbers(ev: Evidence) -> list[tuple[float, float]]:
    """Each printed number with the step of its last digit: "0.000063" is (6.3e-05, 1e-06); "1,000" is 1000."""
    found = []
    for text in re.findall(r"\d+(?:,\d{3})*(?:\.\d+)?(?:[eE][-+]?\d+)?", ev.output):
        value = Decimal(text.replace(",", ""))
        found.append((float(value), float(Decimal(1).scaleb(value.as_tuple().exponent))))
    return found


def _shows(numbers: list[tuple[float, float]], amount: float, least: float | None = None) -> bool:
    """Some printed number is `amount` rounded to the digits it shows, with at least two significant digits
    and, when `least` is given, fine enough digits to show a part of that size."""
    finest = min(amount / 10, least if least is not None else amount)
    return any(step <= finest and abs(value - amount) <= step * 0.5000001 + 1e-15 for value, step in numbers)


def _cost(tokens: tuple[int, int], reading: Reading) -> float:
    return (tokens[0] * reading[0] + tokens[1] * reading[1]) / reading[2]


def _shows_cost(numbers: list[tuple[float, float]], tokens: tuple[int, int], reading: Reading) -> bool:
    """The cost is printed, and both its input and its output part show in the digits (so a printed cost that
    happens to sit next to another number cannot pass as a price)."""
    parts = (tokens[0] * reading[0] / reading[2], tokens[1] * reading[1] / reading[2])
    return _shows(numbers, sum(parts), min(parts))


def _prices(ev: Evidence, label: str) -> list[tuple[float, set[float]]]:
    """Each printed price in dollars, named by one of `label`'s words, with the divisors its own words allow: "per
    million", "per 1K", "per token" (costs in dollars or cents); a price that names no unit allows every one."""
    found = []
    for number in labelled_numbers(ev.output):
        words = number.words
        if number.unit not in ("", "$", "¢") or not 0 < number.value <= 1000 or not words & set(label.split("|")):
            continue
        value = number.value / 100 if number.unit == "¢" else number.value
        if words & {"million", "m", "mtok", "mtoks"}:
            pers = {1_000_000, 10_000, 1}  # costs in dollars, in cents, or in micro-dollars (the lesson's ledger)
        elif words & {"thousand", "k", "ktok", "ktoks"}:
            pers = {1_000, 10}
        elif {"per", "token"} <= words:
            pers = {1, 0.01}
        else:  # the unit may be in a heading ("per-token prices:") or a table's title: the other price decides
            pers = {*PER, 1, 0.01, 10}
        found.append((value, pers))
    return found


def _readings(ev: Evidence, amounts: list[tuple[int, int]]) -> list[Reading]:
    """Every input price and output price, each read next to its own name and unit, that give a printed cost for
    each (input tokens, output tokens) amount."""
    numbers = _printed_numbers(ev)
    return [(p_in, p_out, per) for p_in, in_pers in _prices(ev, "input|in|prompt")
            for p_out, out_pers in _prices(ev, "output|out|completion") for per in in_pers & out_pers
            if all(_shows_cost(numbers, tokens, (p_in, p_out, per)) for tokens in amounts)]


def _calls(usages: list[dict[str, Any]]) -> list[tuple[int, int]]:
    return [(u["prompt_tokens"], u["completion_tokens"]) for u in usages]


def _usage_lines(usages: list[dict[str, Any]]) -> str:
    return "; ".join(f"call {n}: {u['prompt_tokens']} prompt, {u['completion_tokens']} completion "
                     f"({(u.get('completion_tokens_details') or {}).get('reasoning_tokens', 0)} of them reasoning)"
                     for n, u in enumerate(usages, 1))


def test_cost_prints_costs(cost: Evidence) -> None:
    """prints each call's cost from its usage and the script's own prices"""
    usages = [r.usage() for r in _need_answers(cost, 1, "a chat call to price")]
    if not _readings(cost, _calls(usages)):
        raise CheckFailed(f"expected each call's cost, (prompt_tokens x input price + completion_tokens x output "
                          f"price) / 1,000,000, with the prices your script prints; completion_tokens already "
                          f"includes the reasoning tokens, which are billed as output. The server reported "
                          f"{_usage_lines(usages)}. No input price and output price in your output (each next to its "
                          f"name and unit, such as '$0.10 per million input tokens') give the costs in it:\n"
                          f"{printed_with_error(cost)}\nPrint your price table, and each cost with enough decimals "
                          "to read it (f'{cost:.6f}').")


def test_cost_prints_total(cost: Evidence) -> None:
    """prints a running total over two or more calls"""
    usages = [r.usage() for r in _need_answers(cost, 2, "two or more chat calls to add up")]
    calls = _calls(usages)
    readings = _readings(cost, calls)
    if not readings:
        raise CheckFailed("expected the cost of each call first; see the check above.")
    numbers = _printed_numbers(cost)
    if not any(_shows(numbers, sum(_cost(c, r) for c in calls)) for r in readings):
        total = sum(_cost(c, readings[0]) for c in calls)
        raise CheckFailed(f"expected the total of all {len(usages)} calls, {total:.6f}, in your output; "
                          f"your script printed:\n{printed_with_error(cost)}\nAdd each call's cost to a running total.")


# --- work/near_limit.py (challenge 1) ------------------------------------------------------------------------------

def _squeezed(ev: Evidence) -> LoggedRequest:
    """The answered request whose max_tokens asks for more than the context window leaves."""
    answered = _answered(ev)
    for request in answered:
        asked = budget_of(request)
        if isinstance(asked, int) and request.usage()["prompt_tokens"] + asked > LIMIT:
            return request
    refused = [r for r in ev.chats() if _context_error(r)]
    if refused:
        raise CheckFailed(f"expected a prompt that still fits in the {LIMIT}-token window; yours was refused: "
                          f"{quote(_context_error(refused[0]) or '', 200)}")
    if not answered:
        ev.one(CHAT, "a chat request near the context limit")  # says why, when there is none
        last = ev.chats()[-1]
        raise CheckFailed(f"expected an answered chat request; the server answered {last.status}: "
                          f"{quote(json.dumps(last.response), 200)}")
    shown = ", ".join(f"prompt {r.usage()['prompt_tokens']} + max_tokens {budget_of(r)}" for r in answered[:3])
    raise CheckFailed(f"expected a request whose prompt_tokens plus max_tokens is over {LIMIT}, so the window, not "
                      f"max_tokens, ends the answer; your script sent {shown}.")


def _finish_reason(request: LoggedRequest) -> str | None:
    """The first choice's finish_reason, from a JSON reply or from the last streamed chunk that has one."""
    events = request.response if isinstance(request.response, list) else [request.response]
    reasons = [c.get("finish_reason") for e in events if isinstance(e, dict)
               for c in e.get("choices") or [] if isinstance(c, dict) and c.get("finish_reason")]
    return reasons[-1] if reasons else None


def test_near_limit_fills_window(near_limit: Evidence) -> None:
    """fills the window so that less room is left than max_tokens asks for"""
    _squeezed(near_limit)


def test_near_limit_cut_at_window(near_limit: Evidence) -> None:
    """gets an answer cut off where the window ends (finish_reason length)"""
    request = _squeezed(near_limit)
    usage, reason = request.usage(), _finish_reason(request)
    room = LIMIT - usage["prompt_tokens"]
    if reason != "length" or usage["completion_tokens"] != room:
        raise CheckFailed(f"expected the reply to be cut at the {room} tokens the window left; it finished with "
                          f"{reason!r} after {usage['completion_tokens']} tokens, because the "
                          f"answer was shorter than the room. Leave 20 tokens of room or fewer.")


def test_near_limit_prints_cut(near_limit: Evidence) -> None:
    """prints finish_reason and completion_tokens"""
    request = _squeezed(near_limit)
    completion = request.usage()["completion_tokens"]
    reason = _finish_reason(request)
    labelled = find_value(near_limit, "completion|output|generated|used|got", completion,
                          avoid="room leaving left leaves window limit")
    if str(reason) not in near_limit.output or not labelled:
        raise CheckFailed(f"expected finish_reason ({reason!r}) and completion_tokens ({completion}, next to its name) "
                          f"in your output; your script printed:\n{printed_with_error(near_limit)}\nThe room the "
                          "window left is not the count: print usage.completion_tokens.")


# --- work/safe_ask.py (challenge 2) --------------------------------------------------------------------------------

def test_safe_ask_caps_output(safe_ask: Evidence) -> None:
    """caps the answer with max_tokens (at most 1000)"""
    request = safe_ask.one(CHAT, "a chat request for a short question")
    asked = budget_of(request)
    if not isinstance(asked, int) or not 0 < asked <= OUTPUT_CAP:
        raise CheckFailed(f"expected max_tokens between 1 and {OUTPUT_CAP}, so no answer can run up the bill; "
                          f"your script sent max_tokens={asked!r}.")


def test_safe_ask_prints_reply(safe_ask: Evidence) -> None:
    """prints the reply the server sent"""
    replies_printed_once(safe_ask)


def test_safe_ask_refuses_paste(safe_ask_paste: Evidence) -> None:
    """sends no chat request for the oversized paste"""
    chats = safe_ask_paste.chats()
    if chats:
        size = len(_last_user_text(chats[0]) or "")
        raise CheckFailed(f"expected the guard to stop a {len(BIG_PASTE)}-character paste before any chat request; "
                          f"your script sent one with a {size}-character message. Check the size (characters, or "
                          "tokens from /tokenize, which costs nothing) before calling the model.")


def test_safe_ask_explains_refusal(safe_ask_paste: Evidence) -> None:
    """says why it refused (a message, not a traceback)"""
    if safe_ask_paste.chats():
        raise CheckFailed("your script sent the oversized paste instead of refusing it, so there was no refusal to "
                          "explain; see \"sends no chat request for the oversized paste\".")
    if "Traceback (most recent call last)" in safe_ask_paste.run.stderr:
        raise CheckFailed(f"expected a short message saying the input is too long; your script crashed:\n"
                          f"{printed_with_error(safe_ask_paste)}")
    if not (safe_ask_paste.output.strip() or safe_ask_paste.run.stderr.strip()):
        raise CheckFailed("expected a message saying the input is too long; your script printed nothing, so its "
                          "user cannot tell a refusal from a crash or a hang.")


# --- work/estimate.py (challenge 3) --------------------------------------------------------------------------------

def _estimated(ev: Evidence) -> tuple[LoggedRequest, dict[str, Any], int]:
    """The priced call: its request, its usage and the max_tokens it asked for."""
    request = _need_answers(ev, 1, "a chat call to estimate")[-1]
    asked = budget_of(request)
    if not isinstance(asked, int) or asked <= 0:
        raise CheckFailed(f"expected max_tokens on the call: without it nothing bounds the answer, so no worst case "
                          f"can be known; your script sent max_tokens={asked!r}.")
    return request, request.usage(), asked


def test_estimate_measures_first(estimate: Evidence) -> None:
    """measures the prompt with /tokenize before sending it"""
    request, _, _ = _estimated(estimate)
    before = [r for r in estimate.to(TOKENIZE) if r.status == 200 and r.started <= request.started]
    if not any(r.messages() == request.messages() for r in before):
        sent = (quote(json.dumps([r.body for r in estimate.to(TOKENIZE)]), 160) if estimate.to(TOKENIZE)
                else "no /tokenize request")
        raise CheckFailed(f"expected POST /tokenize with the same messages before the chat call, which measures the "
                          f"prompt without running the model; your script sent {sent}.")


def test_estimate_worst_case(estimate: Evidence) -> None:
    """prints the most the call can cost: its prompt and max_tokens at the script's prices"""
    _, usage, asked = _estimated(estimate)
    if not _readings(estimate, [(usage["prompt_tokens"], asked)]):
        raise CheckFailed(f"expected the worst case before the call: ({usage['prompt_tokens']} prompt tokens x input "
                          f"price + max_tokens {asked} x output price) / 1,000,000, with the prices your script "
                          f"prints; your script printed:\n{printed_with_error(estimate)}\nThe answer can use all of "
                          "max_tokens, so price max_tokens as output.")


def test_estimate_before_call(estimate_refused: Evidence) -> None:
    """prints the worst case before sending the call"""
    chats = estimate_refused.chats()
    measured = [r for r in estimate_refused.to(TOKENIZE) if r.status == 200 and isinstance(r.response, dict)]
    if not chats or not measured:
        return  # nothing measured or nothing sent: the checks of the plain run say what is missing
    request, asked = chats[0], budget_of(chats[0])
    counted = [r.response.get("count") for r in measured if r.messages() == request.messages()]
    if not isinstance(asked, int) or not counted or not isinstance(counted[-1], int):
        return
    if not _readings(estimate_refused, [(counted[-1], asked)]):
        raise CheckFailed(f"in this run the server refused the call ({chats[0].status}), and your script never "
                          f"printed the worst case for its {counted[-1]} prompt tokens and max_tokens {asked}; it "
                          f"printed:\n{printed_with_error(estimate_refused)}\nAn estimate guards a call only when "
                          "it is printed (and checked) before the call is sent.")


def test_estimate_actual(estimate: Evidence) -> None:
    """prints what the call did cost, from its usage"""
    _, usage, _ = _estimated(estimate)
    if not _readings(estimate, _calls([usage])):
        raise CheckFailed(f"expected the actual cost after the call, from the usage the server returned "
                          f"({_usage_lines([usage])}) and the prices your script prints; your script printed:\n"
                          f"{printed_with_error(estimate)}")


# --- every file: the model id comes from MODEL --------------------------------------------------------------------

count_tokens_other_model = SECTION.other_model("count_tokens.py")
overhead_other_model = SECTION.other_model("overhead.py")
context_window_other_model = SECTION.other_model("context_window.py")
fit_other_model = SECTION.other_model("fit.py")
cost_other_model = SECTION.other_model("cost.py")
near_limit_other_model = SECTION.other_model("near_limit.py")
safe_ask_other_model = SECTION.other_model("safe_ask.py")
estimate_other_model = SECTION.other_model("estimate.py")


def test_count_tokens_model_from_env(count_tokens_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(count_tokens_other_model)


def test_overhead_model_from_env(overhead_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(overhead_other_model)


def test_context_window_model_from_env(context_window_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(context_window_other_model)


def test_fit_model_from_env(fit_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(fit_other_model)


def test_cost_model_from_env(cost_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(cost_other_model)


def test_near_limit_model_from_env(near_limit_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(near_limit_other_model)


def test_safe_ask_model_from_env(safe_ask_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(safe_ask_other_model)


def test_estimate_model_from_env(estimate_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(estimate_other_model)


# --- variant runs: against a differently configured server, printed values must follow this run's response ----------

fit_variant = SECTION.variant("fit.py")


def test_fit_prints_summary_variant(fit_variant: Evidence) -> None:
    """prints the summary the server sent"""
    replies_printed_once(fit_variant, [_final_chat(fit_variant)])
