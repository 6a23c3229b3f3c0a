"""Section 04 · Sampling & Generation Controls: each control sent on the wire, its effect read back and printed.

Each test is one check a learner sees; its docstring is the sentence in their report. A test names the learner
file it grades by its fixture: `temperature` is one run of work/temperature.py.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from typing import Any

import pytest

from grader.checks import CheckFailed, Evidence, quote, quote_output
from grader.checks.common import (
    CHAT,
    budget_of,
    last_user,
    posts_chat,
    replies_printed_once,
    sends_key,
    sends_model_from_env,
    server_error,
    squash,
)
from grader.endpoint.session import LoggedRequest
from grader.suite import Section

SECTION = Section("04")

temperature = SECTION.file("temperature.py", reference="examples/04/temperature.py",
                           summary="one prompt, several choices, at a high and a low temperature",
                           see="Temperature and n: many answers at once")
stop = SECTION.file("stop.py", reference="examples/04/stop.py", summary="stop strings, stop_reason and a token budget",
                    see="Ending early: stop strings and a token budget")
seed = SECTION.file("seed.py", reference="examples/04/seed.py", summary="the same seed twice, then no seed",
                    see="Seeds: repeatable, not guaranteed")
logprobs = SECTION.file("logprobs.py", reference="examples/04/logprobs.py",
                        summary="token probabilities and alternatives", see="Log-probabilities: how sure was the model?")
top_p = SECTION.file("top_p.py", reference="examples/04/top_p.py", summary="challenge 1: a narrower pool with top_p",
                     see="Challenges", challenge=True)
penalty = SECTION.file("penalty.py", reference="examples/04/penalty.py", summary="challenge 2: less repetition",
                       see="Challenges", challenge=True)
confidence = SECTION.file("confidence.py", reference="examples/04/confidence.py",
                          summary="challenge 3: a confidence gate", see="Challenges", challenge=True)

INTEGERS = ("n", "seed", "max_tokens", "max_completion_tokens", "top_logprobs")
NUMERIC = ("temperature", "top_p", "presence_penalty", "frequency_penalty", *INTEGERS)
PERCENT = re.compile(r"(?<![\w.])(-?\d+(?:\.(\d+))?)\s?%")
FRACTION = re.compile(r"(?<![\w.-])([01]\.(\d+))(?![\d.%]|\s?%)")  # 0.8703: a probability as a fraction
CONFIDENT = 0.75  # the confidence challenge's threshold (its tests' docstrings say 75%)
LOW_TOP_P = 0.5


# --- reading requests and responses ---------------------------------------------------------------------------------

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
    """A setting as vLLM reads it (0.7 and "0.7" alike): the string itself is judged by `_sends_numbers`."""
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


def _sent(ev: Evidence, keys: tuple[str, ...]) -> str:
    """The settings of every request, for a failure message: `n=3, temperature=1.0; n=3, temperature=0.2`."""
    parts = []
    for request in ev.chats():
        body = _body(request)
        shown = [f"{k}={body[k]!r}" for k in keys if k in body]
        parts.append(", ".join(shown) or f"no {' or '.join(keys)}")
    return "; ".join(parts) or "no chat request"


def _printed(text: str, output: str) -> bool:
    """Whether the script printed a text plainly, with repr() or as JSON."""
    return squash(text) in squash(output) or repr(text) in output or json.dumps(text) in output


def _percentages(output: str) -> list[tuple[float, float]]:
    """Every percentage printed, with how far off it may be given the decimals shown (one unit of the last place)."""
    return [(float(m.group(1)), 10 ** -len(m.group(2) or "") + 1e-9) for m in PERCENT.finditer(output)]


def _probabilities(output: str) -> list[tuple[float, float]]:
    """Every probability printed, as a percentage (87.03%) or a fraction (0.8703), in percent and in output order."""
    found = [(m.start(), float(m.group(1)), 10 ** -len(m.group(2) or "") + 1e-9) for m in PERCENT.finditer(output)]
    found += [(m.start(), 100 * float(m.group(1)), 100 * 10 ** -len(m.group(2)) + 1e-9)
              for m in FRACTION.finditer(output)]
    return [(value, slack) for _, value, slack in sorted(found)]


def _shows_in_order(expected: list[float], printed: list[tuple[float, float]]) -> bool:
    position = 0
    for value in expected:
        while position < len(printed) and abs(printed[position][0] - value) > printed[position][1]:
            position += 1
        if position == len(printed):
            return False
        position += 1
    return True


def _shows_all(expected: list[float], printed: list[tuple[float, float]]) -> bool:
    """Every expected value printed, each matched to its own printed value, in any order (questions asked from a
    thread pool answer in the order they finish)."""
    unused = list(printed)
    for value in expected:
        match = next((p for p in unused if abs(p[0] - value) <= p[1]), None)
        if match is None:
            return False
        unused.remove(match)
    return True


def _logprob_entries(request: LoggedRequest) -> list[dict[str, Any]]:
    for choice in _choices(request):
        found = choice.get("logprobs")
        if isinstance(found, dict) and isinstance(found.get("content"), list):
            return [e for e in found["content"] if isinstance(e, dict)]
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


# --- checks several files share --------------------------------------------------------------------------------------

def _sends_numbers(ev: Evidence) -> None:
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


def _same_messages(ev: Evidence) -> None:
    chats = _chats(ev)
    first = chats[0].messages()
    for number, request in enumerate(chats[1:], start=2):
        if request.messages() != first:
            raise CheckFailed(f"expected one prompt for every request, so the answers can be compared; request 1 sent "
                              f"{quote(last_user(chats[0]), 80)!r} and request {number} sent "
                              f"{quote(last_user(request), 80)!r}.")


def _prints_every_reply(ev: Evidence, requests: list[LoggedRequest] | None = None) -> None:
    """Every reply to `requests` (by default every chat request) appears in the output."""
    requests = _chats(ev) if requests is None else requests
    answered = [r for r in requests if r.status == 200]
    if not answered:
        refused = requests[-1] if requests else _chats(ev)[-1]
        raise CheckFailed(f"the server answered {refused.status}, so there was no reply to print: {server_error(refused)}")
    replies_printed_once(ev, answered, hint="Loop over response.choices and print each choice.message.content.")


# --- work/temperature.py --------------------------------------------------------------------------------------------

def _several_at(ev: Evidence, low: float, high: float, shown: str) -> None:
    found = [r for r in _chats(ev) if _n(r) >= 2 and _between(_setting(r, "temperature"), low, high)]
    if not found:
        raise CheckFailed(f"expected a request with n=2 or more and temperature {shown}; your script sent: "
                          f"{_sent(ev, ('n', 'temperature'))}.")
    if not any(r.status == 200 for r in found):
        raise CheckFailed(f"the server refused your request with n={_body(found[0]).get('n')!r} and temperature "
                          f"{_body(found[0]).get('temperature')!r}: {server_error(found[0])}")


def test_temperature_posts_chat(temperature: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(temperature)


def test_temperature_sends_key(temperature: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(temperature)


def test_temperature_sends_numbers(temperature: Evidence) -> None:
    """sends each setting as a JSON number (or true/false), not as a string"""
    _sends_numbers(temperature)


def test_temperature_several_high(temperature: Evidence) -> None:
    """asks for several choices (n of 2 or more) at a high temperature (from 0.8 to 2)"""
    _several_at(temperature, 0.8, 2, "from 0.8 to 2")


def test_temperature_several_low(temperature: Evidence) -> None:
    """asks for several choices (n of 2 or more) at a low temperature (above 0, at most 0.5)"""
    _several_at(temperature, 1e-5, 0.5, "above 0, at most 0.5")


def test_temperature_same_messages(temperature: Evidence) -> None:
    """sends the same messages in every request, so only the setting differs"""
    _same_messages(temperature)


@pytest.mark.see("Greedy, call after call")
def test_temperature_greedy_repeats(temperature: Evidence) -> None:
    """calls at temperature 0 at least twice, one choice each"""
    greedy = [r for r in _chats(temperature) if _setting(r, "temperature") == 0]
    answered = [r for r in greedy if r.status == 200 and _n(r) == 1]
    if len(answered) >= 2:
        return
    refused = [r for r in greedy if r.status != 200]
    if refused:
        raise CheckFailed(f"the server refused your temperature 0 request: {server_error(refused[0])} Greedy decoding has "
                          "one answer, so ask for it with n=1 in separate calls.")
    raise CheckFailed(f"expected two or more calls with temperature=0 and n=1, to see that greedy decoding repeats "
                      f"itself; your script sent: {_sent(temperature, ('n', 'temperature'))}.")


def test_temperature_prints_every_reply(temperature: Evidence) -> None:
    """prints every reply the server sent"""
    _prints_every_reply(temperature)


# --- work/stop.py ---------------------------------------------------------------------------------------------------

def _stop_list(request: LoggedRequest) -> list[str]:
    found = _body(request).get("stop")
    if isinstance(found, str):
        return [found]
    return [s for s in found if isinstance(s, str)] if isinstance(found, list) else []


def _with_stop(ev: Evidence) -> list[LoggedRequest]:
    return [r for r in ev.chats() if _body(r).get("stop") is not None]


def _fired(ev: Evidence) -> tuple[str, list[str]] | None:
    """The first stop string that cut a reply, and the stop list it came from."""
    for request in _with_stop(ev):
        for choice in _choices(request):
            if choice.get("finish_reason") == "stop" and isinstance(choice.get("stop_reason"), str):
                return choice["stop_reason"], _stop_list(request)
    return None


def test_stop_posts_chat(stop: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(stop)


def test_stop_sends_key(stop: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(stop)


def test_stop_sends_numbers(stop: Evidence) -> None:
    """sends each setting as a JSON number (or true/false), not as a string"""
    _sends_numbers(stop)


def test_stop_sends_list(stop: Evidence) -> None:
    """sends stop as a list of two or more strings"""
    requests = _with_stop(stop)
    if not requests:
        raise CheckFailed(f"expected a request with a stop list such as [\"4.\", \"END\"]; your script sent no stop "
                          f"({_sent(stop, ('stop',))}).")
    sent = _body(requests[0]).get("stop")
    if not isinstance(sent, list) or len([s for s in sent if isinstance(s, str) and s]) < 2:
        raise CheckFailed(f"expected two or more stop strings, so that stop_reason has a choice to report; your "
                          f"script sent stop={sent!r}. Send a list, for example [\"4.\", \"END\"].")


def test_stop_fired(stop: Evidence) -> None:
    """a stop string fired: finish_reason "stop" with that string as stop_reason"""
    if _fired(stop) is not None:
        return
    requests = _with_stop(stop) or [stop.one(CHAT, "a chat request")]
    answered = [r for r in requests if r.status == 200]
    if not answered:
        raise CheckFailed(f"the server refused your request with stop strings: {server_error(requests[0])}")
    choice = _choices(answered[0])[0] if _choices(answered[0]) else {}
    reply = (answered[0].replies() or [""])[0]
    raise CheckFailed(f"expected one of your stop strings {_stop_list(answered[0])!r} to cut the reply; the server "
                      f"finished with finish_reason {choice.get('finish_reason')!r} and stop_reason "
                      f"{choice.get('stop_reason')!r}, and the reply was {quote(reply, 120)!r}. Choose stop strings "
                      "that occur in the reply, such as \"4.\" in a numbered list, and leave max_tokens out of this "
                      "call. (The recorded endpoint answers prompts it has no recording for with a stock reply: pick "
                      "your stop strings from the reply quoted here.)")


def test_stop_prints_stop_reason(stop: Evidence) -> None:
    """prints which stop string fired (the stop_reason)"""
    fired = _fired(stop)
    if fired is None:
        raise CheckFailed("no stop string fired, so there was no stop_reason to print (see the check above).")
    reason, stops = fired
    forms = {repr(reason), json.dumps(reason)} | ({reason} if reason.strip() else set())
    others = [s for s in stops if s != reason and s.strip()]
    for line in stop.output.splitlines():
        shown = [f for f in forms if f in line]
        rest = line
        for form in shown:
            rest = rest.replace(form, "")
        if shown and not any(other in rest for other in others):
            return
    raise CheckFailed(f"expected the stop_reason the server returned, {reason!r}, printed by itself (the whole "
                      f"stop list does not say which one fired); your script printed:\n{quote_output(stop.output)}\n"
                      "Print response.choices[0].stop_reason: vLLM adds it to say which string fired.")


def test_stop_prints_every_reply(stop: Evidence) -> None:
    """prints every reply the server sent"""
    _prints_every_reply(stop, _with_stop(stop) or _chats(stop))


@pytest.mark.see("A token budget")
def test_stop_budget_runs_out(stop: Evidence) -> None:
    """runs out of a token budget and prints finish_reason "length\""""
    budgeted = [r for r in stop.chats() if _number(budget_of(r)) is not None]
    if not budgeted:
        raise CheckFailed(f"expected a call with max_completion_tokens (or max_tokens) set; your script sent: "
                          f"{_sent(stop, ('max_completion_tokens', 'max_tokens'))}.")
    cut = [r for r in budgeted if any(c.get("finish_reason") == "length" for c in _choices(r))]
    if not cut:
        request = budgeted[0]
        finish = [c.get("finish_reason") for c in _choices(request)] or [f"none: {server_error(request)}"]
        raise CheckFailed(f"expected the budget to run out (finish_reason \"length\"); with {budget_of(request)!r} "
                          f"tokens the server finished with {finish[0]!r}. Choose a budget smaller than the whole "
                          "reply, such as 36.")
    if "length" not in stop.output:
        raise CheckFailed(f"expected the finish_reason of the budget-limited call, \"length\", in your output; your "
                          f"script printed:\n{quote_output(stop.output)}")


