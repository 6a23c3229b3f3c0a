"""Section 09 · Structured Output: JSON asked for nicely, JSON mode, a strict schema, parse(), and guarding the result.

The recording keys each reply on the review it classifies and on the request's response_format; the request log is
the evidence for the mode a script asked for (and for parse(), whose X-Stainless-Helper-Method header and generated
schema show on the wire). Printed fields are compared with the object this run's server sent, read from its reply.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from grader.checks import CheckFailed, Evidence, quote
from grader.checks.common import (
    finish_reasons,
    find_value,
    printed_with_error,
    sends_key,
    sends_model_from_env,
    sent_with_requests,
    sent_with_sdk,
    server_error,
    squash,
)
from grader.endpoint.session import LoggedRequest
from grader.suite import Section

SECTION = Section("09")

SENTIMENTS = ("positive", "negative", "mixed")
FIELDS = ("sentiment", "confidence", "keywords")
PARSE_HELPER = "chat.completions.parse"  # the X-Stainless-Helper-Method header parse() sends
NOT_PARSED = re.compile(r"not (?:valid )?json|invalid|could ?n[o']t|cannot|can't|failed|error|expecting|decode|"
                        r"unparseable|not parse", re.IGNORECASE)  # a report that a reply did not parse
REJECTED = re.compile(r"invalid|reject|not (?:allowed|valid|one of|in)|must|should|out of range|error|fail|bad|"
                      r"expected|refus|discard|ignor|skip|wrong|unknown|too (?:high|large|big)|above|exceed",
                      re.IGNORECASE)  # a report that an answer broke the rules
AS_SHARE = {"": 1.0, "%": 0.01}  # a confidence printed as 0.82 or as 82 %
CUT_SAID = re.compile(r"cut|truncat|incomplete|unfinished|ran out|max_tokens|length|too long|budget|limit",
                      re.IGNORECASE)  # a report that an answer stopped early (an ellipsis is not one here)

review_json = SECTION.file("review_json.py", reference="examples/09/review_json.py",
                           summary="JSON by hand: asked nicely, then a strict schema", see="Ask for JSON by hand")
json_mode = SECTION.file("json_mode.py", reference="examples/09/json_mode.py", summary="JSON mode through the SDK",
                         see="JSON mode")
extract = SECTION.file("extract.py", reference="examples/09/extract.py",
                       summary="a Pydantic model with client.chat.completions.parse()", see="Pydantic and parse()")
robust_parse = SECTION.file("robust_parse.py", reference="examples/09/robust_parse.py",
                            summary="cut-off and invalid answers reported, not used", see="Trust nothing")
retry_invalid = SECTION.file("retry_invalid.py", reference="examples/09/retry_invalid.py",
                             summary="challenge 1: send an invalid answer back with the error", see="Challenges",
                             challenge=True)
receipt = SECTION.file("receipt.py", reference="examples/09/receipt.py",
                       summary="challenge 2: every item of a receipt, through a nested schema", see="Challenges",
                       challenge=True)


# --- reading the request log -------------------------------------------------------------------------------------

def _format(request: LoggedRequest) -> dict[str, Any]:
    body = request.body if isinstance(request.body, dict) else {}
    fmt = body.get("response_format")
    return fmt if isinstance(fmt, dict) else {}


def _kind(request: LoggedRequest) -> str:
    return str(_format(request).get("type", "none"))


def _answered(ev: Evidence, *names: str) -> list[LoggedRequest]:
    return [r for r in ev.chats() if r.interaction in names and r.status == 200]


def _need(ev: Evidence, names: tuple[str, ...], what: str) -> list[LoggedRequest]:
    found = _answered(ev, *names)
    if not found:
        sent = ", ".join(sorted({f"{_kind(r)} ({r.status}{': ' + server_error(r) if r.status >= 400 else ''})"
                                 for r in ev.chats()})) or "no chat request"
        raise CheckFailed(f"expected {what}; your script sent: {sent}. {ev.why_nothing() if not ev.chats() else ''}"
                          .rstrip())
    return found


def _object(request: LoggedRequest) -> dict[str, Any]:
    """The JSON object the server sent as this request's reply."""
    replies = request.replies()
    try:
        found = json.loads(replies[0]) if replies else None
    except ValueError:
        found = None
    if not isinstance(found, dict):
        raise CheckFailed(f"the server's reply to your request was not a whole JSON object: "
                          f"{quote(replies[0] if replies else '', 120)!r}.")
    return found


