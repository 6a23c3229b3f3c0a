"""Section 10 · Prompt Engineering Fundamentals: clear instructions, data inside delimiters, templates filled from
data, output contracts, and two prompt versions compared on the same inputs.

The scripts read their data on standard input (examples/10/review.txt, examples/10/tickets.txt), so each check knows
the exact text that must reach the server and where. Prompt wording is never graded: the checks read where the data
sits, what stays the same from request to request, and what the script printed from each reply.
"""

from __future__ import annotations

import re

from grader import paths
from grader.checks import CheckFailed, Evidence, quote, quote_output
from grader.checks.common import (
    CHAT,
    all_among,
    labelled_numbers,
    printed_with_error,
    replies_printed_once,
    sends_model_from_env,
    squash,
)
from grader.endpoint.matcher import text_of
from grader.endpoint.session import LoggedRequest
from grader.suite import Section

REVIEW = (paths.EXAMPLES / "10" / "review.txt").read_text(encoding="utf-8")
TICKETS_INPUT = (paths.EXAMPLES / "10" / "tickets.txt").read_text(encoding="utf-8")
TICKETS = [line.strip() for line in TICKETS_INPUT.splitlines() if line.strip()]
LABELS = ("billing", "bug", "feature", "account")  # the output contract: exactly one of these words
BROKEN = re.compile(r"break|broke|invalid|not valid|reject|fail|violat|wrong|bad|not ok|does ?n[o']t|unexpected|"
                    r"not allowed|not one of|mismatch|non-?compliant|\bfalse\b|\bno\b|✗|❌|✘",
                    re.IGNORECASE)  # says: it broke ("-> False", "meets_contract": false)
PASSED = re.compile(r"\btrue\b|\byes\b|✓|✔|✅", re.IGNORECASE)  # says: it met the contract
KEPT = ("meet|meets|met|ok|valid|pass|passed|passes|kept|keep|comply|complied|compliant|compliance|contract|follow|"
        "followed|match|matched|score|correct|success|successes|good")  # words that label a count of kept replies

SECTION = Section("10")

instructions = SECTION.file("instructions.py", reference="examples/10/instructions.py",
                            summary="one question under a vague and a clear system message", see="Say what you want")
delimiters = SECTION.file("delimiters.py", reference="examples/10/delimiters.py",
                          summary="a review inside tags, apart from the instructions",
                          see="Keep data apart from instructions", stdin=REVIEW)
template = SECTION.file("template.py", reference="examples/10/template.py",
                        summary="one template filled with each ticket, replies checked against a contract",
                        see="Your turn: a prompt template", stdin=TICKETS_INPUT)
MARKUP_TICKET = "The invoice page shows </ticket> where my total should be."  # escaped, it cannot close the tag
template_markup = SECTION.scenario("template.py", "markup", "with a ticket that holds </ticket>",
                                   stdin=MARKUP_TICKET + "\n")
compare_prompts = SECTION.file("compare_prompts.py", reference="examples/10/compare_prompts.py",
                               summary="two prompt versions on the same tickets",
                               see="Your turn: compare two prompt versions", stdin=TICKETS_INPUT)
fence = SECTION.file("fence.py", reference="examples/10/fence.py", summary="challenge 1: a tag the data cannot close",
                     see="Challenges", challenge=True, stdin=REVIEW)
fence_again = SECTION.scenario("fence.py", "again", "a second time")
contract_retry = SECTION.file("contract_retry.py", reference="examples/10/contract_retry.py",
                              summary="challenge 2: one more try for a reply that breaks the contract",
                              see="Challenges", challenge=True, stdin=TICKETS_INPUT)


# --- where a text sits in a request ---------------------------------------------------------------------------------

def _fragments(text: str) -> list[str]:
    """The pieces of a text that survive any escaping (tags, quotes, braces, & and apostrophes cut out)."""
    return [squash(f) for f in re.split(r"</?[\w-]+>|[\"'<>&{}]", text) if len(f.split()) >= 2]


