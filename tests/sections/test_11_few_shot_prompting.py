"""Section 11 · Few-Shot Prompting: worked examples as user/assistant pairs before the real question, the order
they come in (label bias), and examples picked per message from a pool by word overlap.

Every check reads the requests a script sent: the examples must be separate user and assistant messages ahead of
the final user message, and pick_examples.py's and pick_balanced.py's choices are recomputed from the lesson's pool
for the messages the grader types.
"""

from __future__ import annotations

import ast
import re
from collections import Counter

from grader import paths
from grader.checks import CheckFailed, Evidence, quote
from grader.checks.common import (
    CHAT,
    posts_chat,
    printed_with_error,
    replies_printed_once,
    sends_key,
    sends_model_from_env,
    squash,
    stops_at_end_of_input,
)
from grader.endpoint.matcher import text_of
from grader.endpoint.session import LoggedRequest
from grader.suite import Section

MIN_PAIRS = 2  # the fewest worked examples a few-shot request in this lesson sends
MAX_PICKS = 3  # pick_examples.py picks k=2 by default; a k of 3 still picks, a larger one sends most of the pool

SECTION = Section("11")


def _pool() -> list[tuple[str, str]]:
    """The lesson's pool of labelled messages, read from the reference so the two never drift apart."""
    module = ast.parse((paths.EXAMPLES / "11" / "pick_examples.py").read_text(encoding="utf-8"))
    found = next(node.value for node in module.body if isinstance(node, ast.Assign)
                 and any(isinstance(t, ast.Name) and t.id == "POOL" for t in node.targets))
    return [tuple(pair) for pair in ast.literal_eval(found)]


POOL = _pool()
TICKETS = (paths.EXAMPLES / "11" / "tickets.txt").read_text(encoding="utf-8")
OTHER_TICKETS = "Send me an invoice for the credit card charge.\nCan you deliver my parcel to my office?\n"
# Each team has one closest example for these, whichever way the overlap is counted, and it is not the team's first.
MIXED_TICKETS = ("Please send the invoice again: the app crashes and my parcel is stuck.\n"
                 "Can I pay by credit card if the settings page crashes and the order is late?\n")

few_shot = SECTION.file("few_shot.py", reference="examples/11/few_shot.py",
                        summary="worked examples as user/assistant pairs", see="Show, don't tell")
label_bias = SECTION.file("label_bias.py", reference="examples/11/label_bias.py",
                          summary="the same examples in two orders", see="Order matters: label bias")
pick_examples = SECTION.file("pick_examples.py", reference="examples/11/pick_examples.py",
                             summary="examples picked per message by word overlap", see="Pick the examples per message",
                             stdin=TICKETS)
pick_examples_other = SECTION.scenario("pick_examples.py", "other", "with other messages typed in",
                                       stdin=OTHER_TICKETS)
commit_style = SECTION.file("commit_style.py", reference="examples/11/commit_style.py",
                            summary="challenge 1: a house style taught by example", see="Challenges", challenge=True)
pick_balanced = SECTION.file("pick_balanced.py", reference="examples/11/pick_balanced.py",
                             summary="challenge 2: the closest example of each team", see="Challenges", challenge=True,
                             stdin=TICKETS)
pick_balanced_other = SECTION.scenario("pick_balanced.py", "other", "with other messages typed in",
                                       stdin=MIXED_TICKETS)


# --- reading a few-shot request --------------------------------------------------------------------------------------

Pair = tuple[str, str]  # (user text, assistant text): one worked example


def _examples_in_system(system: str) -> bool:
    """Whether a system message holds worked examples as text: several lines, or the word example."""
    return len([line for line in system.splitlines() if line.strip()]) > 1 or "example" in system.lower()


def _split(request: LoggedRequest) -> tuple[str, list[tuple[str, str]]]:
    """A request's system text, and its other messages as (role, text)."""
    messages = request.messages()
    start = next((i for i, m in enumerate(messages) if m.get("role") not in ("system", "developer")), len(messages))
    system = "\n".join(text_of(m.get("content")) for m in messages[:start])
    return system, [(m.get("role"), text_of(m.get("content"))) for m in messages[start:]]