def _crashed(ev: Evidence) -> str:
    return ev.last_error() if ev.run.crashed else ""


def _prints_fields(ev: Evidence, interaction: str, what: str, how: str) -> None:
    """The sentiment, confidence (labelled) and every keyword of the object answering `interaction` (the request
    described as `what`) appear in the output."""
    found = _object(_need(ev, (interaction,), what)[-1])
    printed = squash(ev.output).lower()
    missing = []
    if str(found.get("sentiment")).lower() not in printed:
        missing.append(f"sentiment {found.get('sentiment')!r}")
    confidence = found.get("confidence")
    if isinstance(confidence, (int, float)) and not find_value(ev, "confidence", confidence, units=AS_SHARE):
        missing.append(f"confidence {confidence} (next to the word confidence)")
    missing += [f"keyword {k!r}" for k in found.get("keywords", []) if squash(str(k)).lower() not in printed]
    if missing:
        raise CheckFailed(f"expected the fields of the object this server sent, {quote(json.dumps(found), 160)}, in "
                          f"your output; {', '.join(missing)} did not appear. Your script printed:\n"
                          f"{printed_with_error(ev)}\n{how}")


# --- work/review_json.py -----------------------------------------------------------------------------------------

def _strict_schema_requests(ev: Evidence) -> list[LoggedRequest]:
    return [r for r in ev.chats() if _kind(r) == "json_schema"]


def test_review_json_uses_requests(review_json: Evidence) -> None:
    """sends its requests with the requests library"""
    sent_with_requests(review_json)


def test_review_json_sends_key(review_json: Evidence) -> None:
    """sends the key from OPENAI_API_KEY as a Bearer token"""
    sends_key(review_json)


def test_review_json_reports_not_json(review_json: Evidence) -> None:
    """reports a reply that is not pure JSON instead of crashing on it"""
    asked = _need(review_json, ("review-ask-nicely",), "a first request for the review with JSON asked for in the "
                                                      "prompt only (no response_format)")
    crash = _crashed(review_json)
    if crash:
        raise CheckFailed(f"the reply to your first request had a sentence and a code fence around the JSON, and your "
                          f"script stopped with {quote(crash, 200)}. Put json.loads inside try/except "
                          "json.JSONDecodeError and print that the reply was not JSON.")
    told = review_json.output.replace(asked[0].replies()[0], "")  # the reply itself does not count as the report
    if not NOT_PARSED.search(told):
        raise CheckFailed(f"the first reply was not pure JSON (it came with a sentence and a code fence), and your "
                          f"output does not say so after printing it:\n{printed_with_error(review_json)}\nCatch "
                          "json.JSONDecodeError and print a line such as 'Not JSON: ...'.")