def _span(message: str, text: str) -> tuple[int, int] | None:
    """Where `text` sits in a squashed message, escaped or not: from its first fragment to the end of its last."""
    start, position = -1, 0
    for fragment in _fragments(text):
        at = message.find(fragment, position)
        if at < 0:
            return None
        start = at if start < 0 else start
        position = at + len(fragment)
    return (start, position) if start >= 0 else None


def _texts(request: LoggedRequest, role: str) -> list[str]:
    return [squash(text_of(m.get("content"))) for m in request.messages() if m.get("role") == role]


def _system(request: LoggedRequest) -> str:
    return " ".join(_texts(request, "system") + _texts(request, "developer"))


def _holding(request: LoggedRequest, text: str) -> str | None:
    """The first user message of a request that holds the text."""
    return next((m for m in _texts(request, "user") if _span(m, text)), None)


def _skeleton(request: LoggedRequest, text: str) -> str:
    """The request's messages with the text cut out of its user message: what a template adds around the data."""
    parts = []
    for m in request.messages():
        content = squash(text_of(m.get("content")))
        span = _span(content, text) if m.get("role") == "user" else None
        parts.append(f"{m.get('role')}: " + (content[:span[0]] + "{…}" + content[span[1]:] if span else content))
    return "\n".join(parts)


def _answered(ev: Evidence) -> list[LoggedRequest]:
    chats = ev.chats()
    if not chats:
        ev.one(CHAT, "a chat request")
    refused = next((r for r in chats if r.status != 200), None)
    if refused is not None:
        raise CheckFailed(f"the server answered {refused.status}: {quote(str(refused.response), 200)}")
    return chats


def _reply(request: LoggedRequest) -> str:
    replies = request.replies()
    return replies[0] if replies else ""


def _meets(reply: str) -> bool:
    return reply.strip() in LABELS


# --- tags around the data ---------------------------------------------------------------------------------------------

OPEN_TAG = re.compile(r"<([A-Za-z][\w.:-]*)[^<>]*>")


def _tagged(ev: Evidence) -> tuple[LoggedRequest, str, str]:
    """The request that carries the review, its user message and the name of the tag wrapped around the review."""
    request = _answered(ev)[-1]
    message = _holding(request, REVIEW)
    if message is None:
        where = " It is in the system message." if _span(_system(request), REVIEW) else ""
        raise CheckFailed(f"expected the review from standard input in the user message; the user message your script "
                          f"sent was {quote(' | '.join(_texts(request, 'user')) or '(none)', 160)!r}.{where} Read "
                          "the review with sys.stdin.read() and put it in the user message.")
    start, end = _span(message, REVIEW) or (0, 0)
    opened = list(OPEN_TAG.finditer(message[:start]))
    name = opened[-1].group(1) if opened else ""
    closing = re.search(r"</([A-Za-z][\w.:-]*)\s*>", message[end:])
    if name and closing and f"</{name}>" not in message[end:]:
        raise CheckFailed(f"expected the closing tag after the review to match the opening one, <{name}> … </{name}>; "
                          f"your user message opens <{name}> and closes </{closing.group(1)}>: "
                          f"{quote(message, 200)!r}. Make the tag name once and use it for both tags.")
    if not name or f"</{name}>" not in message[end:]:
        raise CheckFailed(f"expected the review between an opening and a closing tag, such as <review> … </review>; "
                          f"your user message was {quote(message, 200)!r}. Put the tags right around the review.")
    return request, message, name


def _names_tag(request: LoggedRequest, name: str) -> None:
    named = re.escape(name)
    if not re.search(rf"</?{named}\b|\b{named}>|\b{named}\W{{0,3}}(?:tags?|elements?|delimiters?)\b",
                     _system(request), re.IGNORECASE):  # the tag, not just the word: "customer review" names none
        raise CheckFailed(f"expected the instructions to tell the model which tag holds the review, <{name}>; the "
                          f"system message was {quote(_system(request) or '(none)', 160)!r}. The tags work only "
                          f"when the instructions name them: say the review is the text inside the <{name}> tags.")


