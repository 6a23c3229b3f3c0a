"""Section 01, Hello World: one chat call by hand, then with the SDK, then measuring tokens."""

from __future__ import annotations

import ast

from ..checks import Check, CheckFailed, Evidence, check, quote, quote_output
from ..checks.common import (
    CHAT, MODELS, OTHER_MODEL, budget_of, exits_with_error, in_order, posts_chat, printed_integers,
    prints_reply, sends_key, sends_model_from_env, sent_with_requests, sent_with_sdk, system_then_user,
)
from ..course import entry
from ..endpoint import config
from . import Exercise, Scenario, Section



@check("measures with a one-token budget (max_tokens=1)")
def measures_with_one_token(ev: Evidence) -> None:
    chats = ev.chats() or [ev.one(CHAT, "a chat request")]
    for request in chats:
        if budget_of(request) != 1:
            raise CheckFailed(f"expected max_tokens=1 (or max_completion_tokens=1) on every measuring call; "
                              f"your script sent max_tokens={budget_of(request)!r}. Only the input is being "
                              "measured, so the reply can be a single token.")


def _prints_counts(minimum: int) -> Check:
    def run(ev: Evidence) -> None:
        answered = [r for r in ev.chats() if r.status == 200 and r.usage()]
        if len(answered) < minimum:
            raise CheckFailed(f"expected at least {minimum} measuring calls; the server answered "
                              f"{len(answered)}. {'' if answered else ev.why_nothing()}".strip())
        counts = [r.usage()["prompt_tokens"] for r in answered]
        if not in_order(counts, printed_integers(ev)):
            raise CheckFailed(f"expected your output to show the prompt_tokens the server returned, in order: "
                              f"{counts}; your script printed:\n{quote_output(ev.output)}\n"
                              "Print response.usage.prompt_tokens rather than counting the text yourself.")
        if len(set(counts)) < minimum:
            raise CheckFailed(f"expected {minimum} different counts; the server returned {counts} for your texts. "
                              "Measure texts of different sizes.")
    return Check(f"prints the prompt_tokens the server returned for {minimum} different texts", run)


@check("the longer text gets the larger count")
def longer_text_larger(ev: Evidence) -> None:
    answered = [r for r in ev.chats() if r.status == 200 and r.usage()]
    if len(answered) < 2:
        raise CheckFailed(f"expected two measuring calls; the server answered {len(answered)}. {ev.why_nothing()}.")
    first, second = answered[0], answered[1]
    size = [sum(len(str(m.get("content", ""))) for m in r.messages()) for r in (first, second)]
    if size[1] <= size[0]:
        raise CheckFailed(f"expected the second text to be longer than the first, to see the count grow; your "
                          f"messages were {size[0]} and {size[1]} characters long.")


@check("sends system, user, assistant, user in that order")
def four_turns(ev: Evidence) -> None:
    request = ev.one(CHAT, "a chat request")
    roles = request.roles()
    if roles != ["system", "user", "assistant", "user"]:
        raise CheckFailed(f"expected roles ['system', 'user', 'assistant', 'user']; your script sent {roles}.")
    empty = [m.get("role") for m in request.messages() if not str(m.get("content") or "").strip()]
    if empty:
        raise CheckFailed(f"expected every message to have content; the {empty[0]} message was empty.")


def _first_chat(ev: Evidence | None, what: str) -> dict:
    if ev is None:
        raise CheckFailed(f"this challenge is compared with work/hello_sdk.py, which does not exist yet: {what}.")
    requests = ev.chats()
    if not requests:
        raise CheckFailed(f"work/hello_sdk.py sent no chat request to compare with ({ev.why_nothing()}).")
    return {m.get("role"): m.get("content") for m in requests[0].messages()}


@check("keeps the user message of hello_sdk.py unchanged")
def same_user_message(ev: Evidence) -> None:
    before = _first_chat(ev.related, "write it first")
    now = {m.get("role"): m.get("content") for m in ev.one(CHAT, "a chat request").messages()}
    if now.get("user") != before.get("user"):
        raise CheckFailed(f"expected the same user message as work/hello_sdk.py, {quote(str(before.get('user')), 80)!r}; "
                          f"pirate.py sent {quote(str(now.get('user')), 80)!r}. Change only the system message.")


@check("changes the system message of hello_sdk.py")
def new_system_message(ev: Evidence) -> None:
    before = _first_chat(ev.related, "write it first")
    now = {m.get("role"): m.get("content") for m in ev.one(CHAT, "a chat request").messages()}
    if not now.get("system"):
        raise CheckFailed("expected a system message that sets the persona; pirate.py sent none.")
    if now.get("system") == before.get("system"):
        raise CheckFailed(f"expected a new system message; pirate.py sent the same one as hello_sdk.py: "
                          f"{quote(str(now.get('system')), 80)!r}.")