def test_review_json_strict_schema(review_json: Evidence) -> None:
    """sends a json_schema response_format with the lesson's schema and strict: true"""
    sent = _strict_schema_requests(review_json)
    if not sent:
        kinds = sorted({_kind(r) for r in review_json.chats()}) or ["no chat request"]
        raise CheckFailed(f"expected a request with response_format {{'type': 'json_schema', ...}}; your script's "
                          f"requests had response_format {kinds}.")
    spec = _format(sent[-1]).get("json_schema") or {}
    schema = spec.get("schema") if isinstance(spec, dict) else None
    if not isinstance(spec, dict) or spec.get("strict") is not True:
        raise CheckFailed(f"expected \"strict\": true in json_schema; your script sent "
                          f"{quote(json.dumps(spec), 160)}. A server that honours strict then follows the schema "
                          "exactly.")
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(properties, dict) or not set(FIELDS) <= set(properties) or \
            not set(FIELDS) <= set(schema.get("required") or []):
        raise CheckFailed(f"expected a schema whose properties sentiment, confidence and keywords are all required; "
                          f"your script sent {quote(json.dumps(schema), 200)}.")
    enum = (properties.get("sentiment") or {}).get("enum")
    if not isinstance(enum, list) or set(enum) != set(SENTIMENTS):
        raise CheckFailed(f"expected sentiment limited by \"enum\": {list(SENTIMENTS)}; your schema has "
                          f"{quote(json.dumps(properties.get('sentiment')), 120)}.")


def test_review_json_prints_fields(review_json: Evidence) -> None:
    """prints the sentiment, confidence and keywords of the schema's answer"""
    _prints_fields(review_json, "review-strict-schema", "a request for the review with a json_schema response_format",
                   "Parse the content with json.loads and print review['sentiment'], review['confidence'] and the "
                   "keywords.")


# --- work/json_mode.py -------------------------------------------------------------------------------------------

def test_json_mode_uses_sdk(json_mode: Evidence) -> None:
    """sends its request through the openai SDK"""
    sent_with_sdk(json_mode)


def test_json_mode_asks_json_object(json_mode: Evidence) -> None:
    """asks for JSON mode: response_format {"type": "json_object"}"""
    kinds = [_kind(r) for r in json_mode.chats()]
    if "json_object" not in kinds:
        raise CheckFailed(f"expected response_format={{'type': 'json_object'}} (JSON mode); your script's requests "
                          f"had {kinds or 'no chat request'}.")