def _tag_closes_once(ev: Evidence) -> None:
    _, message, name = _tagged(ev)
    if message.count(f"</{name}>") > 1:
        raise CheckFailed(f"expected a single </{name}> in the user message, the one after the review; it holds "
                          f"{message.count(f'</{name}>')}: the review's own </{name}> closes your tag early, and "
                          "what follows it reads as your instructions. Escape < and > in the review before you "
                          "put it between the tags.")


# --- a count of replies that met the contract -------------------------------------------------------------------------

def _printed_counts(ev: Evidence, total: int) -> list[int]:
    """Counts printed as "4 of 5", "4/5", "4 out of 5", or next to a word such as met, passed or valid."""
    fraction = re.compile(rf"(?<![\w.])(\d+)\s*(?:/|of|out of)\s*{total}(?!\d)")
    rest = fraction.sub(" ", ev.output)  # a total is no count: "4 of 5 replies met" says 4 met, not 5
    labelled = [int(n.value) for n in labelled_numbers(rest) if n.value == int(n.value)
                and any(word in n.words for word in KEPT.split("|"))]
    return [int(m.group(1)) for m in fraction.finditer(ev.output)] + labelled


def _verdict(lines: list[str], reply: str) -> bool:
    """Whether the reply's line, or else the next one, says the reply broke the contract (the reply's words aside);
    a line that says it passed ("True", "yes") is the verdict, and the next line is not read."""
    for line in lines:
        line = line.replace(reply, " ").replace(reply[:60], " ")
        if BROKEN.search(line):
            return True
        if PASSED.search(line):
            return False
    return False


def _flags_broken(ev: Evidence, requests: list[LoggedRequest]) -> None:
    """Every reply that breaks the contract is printed on a line that says so."""
    for request in requests:
        reply = _reply(request)
        if _meets(reply) or not reply.strip():
            continue
        lines, text = [squash(line) for line in ev.output.splitlines()], squash(reply)
        shown = [i for i, line in enumerate(lines) if text[:60] in line]
        if not any(_verdict(lines[i:i + 2], text) for i in shown):
            raise CheckFailed(f"the reply {quote(reply, 80)!r} is not one of {', '.join(LABELS)}, so it breaks the "
                              f"contract, and your script did not say so next to it:\n"
                              f"{printed_with_error(ev)}\nCheck each reply against the contract and print the "
                              "verdict next to it.")


def _prints_count(ev: Evidence, counts: list[int], total: int, what: str) -> None:
    if not all_among(counts, _printed_counts(ev, total)):
        raise CheckFailed(f"expected {what} ({' and '.join(f'{c} of {total}' for c in counts)}, from the replies "
                          f"this run got), printed as \"{counts[0]} of {total}\" or next to a word such as met or "
                          f"passed; your script printed:\n{printed_with_error(ev)}\nCount the replies that pass "
                          "your contract check.")


# --- work/instructions.py --------------------------------------------------------------------------------------------

def test_instructions_two_system_messages(instructions: Evidence) -> None:
    """asks the same question twice, under two different system messages"""
    chats = _answered(instructions)
    if len(chats) < 2:
        raise CheckFailed(f"expected two chat requests with the same question; your script sent {len(chats)}.")
    first, second = chats[:2]
    if not _system(first) or not _system(second):
        raise CheckFailed(f"expected a system message in each request, holding the instructions, and the question "
                          f"alone in the user message; your script sent roles {first.roles()} and then "
                          f"{second.roles()}. Put the vague and the clear instructions in a message with role "
                          "\"system\".")
    if _texts(first, "user") != _texts(second, "user"):
        raise CheckFailed(f"expected the same user message in both requests, so that only the instructions differ; "
                          f"your script sent {quote(' | '.join(_texts(first, 'user')), 80)!r} and then "
                          f"{quote(' | '.join(_texts(second, 'user')), 80)!r}.")
    if _system(first) == _system(second):
        raise CheckFailed(f"expected two different system messages, the vague one and then the clear one; your "
                          f"script sent {quote(_system(first) or '(none)', 80)!r} and then "
                          f"{quote(_system(second) or '(none)', 80)!r}.")


