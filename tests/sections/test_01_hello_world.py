"""Section 01 · Hello World: one chat call by hand, then with the SDK, then measuring tokens.

Each test is one check a learner sees; its docstring is the sentence in their report. A test names the learner
file it grades by its fixture: `hello` is one run of work/hello.py, `hello_wrong_model` a second run of it with
MODEL set to a model the server does not serve.
"""

from __future__ import annotations

import ast
import re

from grader.checks import CheckFailed, Evidence, quote, quote_output
from grader.checks.common import (
    CHAT,
    MODELS,
    OTHER_MODEL,
    all_among,
    budget_of,
    exits_with_error,
    posts_chat,
    printed_integers,
    replies_printed_once,
    sends_key,
    sends_model_from_env,
    sent_with_requests,
    sent_with_sdk,
    system_then_user,
)
from grader.endpoint import config
from grader.suite import Section

SECTION = Section("01")
WRONG_MODEL = "with MODEL set to a model the server does not serve"

hello = SECTION.file("hello.py", reference="examples/01/raw_http.py", summary="a chat call by hand with requests",
                     see="Write your first call: raw HTTP")
hello_wrong_model = SECTION.scenario("hello.py", "wrong_model", WRONG_MODEL, env={"MODEL": OTHER_MODEL})
hello_sdk = SECTION.file("hello_sdk.py", reference="examples/01/with_sdk.py", summary="the same call with the openai SDK",
                         see="The same call with the SDK")
hello_sdk_wrong_model = SECTION.scenario("hello_sdk.py", "wrong_model", WRONG_MODEL, env={"MODEL": OTHER_MODEL})
tokens = SECTION.file("tokens.py", reference="examples/01/tokens.py",
                      summary="measuring a prompt with usage.prompt_tokens", see="Measure the tokens")
two_turn = SECTION.file("two_turn.py", reference="examples/01/two_turn.py",
                        summary="challenge 1: a two-turn conversation", see="Challenges", challenge=True)
pirate = SECTION.file("pirate.py", reference="examples/01/pirate.py", summary="challenge 2: persona swap",
                      see="Challenges", challenge=True, compare_with="hello_sdk.py")
count_tokens = SECTION.file("count_tokens.py", reference="examples/03/count_tokens.py",
                            summary="challenge 3: a token counter", see="Challenges", challenge=True)
list_models = SECTION.file("list_models.py", reference="examples/01/list_models.py",
                           summary="challenge 4: list the models", see="Challenges", challenge=True)
list_models_other_model = SECTION.scenario("list_models.py", "other_model", "with MODEL set to another name",
                                           env={"MODEL": OTHER_MODEL})


# --- work/hello.py ------------------------------------------------------------------------------------------------

def test_hello_uses_requests(hello: Evidence) -> None:
    """sends its request with the requests library"""
    sent_with_requests(hello)