def _calls(source: str, names: set[str]) -> list[str]:
    """The calls in a script to any of these built-ins (eval, exec), by name."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [node.func.id for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names]


def test_json_mode_no_eval(json_mode: Evidence) -> None:
    """parses the reply with json.loads, never eval() or exec()"""
    found = _calls(json_mode.source, {"eval", "exec"})
    if found:
        raise CheckFailed(f"your script calls {found[0]}(). The model's reply is input from outside your program: "
                          f"{found[0]}() would run whatever code it contains, and JSON's true, false and null are not "
                          "Python anyway. Parse it with json.loads.")


def test_json_mode_names_keys(json_mode: Evidence) -> None:
    """names the three keys, sentiment, confidence and keywords, in its prompt"""
    asked = " ".join(str(m.get("content", "")) for r in json_mode.chats() for m in r.messages()).lower()
    missing = [field for field in FIELDS if field not in asked]
    if json_mode.chats() and missing:
        raise CheckFailed(f"expected a prompt that names the keys sentiment, confidence and keywords and says what goes "
                          f"in each; your messages never name {' or '.join(missing)}. JSON mode guarantees an object, "
                          "not its keys: only the prompt asks for them.")


def test_json_mode_one_per_line(json_mode: Evidence) -> None:
    """prints each key with its value on a line of its own"""
    found = _object(_need(json_mode, ("review-json-mode",), "a request for the review in JSON mode")[-1])
    lines = [line.lower() for line in json_mode.output.splitlines()]
    alone = {field: [line for line in lines if re.search(rf"\b{field}\b", line)
                     and not any(re.search(rf"\b{other}\b", line) for other in FIELDS if other != field)]
             for field in FIELDS}
    wanted = {"sentiment": str(found.get("sentiment")).lower(), "confidence": "", "keywords": ""}
    missing = [field for field in FIELDS if not any(wanted[field] in line for line in alone[field])]
    if missing:
        raise CheckFailed(f"expected each key on a line of its own with its value (sentiment, confidence and keywords, "
                          f"one per line); {', '.join(missing)} had no line of its own. Your script "
                          f"printed:\n{printed_with_error(json_mode)}\nLoop over review.items() and print each key "
                          "with its value.")


def test_json_mode_prints_fields(json_mode: Evidence) -> None:
    """prints the sentiment, confidence and keywords the server sent"""
    _prints_fields(json_mode, "review-json-mode", "a request for the review in JSON mode",
                   "Parse response.choices[0].message.content with json.loads and print each key with its value.")


# --- work/extract.py ---------------------------------------------------------------------------------------------

def test_extract_uses_parse(extract: Evidence) -> None:
    """calls client.chat.completions.parse()"""
    request = extract.one("POST /v1/chat/completions", "a chat request")
    helper = request.headers.get("x-stainless-helper-method")
    if helper != PARSE_HELPER:
        how = "the openai SDK's create()" if "x-stainless-lang" in request.headers else "a request written by hand"
        raise CheckFailed(f"expected the request to come from client.chat.completions.parse(response_format=Review), "
                          f"which marks it with X-Stainless-Helper-Method: {PARSE_HELPER}; it came from {how}.")


def test_extract_sends_generated_schema(extract: Evidence) -> None:
    """sends the strict schema parse() makes from the model: every field required, no others allowed"""
    request = extract.one("POST /v1/chat/completions", "a chat request")
    spec = _format(request).get("json_schema")
    schema = spec.get("schema") if isinstance(spec, dict) else None
    if not isinstance(schema, dict) or spec.get("strict") is not True:
        raise CheckFailed(f"expected response_format json_schema with strict: true (what parse() sends for a "
                          f"Pydantic model); your script sent {quote(json.dumps(_format(request)), 160)}.")
    properties = schema.get("properties") or {}
    if not set(FIELDS) <= set(properties) or schema.get("additionalProperties") is not False:
        raise CheckFailed(f"expected a schema with sentiment, confidence and keywords and additionalProperties false; "
                          f"your script sent {quote(json.dumps(schema), 200)}. Give the model class those three "
                          "fields.")


def test_extract_prints_fields(extract: Evidence) -> None:
    """prints the sentiment, confidence and keywords of message.parsed"""
    _prints_fields(extract, "review-strict-schema", "a request for the review with the schema parse() sends",
                   "Print review.sentiment, review.confidence and review.keywords from "
                   "completion.choices[0].message.parsed.")


# --- work/robust_parse.py ----------------------------------------------------------------------------------------

LATE = ("late-review-off-enum", "late-review-schema-percent")


def test_robust_parse_reports_cut(robust_parse: Evidence) -> None:
    """reports the kettle's cut-off answer instead of crashing on it"""
    asked = [r for r in robust_parse.chats() if r.interaction == "kettle-review"]
    if not asked:
        raise CheckFailed("expected a request classifying the kettle review (its text contains 'the lid sticks'); "
                          "your script sent none.")
    cut = [r for r in asked if "length" in finish_reasons(r)]
    if not cut:
        budgets = [r.body.get("max_tokens", r.body.get("max_completion_tokens")) for r in asked]
        raise CheckFailed(f"the kettle's answer was not cut off: your script sent it with max_tokens {budgets}. Use "
                          "max_tokens=100, which ends the answer in the middle of its JSON object.")
    crash = _crashed(robust_parse) if robust_parse.chats()[-1] is cut[-1] else ""  # else it got past the kettle
    if crash:
        raise CheckFailed(f"the kettle's answer stopped at max_tokens (finish_reason \"length\"), half an object, and "
                          f"your script stopped with {quote(crash, 200)}. Check finish_reason before json.loads (or "
                          "catch LengthFinishReasonError from parse()) and say that the answer was cut off.")
    if not CUT_SAID.search(robust_parse.output):
        raise CheckFailed(f"the kettle's answer was cut off (finish_reason \"length\") and your output does not say "
                          f"so:\n{printed_with_error(robust_parse)}\nPrint that the answer was cut off at max_tokens.")