def test_instructions_prints_replies(instructions: Evidence) -> None:
    """prints both replies"""
    replies_printed_once(instructions, _answered(instructions))


def test_instructions_prints_word_counts(instructions: Evidence) -> None:
    """prints each reply's length in words"""
    counts = [len(_reply(r).split()) for r in _answered(instructions)]
    found = [int(n.value) for n in labelled_numbers(instructions.output) if "words" in n.words or "word" in n.words]
    if not all_among(counts, found):
        raise CheckFailed(f"expected each reply's length in words, {' and '.join(map(str, counts))} for the replies "
                          f"this run got, each next to the word \"words\"; your script printed:\n"
                          f"{quote_output(instructions.output)}\nlen(reply.split()) counts the words of a reply.")


# --- work/delimiters.py ----------------------------------------------------------------------------------------------

def test_delimiters_instructions_in_system(delimiters: Evidence) -> None:
    """keeps the instructions in the system message and the review out of it"""
    request = _answered(delimiters)[-1]
    system = _system(request)
    if not system:
        raise CheckFailed(f"expected a system message holding your instructions; your script sent roles "
                          f"{request.roles()}.")
    if _span(system, REVIEW) or any(fragment in system for fragment in _fragments(REVIEW)):
        raise CheckFailed(f"expected only your instructions in the system message; it also holds the review: "
                          f"{quote(system, 160)!r}. The review is data from a customer: send it in the user message.")
    _tagged(delimiters)


def test_delimiters_review_in_tags(delimiters: Evidence) -> None:
    """sends the review between tags in the user message"""
    _tagged(delimiters)


def test_delimiters_names_tag(delimiters: Evidence) -> None:
    """names the tags in the system message"""
    request, _, name = _tagged(delimiters)
    _names_tag(request, name)


def test_delimiters_escapes_tag(delimiters: Evidence) -> None:
    """escapes the closing tag the review itself contains"""
    _tag_closes_once(delimiters)


def test_delimiters_prints_reply(delimiters: Evidence) -> None:
    """prints the reply the server sent"""
    replies_printed_once(delimiters, _answered(delimiters)[-1:])


# --- work/template.py ------------------------------------------------------------------------------------------------

def _per_ticket(ev: Evidence) -> list[LoggedRequest]:
    """One answered request per ticket, in input order; fails, in words, when a ticket never reached the server."""
    chats = _answered(ev)
    found = []
    for number, ticket in enumerate(TICKETS, 1):
        holding = [r for r in chats if _holding(r, ticket)]
        if not holding:
            crashed = f" Then {ev.why_nothing()}." if ev.run.exit_code not in (0, None) else ""
            raise CheckFailed(f"expected a request whose user message holds ticket {number} of the input, "
                              f"{quote(ticket, 70)!r}; none of the {len(chats)} requests your script sent has it."
                              f"{crashed}")
        found.append(holding[0])
    return found


def _one_template(ev: Evidence) -> list[LoggedRequest]:
    requests = _per_ticket(ev)
    if len(ev.chats()) != len(TICKETS):
        raise CheckFailed(f"expected one request per ticket, {len(TICKETS)} in all; your script sent "
                          f"{len(ev.chats())}.")
    skeletons = {_skeleton(r, t) for r, t in zip(requests, TICKETS, strict=True)}
    if len(skeletons) > 1:
        first, other = sorted(skeletons)[:2]
        raise CheckFailed(f"expected every request to be the same template with only the ticket changed; two of "
                          f"them differ outside the ticket:\n{quote(first, 200)}\n---\n{quote(other, 200)}\n"
                          "Keep the instructions in one constant and put each ticket into a named field.")
    return requests