@check("defines a count(text) function")
def defines_count(ev: Evidence) -> None:
    try:
        tree = ast.parse(ev.source)
    except SyntaxError as exc:
        raise CheckFailed(f"Python cannot read the file: {exc.msg} (line {exc.lineno}).") from None
    found = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == "count"]
    if not found:
        raise CheckFailed("expected a function named count that takes the text to measure; none is defined.")
    if not found[0].args.args:
        raise CheckFailed("expected count to take one argument, the text; it takes none.")


@check("measures a sentence and the same sentence in capitals")
def measures_capitals(ev: Evidence) -> None:
    texts = [str(r.messages()[-1].get("content", "")) for r in ev.chats() if r.messages()]
    if not any(a != b and a.upper() == b for a in texts for b in texts):
        raise CheckFailed(f"expected one text to be another one in ALL CAPS; your script measured "
                          f"{[quote(t, 40) for t in texts]}.")


@check("asks GET /v1/models with the key from OPENAI_API_KEY")
def asks_models(ev: Evidence) -> None:
    request = ev.one(MODELS, "a GET request for the model list")
    if request.auth != "ok":
        raise CheckFailed(f"expected the key from OPENAI_API_KEY as a Bearer token; your script sent "
                          f"{request.headers.get('authorization', 'no Authorization header')}.")


@check("prints the model id the server listed")
def prints_served_id(ev: Evidence) -> None:
    request = ev.one(MODELS, "a GET request for the model list")
    ids = [m.get("id") for m in (request.response or {}).get("data", [])] if isinstance(request.response, dict) else []
    missing = [i for i in ids if i not in ev.output.split()]
    if not ids or missing:
        raise CheckFailed(f"expected the id the server listed, {config.SERVED_MODEL!r}, on a line of its own; "
                          f"your script printed:\n{quote_output(ev.output)}")


ENDPOINT_ERROR = Scenario(
    "with MODEL set to a model the server does not serve",
    [sends_model_from_env(), exits_with_error()],
    env={"MODEL": OTHER_MODEL},
)
WRONG_MODEL = Scenario("with MODEL set to a model the server does not serve",
                       [sends_model_from_env()], env={"MODEL": OTHER_MODEL})
LISTS_NOT_ENV = Scenario("with MODEL set to another name", [prints_served_id], env={"MODEL": OTHER_MODEL})

SECTION = Section(
    entry=entry("01"),
    exercises=[
        Exercise(
            work="hello.py", reference="examples/01/raw_http.py", summary="a chat call by hand with requests",
            see="Write your first call: raw HTTP",
            checks=[sent_with_requests(), posts_chat(), sends_key(), system_then_user(), prints_reply()],
            scenarios=[ENDPOINT_ERROR],
        ),
        Exercise(
            work="hello_sdk.py", reference="examples/01/with_sdk.py", summary="the same call with the openai SDK",
            see="The same call with the SDK",
            checks=[sent_with_sdk(), posts_chat(), sends_key(), system_then_user(), prints_reply()],
            scenarios=[WRONG_MODEL],
        ),
        Exercise(
            work="tokens.py", reference="examples/01/tokens.py", summary="measuring a prompt with usage.prompt_tokens",
            see="Measure the tokens",
            checks=[posts_chat(), sends_key(), measures_with_one_token, _prints_counts(2), longer_text_larger],
        ),
        Exercise(
            work="two_turn.py", reference="examples/01/two_turn.py", summary="challenge 1: a two-turn conversation",
            see="Challenges", challenge=True,
            checks=[posts_chat(), sends_key(), four_turns, prints_reply()],
        ),
        Exercise(
            work="pirate.py", reference="examples/01/pirate.py", summary="challenge 2: persona swap",
            see="Challenges", challenge=True, compare_with="hello_sdk.py",
            checks=[posts_chat(), sends_key(), same_user_message, new_system_message, prints_reply()],
        ),
        Exercise(
            work="count_tokens.py", reference="examples/03/count_tokens.py", summary="challenge 3: a token counter",
            see="Challenges", challenge=True,
            checks=[defines_count, measures_with_one_token, _prints_counts(3), measures_capitals],
        ),
        Exercise(
            work="list_models.py", reference="examples/01/list_models.py", summary="challenge 4: list the models",
            see="Challenges", challenge=True,
            checks=[asks_models, prints_served_id],
            scenarios=[LISTS_NOT_ENV],
        ),
    ],
)