# --- work/seed.py ---------------------------------------------------------------------------------------------------

def _repeated_seed(ev: Evidence) -> float | None:
    seeds = Counter(s for s in (_setting(r, "seed") for r in ev.chats()) if s is not None)
    repeated = [value for value, count in seeds.items() if count >= 2]
    return repeated[0] if repeated else None


def test_seed_posts_chat(seed: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(seed)


def test_seed_sends_key(seed: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(seed)


def test_seed_sends_numbers(seed: Evidence) -> None:
    """sends each setting as a JSON number (or true/false), not as a string"""
    _sends_numbers(seed)


def test_seed_same_seed_twice(seed: Evidence) -> None:
    """sends the same seed on two calls"""
    if _repeated_seed(seed) is None:
        raise CheckFailed(f"expected two calls with the same seed, such as seed=42, to see the same text come back; "
                          f"your script sent: {_sent(seed, ('seed',))}.")


def test_seed_samples(seed: Evidence) -> None:
    """samples at a temperature above 0 on the seeded calls"""
    for request in _chats(seed):
        if _setting(request, "seed") is not None and _setting(request, "temperature") == 0:
            raise CheckFailed("expected the seeded calls to sample (temperature above 0, or left out); your script "
                              "sent temperature=0, where nothing is random and a seed changes nothing. Use "
                              "temperature=1.0.")


def test_seed_unseeded_call(seed: Evidence) -> None:
    """makes a call without that seed, to compare"""
    repeated = _repeated_seed(seed)
    if repeated is None:
        raise CheckFailed("expected two calls with one seed first (see the check above), then one without it.")
    if not any(_setting(r, "seed") != repeated for r in _chats(seed)):
        raise CheckFailed(f"expected a call without seed={_body(seed.chats()[0]).get('seed')!r} (no seed, or "
                          f"another one) to compare with; every call sent it.")


def test_seed_prints_every_reply(seed: Evidence) -> None:
    """prints every reply the server sent"""
    _prints_every_reply(seed)


def test_seed_prints_fingerprint(seed: Evidence) -> None:
    """prints the system_fingerprint the server returned"""
    answered = [r for r in _chats(seed) if r.status == 200 and isinstance(r.response, dict)]
    prints = {str(r.response.get("system_fingerprint")) for r in answered}
    missing = [f for f in prints if f not in seed.output]
    if not answered or missing:
        raise CheckFailed(f"expected the system_fingerprint the server sent, {', '.join(sorted(prints)) or 'none'}, "
                          f"in your output; your script printed:\n{quote_output(seed.output)}\n"
                          "Print response.system_fingerprint: when it changes, the same seed may give other text.")


# --- work/logprobs.py -----------------------------------------------------------------------------------------------

def _with_logprobs(ev: Evidence) -> list[LoggedRequest]:
    return [r for r in ev.chats() if r.status == 200 and _logprob_entries(r)]


def _first_logprobs(ev: Evidence) -> list[dict[str, Any]]:
    found = _with_logprobs(ev)
    if not found:
        raise CheckFailed(f"the server sent no logprobs to print ({_sent(ev, ('logprobs', 'top_logprobs'))}); ask "
                          "for them with logprobs=True.")
    return _answer_entries(_logprob_entries(found[0]))


def test_logprobs_posts_chat(logprobs: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(logprobs)


def test_logprobs_sends_key(logprobs: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(logprobs)


def test_logprobs_sends_numbers(logprobs: Evidence) -> None:
    """sends each setting as a JSON number (or true/false), not as a string"""
    _sends_numbers(logprobs)


def test_logprobs_asks(logprobs: Evidence) -> None:
    """asks for logprobs: true together with top_logprobs from 1 to 20"""
    chats = _chats(logprobs)
    if any(r.status == 200 and _body(r).get("logprobs") is True and _between(_setting(r, "top_logprobs"), 1, 20)
           for r in chats):
        return
    request = chats[0]
    body = _body(request)
    if body.get("top_logprobs") is not None and body.get("logprobs") is not True:
        sent = f"logprobs={body['logprobs']!r}" if "logprobs" in body else "no logprobs"
        raise CheckFailed(f"your script sent top_logprobs={body['top_logprobs']!r} with {sent}, and the server "
                          f"answered {request.status}: {server_error(request)} Send logprobs=True as well.")
    raise CheckFailed(f"expected logprobs=True and top_logprobs=3 (any number from 1 to 20); your script sent: "
                      f"{_sent(logprobs, ('logprobs', 'top_logprobs'))}.")


def test_logprobs_prints_percentages(logprobs: Evidence) -> None:
    """prints exp(logprob), the probability, for each token of the answer"""
    answer = _first_logprobs(logprobs)
    # The lesson prints percentages; a fraction (0.8703) says the same, and this step does not ask for either form.
    if not _shows_in_order([_percent(e.get("logprob")) for e in answer], _probabilities(logprobs.output)):
        raise CheckFailed(f"expected each answer token's probability (a percentage or a fraction), in order: "
                          f"{_listed(answer)}; "
                          f"your script printed:\n{quote_output(logprobs.output)}\n{_percent_hint(logprobs).strip()}")


def test_logprobs_prints_alternatives(logprobs: Evidence) -> None:
    """prints the top alternatives for the answer's first token, with their probabilities"""
    answer = _first_logprobs(logprobs)
    alternatives = [a for a in (answer[0].get("top_logprobs") or []) if isinstance(a, dict)] if answer else []
    if not alternatives:
        raise CheckFailed("the server sent no alternatives for the answer's first token: ask for them with "
                          "top_logprobs=3.")
    if not _shows_in_order([_percent(a.get("logprob")) for a in alternatives], _probabilities(logprobs.output)):
        raise CheckFailed(f"expected the alternatives the server listed for {answer[0].get('token')!r}, with their "
                          f"probabilities: {_listed(alternatives)}; your script printed:\n"
                          f"{quote_output(logprobs.output)}\n"
                          "Loop over that token's top_logprobs and print math.exp(alternative.logprob) for each.")


# --- work/top_p.py (challenge 1) ------------------------------------------------------------------------------------

def test_top_p_posts_chat(top_p: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(top_p)


def test_top_p_sends_key(top_p: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(top_p)


def test_top_p_sends_numbers(top_p: Evidence) -> None:
    """sends each setting as a JSON number (or true/false), not as a string"""
    _sends_numbers(top_p)


def test_top_p_small(top_p: Evidence) -> None:
    """asks for several choices with a small top_p (above 0, at most 0.5)"""
    found = [r for r in _chats(top_p) if _n(r) >= 2 and _between(_setting(r, "top_p"), 1e-9, LOW_TOP_P)]
    if not found:
        raise CheckFailed(f"expected a request with n=3 and a small top_p such as 0.1; your script sent: "
                          f"{_sent(top_p, ('n', 'top_p', 'temperature'))}.")
    if not any(r.status == 200 for r in found):
        raise CheckFailed(f"the server refused your small-top_p request: {server_error(found[0])}")


def test_top_p_full(top_p: Evidence) -> None:
    """asks for the same several choices with top_p 1 (or unset), to compare"""
    found = [r for r in _chats(top_p) if _n(r) >= 2 and r.status == 200
             and (_setting(r, "top_p") is None or _setting(r, "top_p") == 1)]
    if not found:
        raise CheckFailed(f"expected a request with n=3 and top_p=1 (or no top_p) to compare with; your script sent: "
                          f"{_sent(top_p, ('n', 'top_p'))}.")


def test_top_p_same_messages(top_p: Evidence) -> None:
    """sends the same messages in every request, so only the setting differs"""
    _same_messages(top_p)


def test_top_p_prints_every_reply(top_p: Evidence) -> None:
    """prints every reply the server sent"""
    _prints_every_reply(top_p)


# --- work/penalty.py (challenge 2) ----------------------------------------------------------------------------------

def _penalty(request: LoggedRequest) -> float:
    return max(_setting(request, "frequency_penalty") or 0, _setting(request, "presence_penalty") or 0)


def test_penalty_posts_chat(penalty: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(penalty)


def test_penalty_sends_key(penalty: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(penalty)


def test_penalty_sends_numbers(penalty: Evidence) -> None:
    """sends each setting as a JSON number (or true/false), not as a string"""
    _sends_numbers(penalty)


def test_penalty_sends_penalty(penalty: Evidence) -> None:
    """sends a frequency_penalty or presence_penalty above 0 (at most 2)"""
    if not any(0 < _penalty(r) <= 2 and r.status == 200 for r in _chats(penalty)):
        raise CheckFailed(f"expected a request with frequency_penalty (or presence_penalty) between 0 and 2, such as "
                          f"1.0; your script sent: {_sent(penalty, ('frequency_penalty', 'presence_penalty'))}.")


def test_penalty_unpenalized_call(penalty: Evidence) -> None:
    """makes the same request without a penalty, to compare"""
    if not any(_penalty(r) == 0 and r.status == 200 for r in _chats(penalty)):
        raise CheckFailed(f"expected one request with no penalty (or 0) to compare with; your script sent: "
                          f"{_sent(penalty, ('frequency_penalty', 'presence_penalty'))}.")


def test_penalty_same_messages(penalty: Evidence) -> None:
    """sends the same messages in every request, so only the setting differs"""
    _same_messages(penalty)


def test_penalty_prints_every_reply(penalty: Evidence) -> None:
    """prints every reply the server sent"""
    _prints_every_reply(penalty)


# --- work/confidence.py (challenge 3) -------------------------------------------------------------------------------

def _confidences(ev: Evidence) -> list[tuple[LoggedRequest, float]]:
    """Each answered question with the probability of its answer's first token."""
    found = []
    for request in _with_logprobs(ev):
        answer = _answer_entries(_logprob_entries(request))
        if answer:
            found.append((request, math.exp(float(answer[0].get("logprob", 0)))))
    return found


def test_confidence_posts_chat(confidence: Evidence) -> None:
    """POSTs to OPENAI_BASE_URL + /chat/completions"""
    posts_chat(confidence)


def test_confidence_sends_key(confidence: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(confidence)


def test_confidence_sends_numbers(confidence: Evidence) -> None:
    """sends each setting as a JSON number (or true/false), not as a string"""
    _sends_numbers(confidence)


def test_confidence_asks_questions(confidence: Evidence) -> None:
    """asks two or more questions with logprobs: true"""
    questions = {last_user(r) for r, _ in _confidences(confidence)}
    if len(questions) < 2:
        raise CheckFailed(f"expected two or more different questions answered with logprobs; the server answered "
                          f"{len(questions)} ({_sent(confidence, ('logprobs',))}). Ask each question with "
                          "logprobs=True.")


def test_confidence_prints_percentages(confidence: Evidence) -> None:
    """prints each answer's first-token probability as a percentage"""
    found = _confidences(confidence)
    expected = [100 * p for _, p in found]
    if not found or not _shows_all(expected, _percentages(confidence.output)):
        shown = ", ".join(f"{p:.1f}%" for p in expected) or "none"
        raise CheckFailed(f"expected the probability of each answer's first token as a percentage: {shown}; "
                          f"your script printed:\n{quote_output(confidence.output)}\n"
                          f"{_percent_hint(confidence).strip()}")


def test_confidence_prints_sure_answers(confidence: Evidence) -> None:
    """prints the answers the model was at least 75% sure of"""
    sure = [(r, p) for r, p in _confidences(confidence) if p >= CONFIDENT]
    if not sure:
        raise CheckFailed(f"no answer reached {CONFIDENT:.0%}, so nothing could be printed; add a question with a "
                          "clear answer, such as \"Is the Pacific the largest ocean? Answer yes or no.\"")
    for request, p in sure:
        reply = (request.replies() or [""])[0]
        if not _printed(reply, confidence.output):
            raise CheckFailed(f"expected the answer to {quote(last_user(request), 60)!r}, {quote(reply, 80)!r}, "
                              f"which the model was {p:.1%} sure of; your script printed:\n"
                              f"{quote_output(confidence.output)}")


def test_confidence_holds_back_unsure(confidence: Evidence) -> None:
    """holds back the answers the model was less than 75% sure of"""
    unsure = [(r, p) for r, p in _confidences(confidence) if p < CONFIDENT]
    if not unsure:
        raise CheckFailed(f"every answer was at least {CONFIDENT:.0%} sure, so the gate was never tested; add a "
                          "question the model is unsure of, such as \"Is a hot dog a sandwich? Answer yes or no.\"")
    for request, p in unsure:
        reply = (request.replies() or [""])[0]
        if reply.strip() and _printed(reply, confidence.output):
            raise CheckFailed(f"the model was only {p:.1%} sure of its answer to {quote(last_user(request), 60)!r}, "
                              f"but your script printed that answer, {quote(reply, 80)!r}. Below {CONFIDENT:.0%}, "
                              "print that it is not sure instead of the answer.")


# --- every file: the model id comes from MODEL --------------------------------------------------------------------

temperature_other_model = SECTION.other_model("temperature.py")
stop_other_model = SECTION.other_model("stop.py")
seed_other_model = SECTION.other_model("seed.py")
logprobs_other_model = SECTION.other_model("logprobs.py")
top_p_other_model = SECTION.other_model("top_p.py")
penalty_other_model = SECTION.other_model("penalty.py")
confidence_other_model = SECTION.other_model("confidence.py")


def test_temperature_model_from_env(temperature_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(temperature_other_model)


def test_stop_model_from_env(stop_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(stop_other_model)


def test_seed_model_from_env(seed_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(seed_other_model)


def test_logprobs_model_from_env(logprobs_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(logprobs_other_model)


def test_top_p_model_from_env(top_p_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(top_p_other_model)


def test_penalty_model_from_env(penalty_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(penalty_other_model)


def test_confidence_model_from_env(confidence_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(confidence_other_model)


# --- variant runs: against a differently configured server, printed values must follow this run's response ----------

temperature_variant = SECTION.variant("temperature.py")
stop_variant = SECTION.variant("stop.py")
logprobs_variant = SECTION.variant("logprobs.py")


def test_temperature_prints_every_reply_variant(temperature_variant: Evidence) -> None:
    """prints every reply the server sent"""
    test_temperature_prints_every_reply(temperature_variant)


def test_stop_prints_every_reply_variant(stop_variant: Evidence) -> None:
    """prints every reply the server sent"""
    test_stop_prints_every_reply(stop_variant)


def test_logprobs_prints_percentages_variant(logprobs_variant: Evidence) -> None:
    """prints exp(logprob), the probability, for each token of the answer"""
    test_logprobs_prints_percentages(logprobs_variant)


def test_logprobs_prints_alternatives_variant(logprobs_variant: Evidence) -> None:
    """prints the top alternatives for the answer's first token, with their probabilities"""
    test_logprobs_prints_alternatives(logprobs_variant)