def test_template_fills_one_template(template: Evidence) -> None:
    """sends one request per ticket, each the same template with that ticket filled in"""
    _one_template(template)


def test_template_escapes_ticket(template_markup: Evidence) -> None:
    """escapes each ticket before it goes between the tags"""
    request = next((r for r in template_markup.chats() if _holding(r, MARKUP_TICKET)), None)
    if request is None:
        raise CheckFailed(f"expected a request whose user message holds the ticket {MARKUP_TICKET!r} (typed in "
                          f"by the grader); none of the {len(template_markup.chats())} requests your script sent has "
                          f"it.")
    message = _holding(request, MARKUP_TICKET) or ""
    start, _ = _span(message, MARKUP_TICKET) or (0, 0)
    opened = list(OPEN_TAG.finditer(message[:start]))
    name = opened[-1].group(1) if opened else "ticket"
    if message.count(f"</{name}>") > 1:
        raise CheckFailed(f"expected a single </{name}> in the user message, the one after the ticket; the grader "
                          f"typed the ticket {MARKUP_TICKET!r} and your user message holds "
                          f"{message.count(f'</{name}>')}: {quote(message, 160)!r}. The ticket's own </{name}> closes "
                          "your tag early. Escape < and > in each ticket, as delimiters.py did with the review.")


def test_template_states_contract(template: Evidence) -> None:
    """states the output contract: the reply is one of the four labels"""
    request = _per_ticket(template)[0]
    told = _skeleton(request, TICKETS[0]).lower()
    missing = [label for label in LABELS if not re.search(rf"\b{label}\b", told)]
    if missing:
        raise CheckFailed(f"expected the prompt to name every label the reply may be ({', '.join(LABELS)}); it "
                          f"never names {', '.join(missing)}:\n{quote(told, 240)}\nState the contract: exactly one "
                          "of the four words, nothing else.")


def test_template_prints_replies(template: Evidence) -> None:
    """prints every reply the server sent"""
    replies_printed_once(template, _per_ticket(template))


def test_template_checks_contract(template: Evidence) -> None:
    """flags each reply that breaks the contract and prints how many met it"""
    requests = _per_ticket(template)
    _flags_broken(template, requests)
    _prints_count(template, [sum(_meets(_reply(r)) for r in requests)], len(TICKETS),
                  "how many replies met the contract")


# --- work/compare_prompts.py -----------------------------------------------------------------------------------------

def _versions(ev: Evidence) -> list[list[LoggedRequest]]:
    """The requests of each prompt version (what surrounds the ticket), each in ticket order."""
    chats = _answered(ev)
    versions: dict[str, dict[int, LoggedRequest]] = {}
    for request in chats:
        number = next((n for n, t in enumerate(TICKETS) if _holding(request, t)), None)
        if number is None:
            raise CheckFailed(f"expected every request to carry one ticket of the input; one holds none: "
                              f"{quote(' | '.join(_texts(request, 'user')), 120)!r}.")
        version = versions.setdefault(_skeleton(request, TICKETS[number]), {})
        if number in version:
            raise CheckFailed(f"expected each version to send each ticket once; your script sent ticket "
                              f"{number + 1} twice with the same prompt.")
        version[number] = request
    if len(versions) != 2:
        raise CheckFailed(f"expected two prompt versions (two templates, the ticket being all that changes within "
                          f"one); your script's requests use {len(versions)}.")
    for version in versions.values():
        if len(version) != len(TICKETS):
            missing = [n + 1 for n in range(len(TICKETS)) if n not in version]
            raise CheckFailed(f"expected both versions to run on all {len(TICKETS)} tickets; one version never "
                              f"sent ticket(s) {missing}. Compare versions on the same inputs.")
    return [[v[n] for n in sorted(v)] for v in versions.values()]


def test_compare_prompts_same_tickets(compare_prompts: Evidence) -> None:
    """sends two prompt versions on the same tickets"""
    _versions(compare_prompts)


def _labels_named(request: LoggedRequest) -> list[str]:
    return [label for label in LABELS if re.search(rf"\b{label}\b", _system(request).lower())]