def _bad_values(found: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, printed value) for each field of an answer that breaks the lesson's rules."""
    bad = []
    if found.get("sentiment") not in SENTIMENTS:
        bad.append(("sentiment", str(found.get("sentiment"))))
    confidence = found.get("confidence")
    if not isinstance(confidence, (int, float)) or not 0 <= confidence <= 1:
        bad.append(("confidence", str(confidence)))
    return bad


def _used_invalid(ev: Evidence, request: LoggedRequest, how: str) -> list[str]:
    """The output's lines, after failing if one of them prints a broken field of the answer to `request` as a result
    (its value on a line without a word that rejects it); the answer printed as it came is an echo, not a use."""
    lines = ev.output.replace(request.replies()[0], "").splitlines()
    for field, value in _bad_values(_object(request)):
        pattern = re.compile(rf"(?<![\w.]){re.escape(value)}(?![\w]|\.\d)")
        trusted = [line for line in lines if pattern.search(line) and not REJECTED.search(line)]
        if trusted:
            raise CheckFailed(f"the answer for the late delivery had {field} {value!r}, outside the lesson's rules, "
                              f"and your script printed it as a result: {quote(trusted[0], 120)!r}. {how}")
    return lines


def test_robust_parse_rejects_invalid(robust_parse: Evidence) -> None:
    """rejects the late delivery's answer, which breaks the lesson's rules"""
    asked = _need(robust_parse, LATE, "a request classifying the late delivery review ('Arrived two days late')")
    crash = _crashed(robust_parse)
    bad = _bad_values(_object(asked[0]))
    shown = ", ".join(f"{field} {value!r}" for field, value in bad)
    if crash:
        raise CheckFailed(f"the answer for the late delivery had {shown}, and your script stopped with "
                          f"{quote(crash, 200)}. Catch the validation error and report it.")
    lines = _used_invalid(robust_parse, asked[0], "Validate every field (Literal for the sentiment, "
                          "Field(ge=0, le=1) for the confidence) before you use it.")
    retried = [r for r in robust_parse.chats() if r.interaction == "late-review-retry"]
    near = [i for i, line in enumerate(lines) if REJECTED.search(line)]
    named = any(field in " ".join(lines[max(0, i - 2):i + 3]).lower() for i in near for field, _ in bad)
    if not retried and not named:
        raise CheckFailed(f"the answer for the late delivery had {shown}; your output should say that it was rejected "
                          f"and which field broke the rules:\n{printed_with_error(robust_parse)}")


def test_robust_parse_prints_valid(robust_parse: Evidence) -> None:
    """prints the fields of the headphones' valid answer"""
    _prints_fields(robust_parse, "headphones-review",
                   "a request classifying the headphones review ('the noise cancelling is superb')",
                   "Print the sentiment, confidence and keywords of every answer that passes validation.")


# --- work/retry_invalid.py (challenge 1) -------------------------------------------------------------------------

def test_retry_invalid_sends_error_back(retry_invalid: Evidence) -> None:
    """asks again with the invalid answer and the error in the conversation"""
    first = _need(retry_invalid, LATE, "a request classifying the late delivery review ('Arrived two days late')")
    bad = squash(first[0].replies()[0])
    retries = [r for r in retry_invalid.chats() if r.interaction == "late-review-retry"]
    if not retries:
        turns = [sum(m.get("role") == "user" for m in r.messages()) for r in retry_invalid.chats()]
        raise CheckFailed(f"expected a second request holding your first message, the invalid answer as an assistant "
                          f"message and your error as a second user message; your script sent {len(turns)} "
                          f"request(s), with {turns} user message(s).")
    messages = retries[0].messages()
    assistant = [squash(str(m.get("content", ""))) for m in messages if m.get("role") == "assistant"]
    if bad not in assistant:
        shown = [quote(a, 60) for a in assistant]
        raise CheckFailed(f"the retry should show the model its own invalid answer, {quote(bad, 100)!r}, as an "
                          f"assistant message; your retry's assistant messages were {shown}.")
    last = str(messages[-1].get("content", "")) if messages and messages[-1].get("role") == "user" else ""
    bad = _bad_values(_object(first[0]))
    if not any(field in last.lower() or value.lower() in last.lower() for field, value in bad):
        shown = " or ".join(f"the field {field} or its value {value!r}" for field, value in bad)
        raise CheckFailed(f"the retry's last user message should hold the validation error, so the model knows what "
                          f"to fix: {shown}; it said {quote(last, 120)!r}. Put the error you caught (str(exc)) in "
                          "that message.")


