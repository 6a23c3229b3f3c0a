"""Checks that many sections share: plain functions a suite's tests call on a run's evidence."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone

from ..endpoint import config
from ..endpoint.session import LoggedRequest
from .model import CheckFailed, Evidence
from .quote import quote, quote_output

CHAT = "POST /v1/chat/completions"
MODELS = "GET /v1/models"
OTHER_MODEL = "gpt-oss-course-other"  # what a scenario sets MODEL to, to catch a hard-coded id


def squash(text: str) -> str:
    return " ".join(text.split())


def user_agent(request: LoggedRequest) -> str:
    return request.headers.get("user-agent", "")


def by_sdk(request: LoggedRequest) -> bool:
    """The openai SDK marks every request with X-Stainless-* headers, whatever User-Agent a script sets."""
    return any(name.lower().startswith("x-stainless-") for name in request.headers)


def by_hand(request: LoggedRequest) -> bool:
    """A call written by hand (requests, a requests.Session, httpx, urllib): one without the SDK's marks."""
    return not by_sdk(request)


def sent_with_requests(ev: Evidence, route: str = CHAT) -> None:
    request = ev.one(route, "a request")
    if by_sdk(request):
        agent = user_agent(request)
        named = f" (calling itself {agent!r})" if agent and not agent.startswith("OpenAI/") else ""
        raise CheckFailed(f"expected the request to be made with the requests library; it came from the openai "
                          f"SDK{named}, which marks its requests with X-Stainless-* headers. This step is about "
                          "writing the HTTP call by hand.")


