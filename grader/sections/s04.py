"""Section 04, Sampling & Generation Controls: each control sent on the wire, its effect read back and printed."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from ..checks import Check, CheckFailed, Evidence, check, quote, quote_output
from ..checks.common import CHAT, budget_of, posts_chat, sends_key
from ..course import entry
from ..endpoint.session import LoggedRequest
from . import Exercise, Section

INTEGERS = ("n", "seed", "max_tokens", "max_completion_tokens", "top_logprobs")
NUMERIC = ("temperature", "top_p", "presence_penalty", "frequency_penalty", *INTEGERS)
PERCENT = re.compile(r"(?<![\w.])(-?\d+(?:\.(\d+))?)\s?%")
CONFIDENT = 0.75  # the confidence challenge's threshold
LOW_TOP_P = 0.5


# ---- reading requests and responses -------------------------------------------------------------------------------

def _body(request: LoggedRequest) -> dict[str, Any]:
    """The JSON the script sent; read from the raw text when the endpoint answered before parsing it (a 401)."""
    if isinstance(request.body, dict):
        return request.body
    try:
        body = json.loads(request.raw_body)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _number(value: Any) -> float | None:
    """A setting as vLLM reads it (0.7 and "0.7" alike): the string itself is judged by `sends_numbers`."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _setting(request: LoggedRequest, key: str) -> float | None:
    return _number(_body(request).get(key))


def _n(request: LoggedRequest) -> int:
    n = _setting(request, "n")
    return int(n) if n else 1


def _between(value: float | None, low: float, high: float) -> bool:
    return value is not None and low <= value <= high


def _chats(ev: Evidence) -> list[LoggedRequest]:
    return ev.chats() or [ev.one(CHAT, "a chat request")]


def _choices(request: LoggedRequest) -> list[dict[str, Any]]:
    response = request.response if isinstance(request.response, dict) else {}
    return [c for c in response.get("choices") or [] if isinstance(c, dict)]


def _error(request: LoggedRequest) -> str:
    """What the server said when it refused a request."""
    response = request.response
    if isinstance(response, dict) and isinstance(response.get("error"), dict):
        return quote(str(response["error"].get("message")), 200)
    return quote(str(response), 200)


def _sent(ev: Evidence, keys: tuple[str, ...]) -> str:
    """The settings of every request, for a failure message: `n=3, temperature=1.0; n=3, temperature=0.2`."""
    parts = []
    for request in ev.chats():
        body = _body(request)
        shown = [f"{k}={body[k]!r}" for k in keys if k in body]
        parts.append(", ".join(shown) or f"no {' or '.join(keys)}")
    return "; ".join(parts) or "no chat request"


def _last_user(request: LoggedRequest) -> str:
    users = [m for m in request.messages() if m.get("role") == "user"]
    return str(users[-1].get("content")) if users else ""


def _squash(text: str) -> str:
    return " ".join(text.split())


def _printed(text: str, output: str) -> bool:
    """Whether the script printed a text plainly, with repr() or as JSON."""
    return _squash(text) in _squash(output) or repr(text) in output or json.dumps(text) in output


def _percentages(output: str) -> list[tuple[float, float]]:
    """Every percentage printed, with how far off it may be given the decimals shown (one unit of the last place)."""
    return [(float(m.group(1)), 10 ** -len(m.group(2) or "") + 1e-9) for m in PERCENT.finditer(output)]


def _shows_in_order(expected: list[float], printed: list[tuple[float, float]]) -> bool:
    position = 0
    for value in expected:
        while position < len(printed) and abs(printed[position][0] - value) > printed[position][1]:
            position += 1
        if position == len(printed):
            return False
        position += 1
    return True


def _logprob_entries(request: LoggedRequest) -> list[dict[str, Any]]:
    for choice in _choices(request):
        logprobs = choice.get("logprobs")
        if isinstance(logprobs, dict) and isinstance(logprobs.get("content"), list):
            return [e for e in logprobs["content"] if isinstance(e, dict)]
    return []