def test_retry_invalid_json_mode(retry_invalid: Evidence) -> None:
    """asks for JSON mode in the first request and in the retry"""
    kinds = [_kind(r) for r in retry_invalid.chats()]
    if not kinds or any(kind not in ("json_object", "json_schema") for kind in kinds):
        raise CheckFailed(f"expected response_format={{'type': 'json_object'}} (JSON mode) in every request, the "
                          f"first and the retry; your script's requests had {kinds or 'no chat request'}.")


def test_retry_invalid_fails_closed(retry_invalid: Evidence) -> None:
    """never prints the invalid first answer's values as a result"""
    first = _need(retry_invalid, LATE, "a request classifying the late delivery review ('Arrived two days late')")
    _used_invalid(retry_invalid, first[0], "Print the fields only once the answer has passed validation.")


def test_retry_invalid_prints_fixed(retry_invalid: Evidence) -> None:
    """prints the fields of the corrected answer"""
    _prints_fields(retry_invalid, "late-review-retry",
                   "a retry for the late delivery review with the error in the conversation",
                   "Print the fields of the answer that passes validation.")


# --- work/receipt.py (challenge 2) -------------------------------------------------------------------------------

RECEIPT = ("receipt-items",)
RECEIPT_ASKED = "a request for the receipt's items (the receipt's text contains 'Sourdough loaf')"
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def _resolved(node: object, root: dict[str, Any]) -> dict[str, Any]:
    """A schema node, followed through its "$ref" into the root's "$defs" (how parse() sends a nested model)."""
    ref = node.get("$ref") if isinstance(node, dict) else None
    if isinstance(ref, str) and ref.startswith("#/"):
        target: object = root
        for part in ref[2:].split("/"):
            target = target.get(part) if isinstance(target, dict) else None
        node = target
    return node if isinstance(node, dict) else {}


def test_receipt_sends_nested_schema(receipt: Evidence) -> None:
    """sends a strict json_schema with an array of objects: one per item, each with its own fields"""
    request = _need(receipt, RECEIPT, RECEIPT_ASKED)[-1]
    spec = _format(request).get("json_schema")
    schema = spec.get("schema") if isinstance(spec, dict) else None
    if not isinstance(schema, dict) or spec.get("strict") is not True:
        raise CheckFailed(f"expected response_format json_schema with strict: true (what parse() sends for a "
                          f"Pydantic model); your script sent {quote(json.dumps(_format(request)), 160)}.")
    arrays = [_resolved(node, schema) for node in (schema.get("properties") or {}).values()]
    items = [_resolved(node.get("items"), schema) for node in arrays if node.get("type") == "array"]
    if not any(node.get("type") == "object" and len(node.get("properties") or {}) >= 2 for node in items):
        held = [node.get("type", "any") for node in items]
        raise CheckFailed(f"expected a schema with an array of objects, one per item with its name and its price "
                          f"(items: list[Item] in Pydantic); your schema's arrays hold {held or 'nothing: no array'}:"
                          f" {quote(json.dumps(schema), 200)}.")


def _shows(line: str, price: float) -> bool:
    return any(abs(float(n.replace(",", ".")) - price) < 0.005 for n in NUMBER.findall(line))