def test_compare_prompts_one_template(compare_prompts: Evidence) -> None:
    """puts the ticket in the same template for both versions, and version 1 names no labels"""
    versions = _versions(compare_prompts)
    users = [[line for line in _skeleton(v[0], TICKETS[0]).splitlines() if line.startswith("user:")]
             for v in versions]
    if users[0] != users[1]:
        raise CheckFailed(f"expected both versions to use the same template for the ticket, only the system message "
                          f"differing; their user messages for ticket 1 differ:\n{quote(' | '.join(users[0]), 160)}"
                          f"\n---\n{quote(' | '.join(users[1]), 160)}\nFill one TEMPLATE for both versions.")
    vague = min((v[0] for v in versions), key=lambda r: len(_labels_named(r)))
    if _labels_named(vague):
        raise CheckFailed(f"expected version 1 to be the vague prompt that names no labels; both versions name some: "
                          f"{quote(_system(vague), 160)!r} names {', '.join(_labels_named(vague))}. Version 1 asks "
                          "what kind of ticket this is and leaves the labels out.")


def test_compare_prompts_prints_replies(compare_prompts: Evidence) -> None:
    """prints both versions' reply for every ticket"""
    replies_printed_once(compare_prompts, [r for version in _versions(compare_prompts) for r in version])


def test_compare_prompts_prints_counts(compare_prompts: Evidence) -> None:
    """prints how many of each version's replies met the contract"""
    versions = _versions(compare_prompts)
    _prints_count(compare_prompts, [sum(_meets(_reply(r)) for r in v) for v in versions], len(TICKETS),
                  "each version's count of replies that met the contract")


# --- challenges ------------------------------------------------------------------------------------------------------

def test_fence_random_tag(fence: Evidence, fence_again: Evidence) -> None:
    """wraps the review in a tag whose name changes from run to run, and names it in the instructions"""
    request, _, name = _tagged(fence)
    _, _, again = _tagged(fence_again)
    if name == again:
        raise CheckFailed(f"expected a new tag name on every run; two runs both used <{name}>. Make part of the "
                          "name random, with secrets.token_hex(4).")
    _names_tag(request, name)
    _tag_closes_once(fence)


def test_fence_prints_reply(fence: Evidence) -> None:
    """prints the reply the server sent"""
    replies_printed_once(fence, _answered(fence)[-1:])


def _first_and_retry(ev: Evidence) -> list[tuple[LoggedRequest, LoggedRequest | None]]:
    """Each ticket's first request and its retry (or None), from the messages each request carries."""
    chats = _answered(ev)
    found = []
    for number, ticket in enumerate(TICKETS, 1):
        mine = [r for r in chats if any(_span(m, ticket) for m in _texts(r, "user"))]
        first = [r for r in mine if len(_texts(r, "user")) == 1]
        if not first:
            raise CheckFailed(f"expected a request for ticket {number}, {quote(ticket, 70)!r}, holding it in one "
                              f"user message; your script sent {len(mine)} request(s) with it, none like that.")
        found.append((first[0], next((r for r in mine if r is not first[0]), None)))  # a retry in any shape
        if len(mine) > 2:
            raise CheckFailed(f"expected at most one more try for ticket {number}; your script sent it "
                              f"{len(mine)} times.")
    return found


def test_contract_retry_retries_broken(contract_retry: Evidence) -> None:
    """asks once more for each reply that breaks the contract, and only for those"""
    for number, (first, retry) in enumerate(_first_and_retry(contract_retry), 1):
        bad = _reply(first)
        if _meets(bad):
            if retry is not None:
                raise CheckFailed(f"ticket {number}'s reply, {bad!r}, met the contract, and your script asked again "
                                  "anyway. Retry only a reply that fails the check.")
            continue
        if retry is None:
            raise CheckFailed(f"ticket {number}'s reply, {quote(bad, 80)!r}, breaks the contract, and your script "
                              "sent no second try for it.")
        earlier = retry.messages()[:len(first.messages()) + 1]
        expected = [*first.messages(), {"role": "assistant", "content": bad}]
        if [(m.get("role"), text_of(m.get("content"))) for m in earlier] != \
                [(m["role"], text_of(m["content"])) for m in expected] or retry.roles()[-1] != "user":
            raise CheckFailed(f"expected the second try for ticket {number} to resend the first request's messages, "
                              f"then the reply that broke the contract as an assistant message, then a user message "
                              f"restating the contract; your script sent roles {retry.roles()}.")