def sent_with_sdk(ev: Evidence, route: str = CHAT) -> None:
    request = ev.one(route, "a request")
    if not by_sdk(request):
        raise CheckFailed(f"expected the request to come from the openai SDK; it was written by hand (User-Agent "
                          f"{user_agent(request)!r}, and none of the X-Stainless-* headers the SDK always sends). "
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
    """For a scenario that sets MODEL to OTHER_MODEL: no request names the served model. (A script may stop early,
    finding no such model in GET /v1/models or in its price table, or send a made-up one on purpose for a 404.)"""
    asking = [r for r in ev.requests if isinstance(r.body, dict) and r.body.get("model")]
    named = [r for r in asking if r.body["model"] == config.SERVED_MODEL]
    if not named and not any(r.body["model"] == OTHER_MODEL for r in asking):
        named = [r for r in asking if r.route == CHAT]  # a model typed in, even one the server lacks
    if named:
        raise CheckFailed(f"with MODEL={OTHER_MODEL} in the environment, your script still asked for model "
                          f"{named[0].body['model']!r} ({named[0].method} {named[0].path}). Read the model id with "
                          "os.environ['MODEL'] in every file, so the same script runs against any server.")


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


def stops_at_end_of_input(ev: Evidence, when: str = "the input ends") -> None:
    """The script left its input loop and exited with code 0 once its standard input ran out."""
    if ev.run.exit_code != 0:
        hint = (" input() raises EOFError at the end of the input: catch it and break."
                if "EOFError" in ev.run.stderr else "")
        raise CheckFailed(f"when {when}, the script should leave the loop and exit normally; "
                          f"{ev.why_nothing()}.{hint}")


def system_then_user(ev: Evidence) -> None:
    request = ev.one(CHAT, "a chat request")
    roles = request.roles()
    if len(roles) < 2 or roles[0] != "system" or roles[-1] != "user":
        raise CheckFailed(f"expected messages to start with a system message and end with a user message; "
                          f"your script sent roles {roles}.")


DUMPED = re.compile(r"""(?:["']content["']: ?|\(content=)["']$""")  # a reply inside a printed response or message
RAW_EVENT = re.compile(r"^\s*(?:b')?data: ?\{\"", re.MULTILINE)  # a server-sent event line, printed as it came
CUT_FLAG = re.compile(r"length|cut|truncat|incomplete|unfinished|ran out|max_tokens|budget|limit|…|\.\.\.",
                      re.IGNORECASE)  # a word that tells the reader a reply is not whole


def _forms(text: str) -> list[str]:
    """A text as print() shows it, and escaped inside a printed list, dict or JSON."""
    return list(dict.fromkeys(squash(form) for form in (text, repr(text)[1:-1], json.dumps(text)[1:-1],
                                                        json.dumps(text, ensure_ascii=False)[1:-1])))


def text_spots(output: str, text: str) -> tuple[list[int], list[int]]:
    """Where `text` shows in the squashed output, in any of its forms: as printed text, and only inside a printed
    response or message (its "content" field in JSON, a dict or an SDK object's repr)."""
    printed, found = squash(output), set()
    for form in _forms(text):
        at = printed.find(form)
        while form and at != -1:
            found.add(at)
            at = printed.find(form, at + len(form))
    dumped = [at for at in sorted(found) if DUMPED.search(printed[max(0, at - 14):at])]
    return [at for at in sorted(found) if at not in dumped], dumped


def finish_reasons(request: LoggedRequest) -> list[object]:
    """The finish_reason of every choice the endpoint sent back, streamed or not."""
    events = request.response if isinstance(request.response, list) else [request.response]
    reasons: dict[object, object] = {}
    for event in events:
        for choice in (event.get("choices") or []) if isinstance(event, dict) else []:
            if isinstance(choice, dict) and (choice.get("finish_reason") or choice.get("index") not in reasons):
                reasons[choice.get("index")] = choice.get("finish_reason")
    return list(reasons.values())


def _other_server(requests: list[LoggedRequest]) -> str:
    """A note for a run against a differently configured server, where only text read from the response matches."""
    bodies = [body for r in requests for body in (r.response if isinstance(r.response, list) else [r.response])]
    served = {body.get("model") for body in bodies if isinstance(body, dict)}
    if served - {None, config.SERVED_MODEL, OTHER_MODEL}:
        return ("\nIn this run the server is configured differently from the lesson's and words its replies its own "
                "way: print the reply read from this run's response, not text copied from the lesson or a run.")
    return ""


def replies_printed_once(ev: Evidence, requests: list[LoggedRequest] | None = None, *, flag_cut: bool = False,
                         hint: str = "") -> None:
    """Each reply to `requests` (by default the last chat request) is printed as text, once per call that got it:
    not only inside a printed response object, not as raw stream events, not with None glued to it; with
    `flag_cut`, a reply cut off by max_tokens is printed together with a word that says so."""
    requests = ev.chats()[-1:] if requests is None else requests
    if not requests:
        ev.one(CHAT, "a chat request")
    answered = [r for r in requests if r.status == 200]
    if not answered:
        raise CheckFailed(f"the server answered {requests[-1].status}, so there was no reply to print: "
                          f"{quote(str(requests[-1].response), 200)}")
    shown = printed_with_error(ev)
    if any(isinstance(r.response, list) for r in answered) and RAW_EVENT.search(ev.output):
        raise CheckFailed(f"expected the text of the reply; your script printed the raw stream lines (data: {{...}}), "
                          f"reasoning and all:\n{shown}\nParse each line with json.loads and print only "
                          "choices[0].delta.content.")
    replies = [reply for request in answered for reply in request.replies()]
    glued = next((r for r in replies if r.strip() and ("None" + r.strip()[:12] in ev.output
                                                        or r.strip()[-12:] + "None" in ev.output)), None)
    if glued is not None or "NoneNone" in ev.output:
        raise CheckFailed(f"expected the reply alone; your output has None printed next to it:\n{shown}\nThe chunks "
                          "and fields without text hold None: print a piece only when it is not None.")
    if any(not r.strip() for r in replies) and re.search(r"(?m)^\s*None\s*$", ev.output):
        raise CheckFailed(f"the server sent no answer text (content was null) and your script printed None as if it "
                          f"were the answer:\n{shown}\nCheck for None and say that there is no answer.")
    for reply, count in Counter(squash(r) for r in replies if r.strip()).items():
        plain, dumped = text_spots(ev.output, reply)
        if len(plain) >= count:
            continue
        if dumped:
            raise CheckFailed(f"expected the reply as text, {quote(reply, 100)!r}; your script printed it only inside "
                              f"the whole response (the JSON or the SDK object):\n{shown}\nPrint the content "
                              "alone: data['choices'][0]['message']['content'] or "
                              "response.choices[0].message.content.")
        if plain:
            raise CheckFailed(f"expected the reply {quote(reply, 100)!r} once for each of the {count} calls or "
                              f"choices that got it; your output shows it {len(plain)} time(s):\n{shown}\n"
                              f"{hint or 'Print the reply of every call.'}")
        raise CheckFailed(f"expected the reply the server sent, {quote(reply, 120)!r}, in your output; your script "
                          f"printed:\n{shown}{chr(10) + hint if hint else ''}{_other_server(answered)}")
    if flag_cut and "length" in [x for r in answered for x in finish_reasons(r)] and not CUT_FLAG.search(ev.output):
        raise CheckFailed(f"the reply was cut off by max_tokens (finish_reason \"length\"), and your script printed it "
                          f"as if it were complete:\n{shown}\nCheck finish_reason and say that the answer is cut "
                          "off.")


def printed_integers(ev: Evidence) -> list[int]:
    """Whole numbers in the output; a number ending a sentence ("113.") counts, a decimal does not."""
    return [int(n) for n in re.findall(r"(?<![\w.])\d+(?!\w|\.\d)", ev.output)]


# a number, never a piece of a date, a time of day, a version or a name
NUMBER = re.compile(r"(?<![\w.])(?<!\d[-/:])(\d{1,3}(?:[,\u202f\u00a0_]\d{3})+|\d+)(\.\d+)?(?:[eE]([-+]?\d+))?"
                    r"(ms|s|secs?|seconds)?(?!\w|[-/:.]\d)")
UNITS = {"%": "%", "percent": "%", "¢": "¢", "cent": "¢", "cents": "¢", "$": "$", "usd": "$", "dollars": "$",
         "ms": "ms", "millisecond": "ms", "milliseconds": "ms", "s": "s", "sec": "s", "secs": "s", "second": "s",
         "seconds": "s", "token": "tokens", "tokens": "tokens", "µ$": "µ$", "micro": "µ$", "microdollars": "µ$"}
NEAR_BEFORE, NEAR_AFTER = slice(-4, None), slice(4)  # a label is a few words, not the sentence around a number
SEPARATORS = re.compile(r"[,;|/]|\.\s")  # a label never reaches across one, nor across a sentence's end
HANDS_ON = re.compile(r"(?<![:=])[:=]$")  # "words: 5 total:" hands its words on; a banner's "===" does not
LABELS_ITS_TEXT = re.compile(r"\w[:=]\s*\S")  # "Output items: reasoning, message" is a value line, not a header
PER_UNIT = re.compile(r"\s?/\s?(1?[A-Za-z]+(?: [A-Za-z]+)?)")  # a unit after a slash: "/token", "/1M tokens"


@dataclass(frozen=True)
class Labelled:
    """One number a script printed, with the words labelling it and its unit."""

    words: frozenset[str]  # lower-case words next to it: "prompt_tokens: 77" gives {"prompt", "tokens"}
    value: float
    step: float  # the place of its last digit, how far rounding may have moved it: "0.0012" gives 0.0001
    unit: str  # "", "$", "¢", "µ$", "%", "s", "ms" or "tokens"
    at: int  # where it starts in the output


def _words(text: str, keep: slice = slice(None)) -> set[str]:
    """The lower-case words of a text ("prompt_tokens" is two), those at `keep` of them."""
    return {w.lower() for w in re.findall(r"[A-Za-z]+", text)[keep]}


def _unit(before: str, after: str) -> str:
    head = re.match(r"\s?(%|¢|µ\$|[A-Za-z]+)", after)
    if head and head.group(1).lower() in UNITS:
        return UNITS[head.group(1).lower()]
    return "$" if before.rstrip().endswith("$") else ""


def _cells(line: str) -> list[list[tuple[int, str]]]:
    """A line cut into table cells (start, text), by wide gaps or separators, and by single spaces."""
    found = []
    for pattern in (r"[^,;|/\t ]+(?: [^,;|/\t ]+)*", r"[^\s,;|/]+"):
        found.append([(m.start(), m.group()) for m in re.finditer(pattern, line)])
    return found


def _column_words(header: str, line: str, at: int) -> set[str]:
    """The words of the header cell above the row cell holding position `at`, when the two lines have as many
    cells (a table printed with a header line)."""
    for head, row in zip(_cells(header), _cells(line), strict=True):
        if len(head) == len(row) > 1:
            for (_, name), (start, text) in zip(head, row, strict=True):
                if start <= at < start + len(text):
                    return _words(name)
    return set()


def labelled_numbers(output: str) -> list[Labelled]:
    """Every number printed, read with its label and unit: "prompt_tokens: 77", "77 prompt tokens", "$0.0012",
    "1.2 s", "340 ms", "1,234"; a number in a table row also takes its column's name from the header line."""
    found: list[Labelled] = []
    offset, header = 0, ""
    for line in output.splitlines(keepends=True):
        matches = list(NUMBER.finditer(line))
        for i, match in enumerate(matches):
            before = line[matches[i - 1].end() if i else 0:match.start()]
            after = line[match.end():matches[i + 1].start() if i + 1 < len(matches) else len(line)]
            before_cut, after_cut = SEPARATORS.split(before)[-1], SEPARATORS.split(after)[0]
            words = _words(before_cut, NEAR_BEFORE) | (_column_words(header, line, match.start()) if header else set())
            if not HANDS_ON.search(after_cut.rstrip()):  # else it labels the next number
                words |= _words(after_cut, NEAR_AFTER)
            per = PER_UNIT.match(after)  # "$0.25/1M tokens", "2.5e-07/token": the slash reads as "per"
            if per:
                words |= {"per"} | _words(per.group(1))
            whole, decimals, exponent = match.group(1), match.group(2) or "", match.group(3)
            scale = 10.0 ** int(exponent) if exponent else 1.0
            value = float(re.sub(r"[,\u202f\u00a0_]", "", whole) + decimals) * scale
            unit = UNITS[match.group(4)] if match.group(4) else _unit(before, after)
            found.append(Labelled(frozenset(words), value, 10.0 ** -max(len(decimals) - 1, 0) * scale
                                  if decimals else scale, unit, offset + match.start()))
        if not matches and line.strip():
            header = "" if LABELS_ITS_TEXT.search(line) else line
        offset += len(line)
    return found


def _reads_as(number: Labelled, label: str, expected: float, units: dict[str, float], avoid: str) -> bool:
    if number.unit not in units or set(avoid.split()) & number.words:
        return False
    if not any(set(alternative.split()) <= number.words for alternative in label.split("|")):
        return False
    value, step = number.value * units[number.unit], number.step * units[number.unit]
    return abs(value - expected) <= step * 0.5000001 + 1e-12 and step <= max(abs(expected) / 10, 1)


def find_values(ev: Evidence, label: str, expected: list[float], *, units: dict[str, float] | None = None,
                avoid: str = "") -> bool:
    """Whether the output shows each of `expected`, in that order, as a number labelled by one of `label`'s
    alternatives ("prompt|input": all of an alternative's words next to it) and by none of `avoid`'s words, in one
    of `units` (unit: its size in the expected unit; by default plain numbers and tokens), equal to the expected
    value to the digits it shows, and showing at least two of them."""
    units = {"": 1.0, "tokens": 1.0} if units is None else units
    numbers, position = labelled_numbers(ev.output), 0
    for value in expected:
        position = next((i + 1 for i in range(position, len(numbers))
                         if _reads_as(numbers[i], label, value, units, avoid)), -1)
        if position < 0:
            return False
    return True


def find_value(ev: Evidence, label: str, expected: float, *, units: dict[str, float] | None = None,
               avoid: str = "") -> bool:
    """Whether the output shows `expected` labelled by `label` (see find_values)."""
    return find_values(ev, label, [expected], units=units, avoid=avoid)


USAGE_LABELS = {"prompt_tokens": "prompt|input|in", "completion_tokens": "completion|output|out",
                "total_tokens": "total|all|sum|overall"}


def prints_usage(ev: Evidence, usage: dict[str, object]) -> None:
    """Each of usage's three counts is printed next to its name (prompt/input, completion/output, total)."""
    wanted = {name: usage.get(name) for name in USAGE_LABELS}
    missing = [name for name, value in wanted.items()
               if not isinstance(value, int) or not find_value(ev, USAGE_LABELS[name], value)]
    if missing:
        shown = ", ".join(f"{name}: {value}" for name, value in wanted.items())
        raise CheckFailed(f"expected the usage counts the server sent, each next to its name ({shown}); "
                          f"{' and '.join(f'{name} = {wanted[name]}' for name in missing)} did not appear with its "
                          f"label. Your script printed:\n{printed_with_error(ev)}\nPrint each count from usage with "
                          "its name, such as print('prompt_tokens:', usage.prompt_tokens).")


MOMENTS = [  # (pattern, strptime format or None for ISO 8601); a zone when printed, else UTC or the machine's own
    (re.compile(r"\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"), None),
    (re.compile(r"\b(?:[A-Z][a-z]{2}, )?\d{1,2} [A-Z][a-z]{2} \d{4},? \d{2}:\d{2}:\d{2}(?: [+-]\d{4})?"),
     "%d %b %Y %H:%M:%S"),
    (re.compile(r"\b[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}"), "%a %b %d %H:%M:%S %Y"),
]


def printed_moments(output: str) -> list[float]:
    """Every date and time of day printed, as Unix times: ISO 8601 (with or without a zone), HTTP and e-mail dates,
    ctime(); a time printed without a zone counts both as UTC and as the machine's local time."""
    found: list[float] = []
    for pattern, form in MOMENTS:
        for match in pattern.finditer(output):
            text = re.sub(r"^[A-Z][a-z]{2}, |,", "", match.group()) if form == "%d %b %Y %H:%M:%S" else match.group()
            zone = re.search(r" ([+-]\d{4})$", text) if form else None
            try:
                moment = (datetime.fromisoformat(text.replace("Z", "+00:00")) if form is None else
                          datetime.strptime(text[:zone.start()] if zone else text, form))
            except ValueError:
                continue
            if zone:
                moment = moment.replace(tzinfo=datetime.strptime(zone.group(1), "%z").tzinfo)
            found += [moment.timestamp()] if moment.tzinfo else [moment.replace(tzinfo=timezone.utc).timestamp(),
                                                                  moment.timestamp()]
    return found


def in_order(needles: list[int], haystack: list[int]) -> bool:
    position = 0
    for needle in needles:
        try:
            position = haystack.index(needle, position) + 1
        except ValueError:
            return False
    return True


def all_among(needles: list[int], haystack: list[int]) -> bool:
    """Whether every needle is in the haystack, each one matched to its own occurrence, in any order (a table
    sorted another way, or answers printed as a thread pool finishes them)."""
    return not Counter(needles) - Counter(haystack)


def budget_of(request: LoggedRequest) -> object:
    body = request.body if isinstance(request.body, dict) else {}
    return body.get("max_completion_tokens", body.get("max_tokens"))


def printed_with_error(ev: Evidence) -> str:
    """What the script printed, quoted, and the error it stopped with when it crashed part-way."""
    last = ev.last_error()
    crashed = f"\n(then it stopped with an error: {quote(last, 160)})" if last else ""
    return quote_output(ev.output) + crashed


def server_error(request: LoggedRequest) -> str:
    """What the server said when it refused a request, quoted."""
    response = request.response
    if isinstance(response, dict) and isinstance(response.get("error"), dict):
        return quote(str(response["error"].get("message")), 200)
    return quote(str(response), 200)


def last_user(request: LoggedRequest) -> str:
    """The content of the last user message a request sent, as text, or ''."""
    users = [m for m in request.messages() if m.get("role") == "user"]
    return str(users[-1].get("content", "")) if users else ""