def _misshapen(request: LoggedRequest) -> str | None:
    """What a request holds instead of pairs before the question (after any system messages, user and assistant
    alternate and a user message ends the list), or None when it holds them."""
    system, rest = _split(request)
    roles = [role for role, _ in rest]
    if roles == ["user", "assistant"] * ((len(rest) - 1) // 2) + ["user"] and len(rest) >= 2 * MIN_PAIRS + 1:
        return None
    if roles == ["user"] and _examples_in_system(system):
        return (f"the examples written as text into the system message, {quote(system, 100)!r}, and then only the "
                f"question, {quote(rest[0][1], 80)!r}: examples in the system message are not pairs")
    if roles == ["user"] and ("\n" in rest[0][1].strip() or len(rest[0][1]) > 120):
        return f"one user message holding everything, {quote(rest[0][1], 120)!r}"
    if roles == ["user"]:
        return f"only the question, {quote(rest[0][1], 80)!r}"
    found = f"the roles {roles} after the system message"
    if roles and roles[-1] != "user":
        found += f", ending with an {roles[-1]} message: the question must come last, after every example"
    return found


def _no_pairs(found: list[str], what: str = "") -> CheckFailed:
    return CheckFailed(f"expected {what}at least {MIN_PAIRS} worked examples, each a user message followed by an "
                       f"assistant message with its answer, and then the real question as the last user message; "
                       f"{'; '.join(found)}. Append the examples as pairs of messages, then the question.")


def _shape(request: LoggedRequest, which: str = "your request") -> tuple[list[Pair], str]:
    """The worked examples and the final user message of a request, or CheckFailed saying how its messages are
    laid out instead."""
    found = _misshapen(request)
    if found:
        raise _no_pairs([f"{which} had {found}"])
    _, rest = _split(request)
    pairs = [(rest[i][1], rest[i + 1][1]) for i in range(0, len(rest) - 1, 2)]
    return pairs, rest[-1][1]


def _answered(ev: Evidence) -> list[LoggedRequest]:
    chats = ev.chats()
    if not chats:
        ev.one(CHAT, "a chat request")
    answered = [r for r in chats if r.status == 200]
    if not answered:
        sends_key(ev)  # a key typed into the script: say so, not only that the server refused
        raise CheckFailed(f"the server refused every request your script sent (the first was answered "
                          f"{chats[0].status}: {quote(str(chats[0].response), 150)}).")
    return answered


def _which(number: int, total: int) -> str:
    return "your request" if total == 1 else f"request {number} of {total}"


def _pairs_before_question(ev: Evidence) -> None:
    answered = _answered(ev)
    for number, request in enumerate(answered, 1):
        _shape(request, _which(number, len(answered)))


def _with_pairs(ev: Evidence) -> list[LoggedRequest]:
    """The requests that hold the examples as pairs before the question: at least one must (others may go without
    examples, to compare), else CheckFailed naming what each request held instead."""
    answered = _answered(ev)
    found = [(request, _misshapen(request)) for request in answered]
    if any(problem is None for _, problem in found):
        return [request for request, problem in found if problem is None]
    raise _no_pairs([f"{_which(n, len(answered))} had {problem}" for n, (_, problem) in enumerate(found, 1)],
                    "a request with " if len(answered) > 1 else "")


def _label(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


# --- work/few_shot.py ------------------------------------------------------------------------------------------------

def test_few_shot_posts_chat(few_shot: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(few_shot)


def test_few_shot_pairs(few_shot: Evidence) -> None:
    """sends the examples as user/assistant pairs before the final user message"""
    _pairs_before_question(few_shot)


def test_few_shot_prints_reply(few_shot: Evidence) -> None:
    """prints the reply the server sent"""
    replies_printed_once(few_shot)


# --- work/label_bias.py ----------------------------------------------------------------------------------------------

def _orderings(ev: Evidence) -> list[tuple[LoggedRequest, list[Pair], str]]:
    return [(request, *_shape(request)) for request in _answered(ev)]


def test_label_bias_pairs(label_bias: Evidence) -> None:
    """sends every ordering as user/assistant pairs before the final user message"""
    _pairs_before_question(label_bias)


def test_label_bias_orders(label_bias: Evidence) -> None:
    """sends the same examples and question in orders that end with different labels"""
    found = _orderings(label_bias)
    if len(found) < 2:
        raise CheckFailed(f"expected at least two requests, one per ordering of the same examples; your script sent "
                          f"{len(found)}. Send the question once with each ordering.")
    first_pairs, first_question = found[0][1], found[0][2]
    for _, pairs, question in found[1:]:
        if squash(question) != squash(first_question):
            raise CheckFailed(f"expected the same question in every ordering; your script asked "
                              f"{quote(first_question, 60)!r} and then {quote(question, 60)!r}. Change only the order "
                              "of the examples, so the order is the one thing that differs.")
        if Counter(pairs) != Counter(first_pairs):
            raise CheckFailed(f"expected the same examples in every ordering, only in another order; the first request "
                              f"sent {len(first_pairs)} examples and a later one {len(pairs)}, not the same ones. "
                              "Reorder one list of examples; do not add, drop or reword any.")
    if len({tuple(pairs) for _, pairs, _ in found}) < 2:
        raise CheckFailed(f"expected the examples in different orders; all {len(found)} requests sent them in the same "
                          "order. Put the examples of one label last in one ordering and first in the other.")
    last = {_label(pairs[-1][1]) for _, pairs, _ in found}
    if len(last) < 2:
        raise CheckFailed(f"expected orderings whose last example has different labels; every ordering ended with an "
                          f"example labelled {next(iter(last))!r}. Label bias is about which label comes last: end "
                          "one ordering with each label.")


def test_label_bias_reports(label_bias: Evidence) -> None:
    """prints each ordering's labels in the order sent, then the label that came back"""
    lines = [[_label(w) for w in re.findall(r"[A-Za-z]+", line)] for line in label_bias.output.splitlines()]
    for number, (request, pairs, _) in enumerate(_orderings(label_bias), 1):
        reply = (request.replies() or [""])[0]
        labels = {_label(answer) for _, answer in pairs} | {_label(reply)}
        expected = [_label(answer) for _, answer in pairs] + [_label(reply)]
        for words in lines:
            shown = [w for w in words if w in labels]
            if any(shown[i:i + len(expected)] == expected for i in range(len(shown) - len(expected) + 1)):
                break
        else:
            raise CheckFailed(f"expected a line for ordering {number} showing its example labels in the order sent, "
                              f"then the label that came back: {' '.join(expected[:-1])} -> {expected[-1]}; your "
                              f"script printed:\n{printed_with_error(label_bias)}\nPrint one line per ordering, from the "
                              "labels you sent and the reply you got.")


def test_label_bias_prints_reply(label_bias: Evidence) -> None:
    """prints the reply the server sent to each ordering"""
    replies_printed_once(label_bias, _answered(label_bias))


# --- work/pick_examples.py -------------------------------------------------------------------------------------------

STOP = frozenset("a an and are as at be but by can do does for from has have how i in is it me my no not of on or "
                 "so that the this to was were what when why with you your".split())
OVERLAPS = {  # ways a learner may reasonably count shared words; a choice stands if it is the best by one of them
    "words": lambda text: set(re.findall(r"[a-z']+", text.lower())),
    "split": lambda text: set(text.lower().split()),
    "no stop words": lambda text: set(re.findall(r"[a-z']+", text.lower())) - STOP,
    "long words": lambda text: {w for w in re.findall(r"[a-z']+", text.lower()) if len(w) > 3},
}


def _best(message: str, chosen: list[int]) -> bool:
    for words in OVERLAPS.values():
        scores = sorted((len(words(message) & words(text)) for text, _ in POOL), reverse=True)
        if sorted((len(words(message) & words(POOL[i][0])) for i in chosen), reverse=True) == scores[:len(chosen)]:
            return True
    return False


def _per_line(ev: Evidence, stdin: str) -> list[LoggedRequest]:
    lines = [line for line in stdin.splitlines() if line.strip()]
    answered = _answered(ev)
    questions = [_shape(request)[1] for request in answered]
    if [squash(q) for q in questions] != [squash(line) for line in lines]:
        raise CheckFailed(f"expected one request per message typed, {len(lines)} in all, each ending with that message "
                          f"as the last user message: {[quote(line, 50) for line in lines]}; your script's requests "
                          f"ended with {[quote(q, 50) for q in questions]}.")
    return answered


def _picks_best(ev: Evidence, stdin: str) -> None:
    lines = [line for line in stdin.splitlines() if line.strip()]
    pool = {squash(text): i for i, (text, _) in enumerate(POOL)}
    for line, request in zip(lines, _per_line(ev, stdin), strict=True):
        pairs, _ = _shape(request)
        outside = [user for user, _ in pairs if squash(user) not in pool]
        if outside:
            raise CheckFailed(f"expected the examples to come from the lesson's pool; for {quote(line, 50)!r} your "
                              f"script sent {quote(outside[0], 60)!r}, which is not in it. Pick from POOL as given.")
        wrong = [(user, answer) for user, answer in pairs if POOL[pool[squash(user)]][1] != answer]
        if wrong:
            raise CheckFailed(f"expected each example's answer to be its label from the pool; {quote(wrong[0][0], 50)!r} "
                              f"went out with {quote(wrong[0][1], 30)!r}, not {POOL[pool[squash(wrong[0][0])]][1]!r}.")
        chosen = [pool[squash(user)] for user, _ in pairs]
        if len(chosen) > MAX_PICKS:
            raise CheckFailed(f"expected the two examples (k=2, at most {MAX_PICKS}) of the pool's {len(POOL)} that "
                              f"share the most words with {quote(line, 50)!r}; your script sent {len(chosen)} of them. "
                              "Score every pool example, sort by score and keep only the top k.")
        if not _best(line, chosen):
            words = OVERLAPS["words"]
            best = sorted(range(len(POOL)), key=lambda i: -len(words(line) & words(POOL[i][0])))[:len(chosen)]
            raise CheckFailed(f"for the message {quote(line, 60)!r} your script sent the examples "
                              f"{[quote(POOL[i][0], 70) for i in chosen]}, which are not the {len(chosen)} that share "
                              f"the most words with it (such as {[quote(POOL[i][0], 70) for i in best]}). Score every "
                              "pool example by the words it shares with this message, and send the best ones.")


def test_pick_examples_pairs(pick_examples: Evidence) -> None:
    """sends the chosen examples as user/assistant pairs before the message"""
    _pairs_before_question(pick_examples)


def test_pick_examples_one_per_line(pick_examples: Evidence) -> None:
    """sends one request per message typed, ending with that message"""
    _per_line(pick_examples, TICKETS)


def test_pick_examples_best(pick_examples: Evidence) -> None:
    """picks the pool examples that share the most words with each message"""
    _picks_best(pick_examples, TICKETS)


def test_pick_examples_best_other(pick_examples_other: Evidence) -> None:
    """picks the pool examples that share the most words with each message"""
    _picks_best(pick_examples_other, OTHER_TICKETS)


def test_pick_examples_ends_cleanly(pick_examples: Evidence) -> None:
    """stops cleanly when the input ends"""
    stops_at_end_of_input(pick_examples)


def test_pick_examples_prints_reply(pick_examples: Evidence) -> None:
    """prints the reply the server sent for each message"""
    replies_printed_once(pick_examples, _answered(pick_examples))


# --- work/commit_style.py (challenge 1) ------------------------------------------------------------------------------

def test_commit_style_pairs(commit_style: Evidence) -> None:
    """sends the example commits as user/assistant pairs before the change"""
    _with_pairs(commit_style)


HOUSE_STYLE = re.compile(r"[\w./()-]+: \S.*")  # one line, `area: change` (a `type(scope): change` is one too)


def test_commit_style_house_style(commit_style: Evidence) -> None:
    """answers each example change with a one-line commit in the `area: change` form"""
    for request in _with_pairs(commit_style):
        for change, commit in _shape(request)[0]:
            if not HOUSE_STYLE.fullmatch(commit.strip()):
                raise CheckFailed(f"expected every example commit in the house style the examples teach, one line "
                                  f"in the form `area: change` (such as 'settings: handle a missing settings file'); "
                                  f"your script answered {quote(change, 60)!r} with {quote(commit, 80)!r}. Start "
                                  "each example commit with its area, a colon and a space, then the change.")


def test_commit_style_prints_reply(commit_style: Evidence) -> None:
    """prints the reply the server sent"""
    try:
        asked = _with_pairs(commit_style)  # a request without examples, sent to compare, need not be printed
    except CheckFailed:
        asked = None  # the pairs check says what is wrong; the last reply must still be printed
    replies_printed_once(commit_style, asked)


# --- work/pick_balanced.py (challenge 2) -----------------------------------------------------------------------------

def _best_within(message: str, chosen: list[int]) -> bool:
    """Whether each chosen example is, by one way of counting, the closest of its own team to the message."""
    for words in OVERLAPS.values():
        score = {i: len(words(message) & words(text)) for i, (text, _) in enumerate(POOL)}
        if all(score[i] == max(score[j] for j, (_, team) in enumerate(POOL) if team == POOL[i][1]) for i in chosen):
            return True
    return False


def _one_per_team(ev: Evidence, stdin: str) -> None:
    lines = [line for line in stdin.splitlines() if line.strip()]
    pool = {squash(text): i for i, (text, _) in enumerate(POOL)}
    teams = sorted({team for _, team in POOL})
    for line, request in zip(lines, _per_line(ev, stdin), strict=True):
        pairs, _ = _shape(request)
        chosen = [pool.get(squash(user), -1) for user, _ in pairs]
        sent = sorted(POOL[i][1] for i in chosen if i >= 0)
        if -1 in chosen or sent != teams:
            raise CheckFailed(f"expected one example of each team ({', '.join(teams)}) from the pool for "
                              f"{quote(line, 60)!r}; your script sent examples labelled {[a for _, a in pairs]}. "
                              "For every team, keep only its best-scoring pool example.")
        if not _best_within(line, chosen):
            raise CheckFailed(f"for {quote(line, 60)!r} your script sent {[quote(POOL[i][0], 70) for i in chosen]}; "
                              "at least one of them is not the example of its team that shares the most words with "
                              "the message. Score each team's examples and keep the highest.")


def test_pick_balanced_one_per_team(pick_balanced: Evidence) -> None:
    """sends, for each message, the closest pool example of every team"""
    _one_per_team(pick_balanced, TICKETS)


def test_pick_balanced_one_per_team_other(pick_balanced_other: Evidence) -> None:
    """sends, for each message, the closest pool example of every team"""
    _one_per_team(pick_balanced_other, MIXED_TICKETS)


def test_pick_balanced_ends_cleanly(pick_balanced: Evidence) -> None:
    """stops cleanly when the input ends"""
    stops_at_end_of_input(pick_balanced)


def test_pick_balanced_prints_reply(pick_balanced: Evidence) -> None:
    """prints the reply the server sent for each message"""
    replies_printed_once(pick_balanced, _answered(pick_balanced))


# --- every file: the model id comes from MODEL -----------------------------------------------------------------------

few_shot_other_model = SECTION.other_model("few_shot.py")
label_bias_other_model = SECTION.other_model("label_bias.py")
pick_examples_other_model = SECTION.other_model("pick_examples.py")
commit_style_other_model = SECTION.other_model("commit_style.py")
pick_balanced_other_model = SECTION.other_model("pick_balanced.py")


def test_few_shot_model_from_env(few_shot_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(few_shot_other_model)


def test_label_bias_model_from_env(label_bias_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(label_bias_other_model)


def test_pick_examples_model_from_env(pick_examples_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(pick_examples_other_model)


def test_commit_style_model_from_env(commit_style_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(commit_style_other_model)


def test_pick_balanced_model_from_env(pick_balanced_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(pick_balanced_other_model)


# --- variant runs: against a differently configured server, printed values must follow this run's response ----------

few_shot_variant = SECTION.variant("few_shot.py")
label_bias_variant = SECTION.variant("label_bias.py")
pick_examples_variant = SECTION.variant("pick_examples.py")
commit_style_variant = SECTION.variant("commit_style.py")
pick_balanced_variant = SECTION.variant("pick_balanced.py")


def test_few_shot_prints_reply_variant(few_shot_variant: Evidence) -> None:
    """prints the reply the server sent"""
    test_few_shot_prints_reply(few_shot_variant)


def test_label_bias_prints_reply_variant(label_bias_variant: Evidence) -> None:
    """prints the reply the server sent to each ordering"""
    test_label_bias_prints_reply(label_bias_variant)


def test_pick_examples_prints_reply_variant(pick_examples_variant: Evidence) -> None:
    """prints the reply the server sent for each message"""
    test_pick_examples_prints_reply(pick_examples_variant)


def test_commit_style_prints_reply_variant(commit_style_variant: Evidence) -> None:
    """prints the reply the server sent"""
    test_commit_style_prints_reply(commit_style_variant)


def test_pick_balanced_prints_reply_variant(pick_balanced_variant: Evidence) -> None:
    """prints the reply the server sent for each message"""
    test_pick_balanced_prints_reply(pick_balanced_variant)