def test_receipt_prints_items(receipt: Evidence) -> None:
    """prints every item with its price from the server's answer, and the total"""
    found = _object(_need(receipt, RECEIPT, RECEIPT_ASKED)[-1])
    lines = [squash(line).lower() for line in receipt.output.splitlines()]
    missing = []
    for item in found.get("items") or []:
        name, price = squash(str(item.get("name"))).lower(), item.get("price")
        if not isinstance(price, (int, float)) or not any(
                name in line and _shows(line.replace(name, " "), price) for line in lines):
            other = [line for line in lines if name in line and NUMBER.search(line.replace(name, " "))]
            missing.append(f"{item.get('name')!r} with its price {price}"
                           + (f" (printed next to another number: {quote(other[0], 60)!r})" if other else ""))
    total = found.get("total")
    if isinstance(total, (int, float)) and not find_value(receipt, "total", total):
        missing.append(f"the total {total} (next to the word total)")
    if missing:
        raise CheckFailed(f"expected each item of the object this server sent, {quote(json.dumps(found), 200)}, on a "
                          f"line with its price, and the total; {', '.join(missing)} did not appear. Your script "
                          f"printed:\n{printed_with_error(receipt)}\nLoop over receipt.items and print each item's "
                          "name and price together.")


# --- every file: the model id comes from MODEL --------------------------------------------------------------------

review_json_other_model = SECTION.other_model("review_json.py")
json_mode_other_model = SECTION.other_model("json_mode.py")
extract_other_model = SECTION.other_model("extract.py")
robust_parse_other_model = SECTION.other_model("robust_parse.py")
retry_invalid_other_model = SECTION.other_model("retry_invalid.py")
receipt_other_model = SECTION.other_model("receipt.py")


def test_review_json_model_from_env(review_json_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(review_json_other_model)


def test_json_mode_model_from_env(json_mode_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(json_mode_other_model)


def test_extract_model_from_env(extract_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(extract_other_model)


def test_robust_parse_model_from_env(robust_parse_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(robust_parse_other_model)


def test_retry_invalid_model_from_env(retry_invalid_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(retry_invalid_other_model)


def test_receipt_model_from_env(receipt_other_model: Evidence) -> None:
    """reads the model id from MODEL"""
    sends_model_from_env(receipt_other_model)


# --- variant runs: against a differently configured server, printed values must follow this run's response ----------

review_json_variant = SECTION.variant("review_json.py")
json_mode_variant = SECTION.variant("json_mode.py")
extract_variant = SECTION.variant("extract.py")
robust_parse_variant = SECTION.variant("robust_parse.py")
retry_invalid_variant = SECTION.variant("retry_invalid.py")
receipt_variant = SECTION.variant("receipt.py")


def test_review_json_prints_fields_variant(review_json_variant: Evidence) -> None:
    """prints the sentiment, confidence and keywords of the schema's answer"""
    test_review_json_prints_fields(review_json_variant)


def test_json_mode_prints_fields_variant(json_mode_variant: Evidence) -> None:
    """prints the sentiment, confidence and keywords the server sent"""
    test_json_mode_prints_fields(json_mode_variant)


def test_extract_prints_fields_variant(extract_variant: Evidence) -> None:
    """prints the sentiment, confidence and keywords of message.parsed"""
    test_extract_prints_fields(extract_variant)


def test_robust_parse_prints_valid_variant(robust_parse_variant: Evidence) -> None:
    """prints the fields of the headphones' valid answer"""
    test_robust_parse_prints_valid(robust_parse_variant)


def test_retry_invalid_prints_fixed_variant(retry_invalid_variant: Evidence) -> None:
    """prints the fields of the corrected answer"""
    test_retry_invalid_prints_fixed(retry_invalid_variant)


def test_receipt_prints_items_variant(receipt_variant: Evidence) -> None:
    """prints every item with its price from the server's answer, and the total"""
    test_receipt_prints_items(receipt_variant)