def test_contract_retry_prints_final(contract_retry: Evidence) -> None:
    """prints each ticket's final reply and how many met the contract"""
    final = [retry or first for first, retry in _first_and_retry(contract_retry)]
    replies_printed_once(contract_retry, final)
    _flags_broken(contract_retry, final)
    _prints_count(contract_retry, [sum(_meets(_reply(r)) for r in final)], len(TICKETS),
                  "how many final replies met the contract")


# --- every file: the model id comes from MODEL -----------------------------------------------------------------------

instructions_other_model = SECTION.other_model("instructions.py")
delimiters_other_model = SECTION.other_model("delimiters.py")
template_other_model = SECTION.other_model("template.py")
compare_prompts_other_model = SECTION.other_model("compare_prompts.py")
fence_other_model = SECTION.other_model("fence.py")
contract_retry_other_model = SECTION.other_model("contract_retry.py")


def test_instructions_model_from_env(instructions_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(instructions_other_model)


def test_delimiters_model_from_env(delimiters_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(delimiters_other_model)


def test_template_model_from_env(template_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(template_other_model)


def test_compare_prompts_model_from_env(compare_prompts_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(compare_prompts_other_model)


def test_fence_model_from_env(fence_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(fence_other_model)


def test_contract_retry_model_from_env(contract_retry_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(contract_retry_other_model)


# --- variant runs: against a differently configured server, printed values must follow this run's response ----------

instructions_variant = SECTION.variant("instructions.py")
delimiters_variant = SECTION.variant("delimiters.py")
template_variant = SECTION.variant("template.py")
compare_prompts_variant = SECTION.variant("compare_prompts.py")
fence_variant = SECTION.variant("fence.py")
contract_retry_variant = SECTION.variant("contract_retry.py")


def test_instructions_prints_replies_variant(instructions_variant: Evidence) -> None:
    """prints both replies"""
    test_instructions_prints_replies(instructions_variant)


def test_instructions_prints_word_counts_variant(instructions_variant: Evidence) -> None:
    """prints each reply's length in words"""
    test_instructions_prints_word_counts(instructions_variant)


def test_delimiters_prints_reply_variant(delimiters_variant: Evidence) -> None:
    """prints the reply the server sent"""
    test_delimiters_prints_reply(delimiters_variant)


def test_template_prints_replies_variant(template_variant: Evidence) -> None:
    """prints every reply the server sent"""
    test_template_prints_replies(template_variant)


def test_template_checks_contract_variant(template_variant: Evidence) -> None:
    """flags each reply that breaks the contract and prints how many met it"""
    test_template_checks_contract(template_variant)


def test_compare_prompts_prints_replies_variant(compare_prompts_variant: Evidence) -> None:
    """prints both versions' reply for every ticket"""
    test_compare_prompts_prints_replies(compare_prompts_variant)


def test_compare_prompts_prints_counts_variant(compare_prompts_variant: Evidence) -> None:
    """prints how many of each version's replies met the contract"""
    test_compare_prompts_prints_counts(compare_prompts_variant)


def test_fence_prints_reply_variant(fence_variant: Evidence) -> None:
    """prints the reply the server sent"""
    test_fence_prints_reply(fence_variant)


def test_contract_retry_prints_final_variant(contract_retry_variant: Evidence) -> None:
    """prints each ticket's final reply and how many met the contract"""
    test_contract_retry_prints_final(contract_retry_variant)