def _answer_entries(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The answer's tokens: gpt-oss's logprobs cover the reasoning too, and the answer follows the last <|message|>."""
    marks = [i for i, e in enumerate(entries) if e.get("token") == "<|message|>"]
    tail = entries[marks[-1] + 1:] if marks else entries
    return [e for e in tail if e.get("token") != "<|return|>"]


def _percent(logprob: Any) -> float:
    return 100 * math.exp(float(logprob))


def _listed(entries: list[dict[str, Any]]) -> str:
    return ", ".join(f"{e.get('token')!r} {_percent(e.get('logprob')):.2f}%" for e in entries)


def _percent_hint(ev: Evidence) -> str:
    if any(value < 0 for value, _ in _percentages(ev.output)):
        return (" A negative percentage means the logprob itself was printed: it is the natural log of the "
                "probability, and math.exp(logprob) turns it back into one.")
    return (" Turn each logprob back into a probability with math.exp(logprob) and print it with f'{p:.2%}'; "
            "and read the answer's tokens, the ones after the last '<|message|>' entry, not the channel markers "
            "before it.")


# ---- shared checks --------------------------------------------------------------------------------------------------

@check("sends each setting as a JSON number (or true/false), not as a string")
def sends_numbers(ev: Evidence) -> None:
    for request in _chats(ev):
        body = _body(request)
        if not body:
            raise CheckFailed(f"expected a JSON body; your script sent: {quote(request.raw_body, 200)!r}")
        for key in NUMERIC:
            value = body.get(key)
            if isinstance(value, (str, bool)):
                number = _number(value) if _number(value) is not None else 1
                example = int(number) if key in INTEGERS else number
                raise CheckFailed(f"expected {key} as a number; your script sent {key}={value!r}. vLLM quietly reads "
                                  "a numeric string as a number, so the call worked here, but a stricter server "
                                  f"answers 400. Pass the number itself, without quotes: {key}={example}.")
        if body.get("logprobs") is not None and not isinstance(body["logprobs"], bool):
            raise CheckFailed(f"expected logprobs as true or false; your script sent logprobs={body['logprobs']!r}. "
                              "Pass logprobs=True (in JSON: true, without quotes).")


@check("sends the same messages in every request, so only the setting differs")
def same_messages(ev: Evidence) -> None:
    chats = _chats(ev)
    first = chats[0].messages()
    for number, request in enumerate(chats[1:], start=2):
        if request.messages() != first:
            raise CheckFailed(f"expected one prompt for every request, so the answers can be compared; request 1 sent "
                              f"{quote(_last_user(chats[0]), 80)!r} and request {number} sent "
                              f"{quote(_last_user(request), 80)!r}.")


def prints_every_reply(pick: Callable[[Evidence], list[LoggedRequest]] | None = None) -> Check:
    def run(ev: Evidence) -> None:
        requests = pick(ev) if pick else _chats(ev)
        answered = [r for r in requests if r.status == 200]
        if not answered:
            refused = requests[-1] if requests else _chats(ev)[-1]
            raise CheckFailed(f"the server answered {refused.status}, so there was no reply to print: "
                              f"{_error(refused)}")
        for request in answered:
            for reply in request.replies():
                if reply.strip() and not _printed(reply, ev.output):
                    raise CheckFailed(f"expected every reply the server sent in your output, including "
                                      f"{quote(reply, 120)!r}; your script printed:\n{quote_output(ev.output)}\n"
                                      "Loop over response.choices and print each choice.message.content.")
    return Check("prints every reply the server sent", run)


# ---- temperature.py -------------------------------------------------------------------------------------------------

def _several_at(label: str, low: float, high: float, shown: str) -> Check:
    def run(ev: Evidence) -> None:
        found = [r for r in _chats(ev) if _n(r) >= 2 and _between(_setting(r, "temperature"), low, high)]
        if not found:
            raise CheckFailed(f"expected a request with n=2 or more and temperature {shown}; your script sent: "
                              f"{_sent(ev, ('n', 'temperature'))}.")
        if not any(r.status == 200 for r in found):
            raise CheckFailed(f"the server refused your request with n={_body(found[0]).get('n')!r} and temperature "
                              f"{_body(found[0]).get('temperature')!r}: {_error(found[0])}")
    return Check(f"asks for several choices (n of 2 or more) at a {label} temperature ({shown})", run)


@check("calls at temperature 0 at least twice, one choice each")
def greedy_repeats(ev: Evidence) -> None:
    greedy = [r for r in _chats(ev) if _setting(r, "temperature") == 0]
    answered = [r for r in greedy if r.status == 200 and _n(r) == 1]
    if len(answered) >= 2:
        return
    refused = [r for r in greedy if r.status != 200]
    if refused:
        raise CheckFailed(f"the server refused your temperature 0 request: {_error(refused[0])} Greedy decoding has "
                          "one answer, so ask for it with n=1 in separate calls.")
    raise CheckFailed(f"expected two or more calls with temperature=0 and n=1, to see that greedy decoding repeats "
                      f"itself; your script sent: {_sent(ev, ('n', 'temperature'))}.")


# ---- stop.py --------------------------------------------------------------------------------------------------------

def _stop_list(request: LoggedRequest) -> list[str]:
    stop = _body(request).get("stop")
    if isinstance(stop, str):
        return [stop]
    return [s for s in stop if isinstance(s, str)] if isinstance(stop, list) else []


def _with_stop(ev: Evidence) -> list[LoggedRequest]:
    return [r for r in ev.chats() if _body(r).get("stop") is not None]


def _fired(ev: Evidence) -> tuple[str, list[str]] | None:
    """The first stop string that cut a reply, and the stop list it came from."""
    for request in _with_stop(ev):
        for choice in _choices(request):
            if choice.get("finish_reason") == "stop" and isinstance(choice.get("stop_reason"), str):
                return choice["stop_reason"], _stop_list(request)
    return None


@check("sends stop as a list of two or more strings")
def sends_stop_list(ev: Evidence) -> None:
    requests = _with_stop(ev)
    if not requests:
        raise CheckFailed(f"expected a request with a stop list such as [\"4.\", \"END\"]; your script sent no stop "
                          f"({_sent(ev, ('stop',))}).")
    stop = _body(requests[0]).get("stop")
    if not isinstance(stop, list) or len([s for s in stop if isinstance(s, str) and s]) < 2:
        raise CheckFailed(f"expected two or more stop strings, so that stop_reason has a choice to report; your "
                          f"script sent stop={stop!r}. Send a list, for example [\"4.\", \"END\"].")


@check("a stop string fired: finish_reason \"stop\" with that string as stop_reason")
def stop_fired(ev: Evidence) -> None:
    if _fired(ev) is not None:
        return
    requests = _with_stop(ev) or [ev.one(CHAT, "a chat request")]
    answered = [r for r in requests if r.status == 200]
    if not answered:
        raise CheckFailed(f"the server refused your request with stop strings: {_error(requests[0])}")
    choice = _choices(answered[0])[0] if _choices(answered[0]) else {}
    reply = (answered[0].replies() or [""])[0]
    raise CheckFailed(f"expected one of your stop strings {_stop_list(answered[0])!r} to cut the reply; the server "
                      f"finished with finish_reason {choice.get('finish_reason')!r} and stop_reason "
                      f"{choice.get('stop_reason')!r}, and the reply was {quote(reply, 120)!r}. Choose stop strings "
                      "that occur in the reply, such as \"4.\" in a numbered list, and leave max_tokens out of this "
                      "call. (The recorded endpoint answers prompts it has no recording for with a stock reply: pick "
                      "your stop strings from the reply quoted here.)")


@check("prints which stop string fired (the stop_reason)")
def prints_stop_reason(ev: Evidence) -> None:
    fired = _fired(ev)
    if fired is None:
        raise CheckFailed("no stop string fired, so there was no stop_reason to print (see the check above).")
    reason, stops = fired
    forms = {repr(reason), json.dumps(reason)} | ({reason} if reason.strip() else set())
    others = [s for s in stops if s != reason and s.strip()]
    for line in ev.output.splitlines():
        shown = [f for f in forms if f in line]
        rest = line
        for form in shown:
            rest = rest.replace(form, "")
        if shown and not any(other in rest for other in others):
            return
    raise CheckFailed(f"expected the stop_reason the server returned, {reason!r}, printed by itself (the whole "
                      f"stop list does not say which one fired); your script printed:\n{quote_output(ev.output)}\n"
                      "Print response.choices[0].stop_reason: vLLM adds it to say which string fired.")


@check("runs out of a token budget and prints finish_reason \"length\"")
def budget_runs_out(ev: Evidence) -> None:
    budgeted = [r for r in ev.chats() if _number(budget_of(r)) is not None]
    if not budgeted:
        raise CheckFailed(f"expected a call with max_completion_tokens (or max_tokens) set; your script sent: "
                          f"{_sent(ev, ('max_completion_tokens', 'max_tokens'))}.")
    cut = [r for r in budgeted if any(c.get("finish_reason") == "length" for c in _choices(r))]
    if not cut:
        request = budgeted[0]
        finish = [c.get("finish_reason") for c in _choices(request)] or [f"none: {_error(request)}"]
        raise CheckFailed(f"expected the budget to run out (finish_reason \"length\"); with {budget_of(request)!r} "
                          f"tokens the server finished with {finish[0]!r}. Choose a budget smaller than the whole "
                          "reply, such as 36.")
    if "length" not in ev.output:
        raise CheckFailed(f"expected the finish_reason of the budget-limited call, \"length\", in your output; your "
                          f"script printed:\n{quote_output(ev.output)}")


def _stop_requests(ev: Evidence) -> list[LoggedRequest]:
    return _with_stop(ev) or _chats(ev)


# ---- seed.py --------------------------------------------------------------------------------------------------------

def _repeated_seed(ev: Evidence) -> float | None:
    seeds = Counter(s for s in (_setting(r, "seed") for r in ev.chats()) if s is not None)
    repeated = [seed for seed, count in seeds.items() if count >= 2]
    return repeated[0] if repeated else None


@check("sends the same seed on two calls")
def same_seed_twice(ev: Evidence) -> None:
    if _repeated_seed(ev) is None:
        raise CheckFailed(f"expected two calls with the same seed, such as seed=42, to see the same text come back; "
                          f"your script sent: {_sent(ev, ('seed',))}.")


@check("samples at a temperature above 0 on the seeded calls")
def seeded_temperature(ev: Evidence) -> None:
    for request in _chats(ev):
        if _setting(request, "seed") is not None and _setting(request, "temperature") == 0:
            raise CheckFailed("expected the seeded calls to sample (temperature above 0, or left out); your script "
                              "sent temperature=0, where nothing is random and a seed changes nothing. Use "
                              "temperature=1.0.")


@check("makes a call without that seed, to compare")
def unseeded_call(ev: Evidence) -> None:
    seed = _repeated_seed(ev)
    if seed is None:
        raise CheckFailed("expected two calls with one seed first (see the check above), then one without it.")
    if not any(_setting(r, "seed") != seed for r in _chats(ev)):
        raise CheckFailed(f"expected a call without seed={_body(ev.chats()[0]).get('seed')!r} (no seed, or "
                          f"another one) to compare with; every call sent it.")


@check("prints the system_fingerprint the server returned")
def prints_fingerprint(ev: Evidence) -> None:
    answered = [r for r in _chats(ev) if r.status == 200 and isinstance(r.response, dict)]
    prints = {str(r.response.get("system_fingerprint")) for r in answered}
    missing = [f for f in prints if f not in ev.output]
    if not answered or missing:
        raise CheckFailed(f"expected the system_fingerprint the server sent, {', '.join(sorted(prints)) or 'none'}, "
                          f"in your output; your script printed:\n{quote_output(ev.output)}\n"
                          "Print response.system_fingerprint: when it changes, the same seed may give other text.")


# ---- logprobs.py ----------------------------------------------------------------------------------------------------

def _with_logprobs(ev: Evidence) -> list[LoggedRequest]:
    return [r for r in ev.chats() if r.status == 200 and _logprob_entries(r)]


@check("asks for logprobs: true together with top_logprobs from 1 to 20")
def asks_logprobs(ev: Evidence) -> None:
    chats = _chats(ev)
    if any(r.status == 200 and _body(r).get("logprobs") is True and _between(_setting(r, "top_logprobs"), 1, 20)
           for r in chats):
        return
    request = chats[0]
    body = _body(request)
    if body.get("top_logprobs") is not None and body.get("logprobs") is not True:
        sent = f"logprobs={body['logprobs']!r}" if "logprobs" in body else "no logprobs"
        raise CheckFailed(f"your script sent top_logprobs={body['top_logprobs']!r} with {sent}, and the server "
                          f"answered {request.status}: {_error(request)} Send logprobs=True as well.")
    raise CheckFailed(f"expected logprobs=True and top_logprobs=3 (any number from 1 to 20); your script sent: "
                      f"{_sent(ev, ('logprobs', 'top_logprobs'))}.")


def _first_logprobs(ev: Evidence) -> list[dict[str, Any]]:
    found = _with_logprobs(ev)
    if not found:
        raise CheckFailed(f"the server sent no logprobs to print ({_sent(ev, ('logprobs', 'top_logprobs'))}); ask "
                          "for them with logprobs=True.")
    return _answer_entries(_logprob_entries(found[0]))


@check("prints exp(logprob) as a percentage for each token of the answer")
def prints_answer_percentages(ev: Evidence) -> None:
    answer = _first_logprobs(ev)
    if not _shows_in_order([_percent(e.get("logprob")) for e in answer], _percentages(ev.output)):
        raise CheckFailed(f"expected each answer token's probability as a percentage, in order: {_listed(answer)}; "
                          f"your script printed:\n{quote_output(ev.output)}\n{_percent_hint(ev).strip()}")


@check("prints the top alternatives for the answer's first token, with their percentages")
def prints_alternatives(ev: Evidence) -> None:
    answer = _first_logprobs(ev)
    alternatives = [a for a in (answer[0].get("top_logprobs") or []) if isinstance(a, dict)] if answer else []
    if not alternatives:
        raise CheckFailed("the server sent no alternatives for the answer's first token: ask for them with "
                          "top_logprobs=3.")
    if not _shows_in_order([_percent(a.get("logprob")) for a in alternatives], _percentages(ev.output)):
        raise CheckFailed(f"expected the alternatives the server listed for {answer[0].get('token')!r}, with their "
                          f"probabilities: {_listed(alternatives)}; your script printed:\n{quote_output(ev.output)}\n"
                          "Loop over that token's top_logprobs and print math.exp(alternative.logprob) for each.")


# ---- challenges -----------------------------------------------------------------------------------------------------

@check("asks for several choices with a small top_p (above 0, at most 0.5)")
def small_top_p(ev: Evidence) -> None:
    found = [r for r in _chats(ev) if _n(r) >= 2 and _between(_setting(r, "top_p"), 1e-9, LOW_TOP_P)]
    if not found:
        raise CheckFailed(f"expected a request with n=3 and a small top_p such as 0.1; your script sent: "
                          f"{_sent(ev, ('n', 'top_p', 'temperature'))}.")
    if not any(r.status == 200 for r in found):
        raise CheckFailed(f"the server refused your small-top_p request: {_error(found[0])}")


@check("asks for the same several choices with top_p 1 (or unset), to compare")
def full_top_p(ev: Evidence) -> None:
    found = [r for r in _chats(ev) if _n(r) >= 2 and r.status == 200
             and (_setting(r, "top_p") is None or _setting(r, "top_p") == 1)]
    if not found:
        raise CheckFailed(f"expected a request with n=3 and top_p=1 (or no top_p) to compare with; your script sent: "
                          f"{_sent(ev, ('n', 'top_p'))}.")


def _penalty(request: LoggedRequest) -> float:
    return max(_setting(request, "frequency_penalty") or 0, _setting(request, "presence_penalty") or 0)


@check("sends a frequency_penalty or presence_penalty above 0 (at most 2)")
def sends_penalty(ev: Evidence) -> None:
    if not any(0 < _penalty(r) <= 2 and r.status == 200 for r in _chats(ev)):
        raise CheckFailed(f"expected a request with frequency_penalty (or presence_penalty) between 0 and 2, such as "
                          f"1.0; your script sent: {_sent(ev, ('frequency_penalty', 'presence_penalty'))}.")


@check("makes the same request without a penalty, to compare")
def unpenalized_call(ev: Evidence) -> None:
    if not any(_penalty(r) == 0 and r.status == 200 for r in _chats(ev)):
        raise CheckFailed(f"expected one request with no penalty (or 0) to compare with; your script sent: "
                          f"{_sent(ev, ('frequency_penalty', 'presence_penalty'))}.")


def _confidences(ev: Evidence) -> list[tuple[LoggedRequest, float]]:
    """Each answered question with the probability of its answer's first token."""
    found = []
    for request in _with_logprobs(ev):
        answer = _answer_entries(_logprob_entries(request))
        if answer:
            found.append((request, math.exp(float(answer[0].get("logprob", 0)))))
    return found


@check("asks two or more questions with logprobs: true")
def asks_questions(ev: Evidence) -> None:
    questions = {_last_user(r) for r, _ in _confidences(ev)}
    if len(questions) < 2:
        raise CheckFailed(f"expected two or more different questions answered with logprobs; the server answered "
                          f"{len(questions)} ({_sent(ev, ('logprobs',))}). Ask each question with logprobs=True.")


@check("prints each answer's first-token probability as a percentage")
def prints_confidences(ev: Evidence) -> None:
    found = _confidences(ev)
    expected = [100 * p for _, p in found]
    if not found or not _shows_in_order(expected, _percentages(ev.output)):
        shown = ", ".join(f"{p:.1f}%" for p in expected) or "none"
        raise CheckFailed(f"expected the probability of each answer's first token as a percentage, in order: {shown}; "
                          f"your script printed:\n{quote_output(ev.output)}\n{_percent_hint(ev).strip()}")


@check(f"prints the answers the model was at least {CONFIDENT:.0%} sure of")
def prints_confident(ev: Evidence) -> None:
    sure = [(r, p) for r, p in _confidences(ev) if p >= CONFIDENT]
    if not sure:
        raise CheckFailed(f"no answer reached {CONFIDENT:.0%}, so nothing could be printed; add a question with a "
                          "clear answer, such as \"Is the Pacific the largest ocean? Answer yes or no.\"")
    for request, p in sure:
        reply = (request.replies() or [""])[0]
        if not _printed(reply, ev.output):
            raise CheckFailed(f"expected the answer to {quote(_last_user(request), 60)!r}, {quote(reply, 80)!r}, "
                              f"which the model was {p:.1%} sure of; your script printed:\n{quote_output(ev.output)}")


@check(f"holds back the answers the model was less than {CONFIDENT:.0%} sure of")
def holds_back_unsure(ev: Evidence) -> None:
    unsure = [(r, p) for r, p in _confidences(ev) if p < CONFIDENT]
    if not unsure:
        raise CheckFailed(f"every answer was at least {CONFIDENT:.0%} sure, so the gate was never tested; add a "
                          "question the model is unsure of, such as \"Is a hot dog a sandwich? Answer yes or no.\"")
    for request, p in unsure:
        reply = (request.replies() or [""])[0]
        if reply.strip() and _printed(reply, ev.output):
            raise CheckFailed(f"the model was only {p:.1%} sure of its answer to {quote(_last_user(request), 60)!r}, "
                              f"but your script printed that answer, {quote(reply, 80)!r}. Below {CONFIDENT:.0%}, "
                              "print that it is not sure instead of the answer.")


# ---- the section ----------------------------------------------------------------------------------------------------

SECTION = Section(
    entry=entry("04"),
    exercises=[
        Exercise(
            work="temperature.py", reference="examples/04/temperature.py",
            summary="one prompt, several choices, at a high and a low temperature",
            see="Temperature and n: many answers at once",
            checks=[posts_chat(), sends_key(), sends_numbers, _several_at("high", 0.8, 2, "from 0.8 to 2"),
                    _several_at("low", 1e-5, 0.5, "above 0, at most 0.5"), same_messages, greedy_repeats,
                    prints_every_reply()],
        ),
        Exercise(
            work="stop.py", reference="examples/04/stop.py", summary="stop strings, stop_reason and a token budget",
            see="Ending early: stop strings and a token budget",
            checks=[posts_chat(), sends_key(), sends_numbers, sends_stop_list, stop_fired, prints_stop_reason,
                    prints_every_reply(_stop_requests), budget_runs_out],
        ),
        Exercise(
            work="seed.py", reference="examples/04/seed.py", summary="the same seed twice, then no seed",
            see="Seeds: repeatable, not guaranteed",
            checks=[posts_chat(), sends_key(), sends_numbers, same_seed_twice, seeded_temperature, unseeded_call,
                    prints_every_reply(), prints_fingerprint],
        ),
        Exercise(
            work="logprobs.py", reference="examples/04/logprobs.py", summary="token probabilities and alternatives",
            see="Log-probabilities: how sure was the model?",
            checks=[posts_chat(), sends_key(), sends_numbers, asks_logprobs, prints_answer_percentages,
                    prints_alternatives],
        ),
        Exercise(
            work="top_p.py", reference="examples/04/top_p.py", summary="challenge 1: a narrower pool with top_p",
            see="Challenges", challenge=True,
            checks=[posts_chat(), sends_key(), sends_numbers, small_top_p, full_top_p, same_messages,
                    prints_every_reply()],
        ),
        Exercise(
            work="penalty.py", reference="examples/04/penalty.py", summary="challenge 2: less repetition",
            see="Challenges", challenge=True,
            checks=[posts_chat(), sends_key(), sends_numbers, sends_penalty, unpenalized_call, same_messages,
                    prints_every_reply()],
        ),
        Exercise(
            work="confidence.py", reference="examples/04/confidence.py", summary="challenge 3: a confidence gate",
            see="Challenges", challenge=True,
            checks=[posts_chat(), sends_key(), sends_numbers, asks_questions, prints_confidences, prints_confident,
                    holds_back_unsure],
        ),
    ],
)
