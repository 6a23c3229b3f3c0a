"""Checks that many sections share: plain functions a suite's tests call on a run's evidence."""

from __future__ import annotations

import re

from ..endpoint.session import LoggedRequest
from .model import CheckFailed, Evidence
from .quote import quote, quote_output

CHAT = "POST /v1/chat/completions"
MODELS = "GET /v1/models"
OTHER_MODEL = "gpt-oss-course-other"  # what a scenario sets MODEL to, to catch a hard-coded id


def _squash(text: str) -> str:
    return " ".join(text.split())


def user_agent(request: LoggedRequest) -> str:
    return request.headers.get("user-agent", "")


def sent_with_requests(ev: Evidence, route: str = CHAT) -> None:
    request = ev.one(route, "a request")
    agent = user_agent(request)
    if not agent.startswith("python-requests/"):
        via = "the openai SDK" if agent.startswith("OpenAI/") else f"a client calling itself {agent!r}"
        raise CheckFailed(f"expected the request to be made with the requests library; it came from {via}. "
                          "This step is about writing the HTTP call by hand.")


def sent_with_sdk(ev: Evidence, route: str = CHAT) -> None:
    request = ev.one(route, "a request")
    agent = user_agent(request)
    if not agent.startswith("OpenAI/Python"):
        raise CheckFailed(f"expected the request to come from the openai SDK; its User-Agent was {agent!r}. "
                          "Create an OpenAI(...) client and call client.chat.completions.create(...).")


def posts_chat(ev: Evidence) -> None:
    if ev.chats():
        return
    wrong = [r for r in ev.requests if r.path.endswith("/chat/completions")]
    if wrong:
        raise CheckFailed(f"expected POST {ev.base_url}/chat/completions; your script sent "
                          f"{wrong[0].method} {wrong[0].path}. OPENAI_BASE_URL already ends in /v1: "
                          "add only /chat/completions.")
    ev.one(CHAT, "a chat request")


def sends_key(ev: Evidence, route: str = CHAT) -> None:
    for request in ev.to(route) or [ev.one(route, "a request")]:
        if request.auth == "missing":
            raise CheckFailed("expected an Authorization: Bearer <key> header; your script sent no Authorization "
                              "header, so the server answered 401 Unauthorized.")
        if request.auth == "wrong":
            raise CheckFailed(f"expected the key from OPENAI_API_KEY; your script sent "
                              f"{request.headers.get('authorization')}. Read the key with "
                              "os.environ['OPENAI_API_KEY'] instead of typing it into the script.")


def sends_model_from_env(ev: Evidence) -> None:
    """For a scenario that sets MODEL to OTHER_MODEL."""
    request = ev.one(CHAT, "a chat request")
    model = ev.body_of(request).get("model")
    if model != OTHER_MODEL:
        raise CheckFailed(f"with MODEL={OTHER_MODEL} in the environment, your script still asked for "
                          f"model {model!r}. Read the model id with os.environ['MODEL'].")


def exits_with_error(ev: Evidence) -> None:
    """For a scenario where MODEL names a model the server lacks, so the right request gets a 404."""
    errors = [r for r in ev.chats() if r.status >= 400]
    if not errors:
        got = ", ".join(str(r.status) for r in ev.chats()) or "nothing"
        raise CheckFailed(f"in this run MODEL names a model the server lacks, so the server should answer 404; "
                          f"it answered {got}, so there was no error to stop on "
                          f"({ev.why_nothing() if not ev.chats() else 'is the model id typed into the script?'}).")
    if ev.run.exit_code == 0:
        raise CheckFailed(f"the server answered {errors[0].status}, but your script exited with code 0 and "
                          f"printed:\n{quote_output(ev.output)}\n"
                          "Call response.raise_for_status() so an error stops the script.")
    last = ev.last_error()
    if last.startswith(("KeyError", "TypeError", "IndexError")):
        raise CheckFailed(f"the server answered {errors[0].status} and your script only stopped later, while "
                          f"reading a reply that was not there: {last}. Check the status first, with "
                          "response.raise_for_status().")


def system_then_user(ev: Evidence) -> None:
    request = ev.one(CHAT, "a chat request")
    roles = request.roles()
    if len(roles) < 2 or roles[0] != "system" or roles[-1] != "user":
        raise CheckFailed(f"expected messages to start with a system message and end with a user message; "
                          f"your script sent roles {roles}.")


def prints_reply(ev: Evidence, requests: list[LoggedRequest] | None = None) -> None:
    """Every reply to `requests` (by default the last chat request) appears in the output."""
    requests = ev.chats()[-1:] if requests is None else requests
    if not requests:
        ev.one(CHAT, "a chat request")
    answered = [r for r in requests if r.status == 200]
    if not answered:
        raise CheckFailed(f"the server answered {requests[-1].status}, so there was no reply to print: "
                          f"{quote(str(requests[-1].response), 200)}")
    printed = _squash(ev.output)
    for request in answered:
        for reply in request.replies():
            if _squash(reply) not in printed:
                raise CheckFailed(f"expected the reply the server sent, {quote(reply, 120)!r}, in your output; "
                                  f"your script printed:\n{quote_output(ev.output)}")


def printed_integers(ev: Evidence) -> list[int]:
    """Whole numbers in the output; a number ending a sentence ("113.") counts, a decimal does not."""
    return [int(n) for n in re.findall(r"(?<![\w.])\d+(?!\w|\.\d)", ev.output)]


def in_order(needles: list[int], haystack: list[int]) -> bool:
    position = 0
    for needle in needles:
        try:
            position = haystack.index(needle, position) + 1
        except ValueError:
            return False
    return True


def budget_of(request: LoggedRequest) -> object:
    body = request.body if isinstance(request.body, dict) else {}
    return body.get("max_completion_tokens", body.get("max_tokens"))


def printed_with_error(ev: Evidence) -> str:
    """What the script printed, quoted, and the error it stopped with when it crashed part-way."""
    last = ev.last_error()
    crashed = f"\n(then it stopped with an error: {quote(last, 160)})" if last else ""
    return quote_output(ev.output) + crashed


def last_user(request: LoggedRequest) -> str:
    """The content of the last user message a request sent, as text, or ''."""
    users = [m for m in request.messages() if m.get("role") == "user"]
    return str(users[-1].get("content", "")) if users else ""