def test_hello_posts_chat(hello: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(hello)


def test_hello_sends_key(hello: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(hello)


def test_hello_roles(hello: Evidence) -> None:
    """sends a system message, then a user message"""
    system_then_user(hello)


def test_hello_prints_reply(hello: Evidence) -> None:
    """prints the reply the server sent"""
    replies_printed_once(hello)


def test_hello_model_from_env(hello_wrong_model: Evidence) -> None:
    """asks for the model named in MODEL"""
    sends_model_from_env(hello_wrong_model)


def test_hello_stops_on_error(hello_wrong_model: Evidence) -> None:
    """stops with an error when the server answers with one"""
    exits_with_error(hello_wrong_model)


# --- work/hello_sdk.py --------------------------------------------------------------------------------------------

def test_hello_sdk_uses_sdk(hello_sdk: Evidence) -> None:
    """sends its request through the openai SDK"""
    sent_with_sdk(hello_sdk)


def test_hello_sdk_posts_chat(hello_sdk: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(hello_sdk)


def test_hello_sdk_sends_key(hello_sdk: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(hello_sdk)


def test_hello_sdk_roles(hello_sdk: Evidence) -> None:
    """sends a system message, then a user message"""
    system_then_user(hello_sdk)


def test_hello_sdk_prints_reply(hello_sdk: Evidence) -> None:
    """prints the reply the server sent"""
    replies_printed_once(hello_sdk)


def test_hello_sdk_model_from_env(hello_sdk_wrong_model: Evidence) -> None:
    """asks for the model named in MODEL"""
    sends_model_from_env(hello_sdk_wrong_model)


# --- work/tokens.py -----------------------------------------------------------------------------------------------

def _measures_with_one_token(ev: Evidence) -> None:
    for request in ev.chats() or [ev.one(CHAT, "a chat request")]:
        if budget_of(request) != 1:
            raise CheckFailed(f"expected max_tokens=1 (or max_completion_tokens=1) on every measuring call; "
                              f"your script sent max_tokens={budget_of(request)!r}. Only the input is being "
                              "measured, so the reply can be a single token.")


def _prints_counts(ev: Evidence, minimum: int) -> None:
    answered = [r for r in ev.chats() if r.status == 200 and r.usage()]
    if len(answered) < minimum:
        raise CheckFailed(f"expected at least {minimum} measuring calls; the server answered "
                          f"{len(answered)}. {'' if answered else ev.why_nothing()}".strip())
    counts = [r.usage()["prompt_tokens"] for r in answered]
    if not all_among(counts, printed_integers(ev)):  # any order: a table may be sorted, or measured in parallel
        raise CheckFailed(f"expected your output to show the prompt_tokens the server returned: "
                          f"{counts}; your script printed:\n{quote_output(ev.output)}\n"
                          "Print response.usage.prompt_tokens rather than counting the text yourself.")
    if len(set(counts)) < minimum:
        raise CheckFailed(f"expected {minimum} different counts; the server returned {counts} for your texts. "
                          "Measure texts of different sizes.")


def test_tokens_posts_chat(tokens: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(tokens)


def test_tokens_sends_key(tokens: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(tokens)


def test_tokens_one_token_budget(tokens: Evidence) -> None:
    """measures with a one-token budget (max_tokens=1)"""
    _measures_with_one_token(tokens)


def test_tokens_prints_counts(tokens: Evidence) -> None:
    """prints the prompt_tokens the server returned for 2 different texts"""
    _prints_counts(tokens, 2)


def test_tokens_longer_text_larger(tokens: Evidence) -> None:
    """the longer text gets the larger count"""
    answered = [r for r in tokens.chats() if r.status == 200 and r.usage()]
    if len(answered) < 2:
        raise CheckFailed(f"expected two measuring calls; the server answered {len(answered)}. "
                          f"{tokens.why_nothing()}.")
    size = {sum(len(str(m.get("content", ""))) for m in r.messages()): r.usage()["prompt_tokens"] for r in answered}
    if len(size) < 2:  # either order: measuring the longer text first shows the same growth
        raise CheckFailed(f"expected a shorter and a longer text, to see the count grow; your messages were all "
                          f"{next(iter(size))} characters long.")
    shortest, longest = min(size), max(size)
    if size[longest] <= size[shortest]:
        raise CheckFailed(f"expected the longer text ({longest} characters) to get the larger count; the server "
                          f"counted {size[longest]} tokens for it and {size[shortest]} for the shorter one.")


# --- work/two_turn.py (challenge 1) -------------------------------------------------------------------------------

def test_two_turn_posts_chat(two_turn: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(two_turn)


def test_two_turn_sends_key(two_turn: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(two_turn)


def test_two_turn_four_turns(two_turn: Evidence) -> None:
    """sends system, user, assistant, user in that order"""
    request = two_turn.one(CHAT, "a chat request")
    roles = request.roles()
    if roles != ["system", "user", "assistant", "user"]:
        raise CheckFailed(f"expected roles ['system', 'user', 'assistant', 'user']; your script sent {roles}.")
    empty = [m.get("role") for m in request.messages() if not str(m.get("content") or "").strip()]
    if empty:
        raise CheckFailed(f"expected every message to have content; the {empty[0]} message was empty.")


def test_two_turn_prints_reply(two_turn: Evidence) -> None:
    """prints the reply the server sent"""
    replies_printed_once(two_turn)


# --- work/pirate.py (challenge 2), compared with work/hello_sdk.py -------------------------------------------------

def _by_role(ev: Evidence | None) -> dict[str, object]:
    """The first chat request's content by role; for hello_sdk.py, a failure when there is nothing to compare."""
    if ev is None:
        raise CheckFailed("this challenge is compared with work/hello_sdk.py, which does not exist yet: write it first.")
    if not ev.chats():
        raise CheckFailed(f"work/hello_sdk.py sent no chat request to compare with ({ev.why_nothing()}).")
    return {m.get("role"): m.get("content") for m in ev.chats()[0].messages()}


def test_pirate_posts_chat(pirate: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(pirate)


def test_pirate_sends_key(pirate: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(pirate)


def test_pirate_same_user_message(pirate: Evidence) -> None:
    """keeps the user message of hello_sdk.py unchanged"""
    before = _by_role(pirate.related)
    now = {m.get("role"): m.get("content") for m in pirate.one(CHAT, "a chat request").messages()}
    if now.get("user") != before.get("user"):
        raise CheckFailed(f"expected the same user message as work/hello_sdk.py, "
                          f"{quote(str(before.get('user')), 80)!r}; pirate.py sent {quote(str(now.get('user')), 80)!r}. "
                          "Change only the system message.")


def test_pirate_new_system_message(pirate: Evidence) -> None:
    """changes the system message of hello_sdk.py"""
    before = _by_role(pirate.related)
    now = {m.get("role"): m.get("content") for m in pirate.one(CHAT, "a chat request").messages()}
    if not now.get("system"):
        raise CheckFailed("expected a system message that sets the persona; pirate.py sent none.")
    if now.get("system") == before.get("system"):
        raise CheckFailed(f"expected a new system message; pirate.py sent the same one as hello_sdk.py: "
                          f"{quote(str(now.get('system')), 80)!r}.")


def test_pirate_prints_reply(pirate: Evidence) -> None:
    """prints the reply the server sent"""
    replies_printed_once(pirate)


# --- work/count_tokens.py (challenge 3; Section 03 grades it further) -----------------------------------------------

def test_count_tokens_defines_count(count_tokens: Evidence) -> None:
    """defines a count(text) function"""
    try:
        tree = ast.parse(count_tokens.source)
    except SyntaxError as exc:
        raise CheckFailed(f"Python cannot read the file: {exc.msg} (line {exc.lineno}).") from None
    found = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == "count"]
    if not found:
        raise CheckFailed("expected a function named count that takes the text to measure; none is defined.")
    if not found[0].args.args:
        raise CheckFailed("expected count to take one argument, the text; it takes none.")


def test_count_tokens_one_token_budget(count_tokens: Evidence) -> None:
    """measures with a one-token budget (max_tokens=1)"""
    _measures_with_one_token(count_tokens)


def test_count_tokens_prints_counts(count_tokens: Evidence) -> None:
    """prints the prompt_tokens the server returned for 3 different texts"""
    _prints_counts(count_tokens, 3)


def test_count_tokens_capitals(count_tokens: Evidence) -> None:
    """measures a sentence and the same sentence in capitals"""
    texts = [str(r.messages()[-1].get("content", "")) for r in count_tokens.chats() if r.messages()]
    if not any(a != b and a.upper() == b for a in texts for b in texts):
        raise CheckFailed(f"expected one text to be another one in ALL CAPS; your script measured "
                          f"{[quote(t, 40) for t in texts]}.")


# --- work/list_models.py (challenge 4) ------------------------------------------------------------------------------

def _prints_served_id(ev: Evidence) -> None:
    request = ev.one(MODELS, "a GET request for the model list")
    listed = request.response.get("data", []) if isinstance(request.response, dict) else []
    ids = [m.get("id") for m in listed]
    words = set(re.findall(r"[^\s'\"`,;()\[\]{}]+", ev.output))  # an id may be quoted or inside a sentence
    if not ids or any(i not in words for i in ids):
        raise CheckFailed(f"expected the id the server listed, {(ids or [config.SERVED_MODEL])[0]!r}, in your output "
                          f"(a word of its own, quoted or not); your script printed:\n{quote_output(ev.output)}")


def test_list_models_asks_models(list_models: Evidence) -> None:
    """asks GET /v1/models with the key from OPENAI_API_KEY"""
    request = list_models.one(MODELS, "a GET request for the model list")
    if request.auth != "ok":
        raise CheckFailed(f"expected the key from OPENAI_API_KEY as a Bearer token; your script sent "
                          f"{request.headers.get('authorization', 'no Authorization header')}.")


def test_list_models_prints_id(list_models: Evidence) -> None:
    """prints the model id the server listed"""
    _prints_served_id(list_models)


def test_list_models_not_from_env(list_models_other_model: Evidence) -> None:
    """prints the model id the server listed"""
    _prints_served_id(list_models_other_model)


# --- variant runs: against a differently configured server, printed values must follow this run's response ----------

hello_variant = SECTION.variant("hello.py")
hello_sdk_variant = SECTION.variant("hello_sdk.py")
two_turn_variant = SECTION.variant("two_turn.py")
pirate_variant = SECTION.variant("pirate.py")
list_models_variant = SECTION.variant("list_models.py")


def test_hello_prints_reply_variant(hello_variant: Evidence) -> None:
    """prints the reply the server sent"""
    test_hello_prints_reply(hello_variant)


def test_hello_sdk_prints_reply_variant(hello_sdk_variant: Evidence) -> None:
    """prints the reply the server sent"""
    test_hello_sdk_prints_reply(hello_sdk_variant)


def test_two_turn_prints_reply_variant(two_turn_variant: Evidence) -> None:
    """prints the reply the server sent"""
    test_two_turn_prints_reply(two_turn_variant)


def test_pirate_prints_reply_variant(pirate_variant: Evidence) -> None:
    """prints the reply the server sent"""
    test_pirate_prints_reply(pirate_variant)


def test_list_models_prints_id_variant(list_models_variant: Evidence) -> None:
    """prints the model id the server listed"""
    test_list_models_prints_id(list_models_variant)
