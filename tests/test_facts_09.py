"""What lesson 09 states about structured output: what the installed openai SDK's parse() sends and raises (read
from the SDK on a mock transport, independently of the recorded endpoint), the outputs the lesson shows, and the
numbers it quotes about the recorded answers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import httpx2
import openai
import oracle
import pytest
from pydantic import BaseModel

from grader import lessons
from grader.endpoint import Endpoint, config, load_recordings
from grader.runner import run_script

ROOT = Path(__file__).resolve().parent.parent
LESSON_PATH = ROOT / "lessons/09-structured-output.md"
LESSON = LESSON_PATH.read_text(encoding="utf-8")
PROSE = " ".join(LESSON.split())
EXAMPLES = ROOT / "examples/09"
PROMPT = "Classify this product review as a JSON object with sentiment, confidence and keywords.\n\nReview: "
KETTLE = ("I returned this kettle: it boils fast and looks lovely, but the lid sticks, the handle gets hot and the "
          "cord is far too short for my kitchen.")
LATE = "Arrived two days late. Works as described."


class Review(BaseModel):  # the lesson's model, as extract.py declares it
    sentiment: Literal["positive", "negative", "mixed"]
    confidence: float
    keywords: list[str]


@pytest.fixture(scope="module")
def section_endpoint() -> Iterator[Endpoint]:
    with Endpoint(load_recordings([ROOT / "recordings/09-structured-output.json"])) as running:
        yield running


@pytest.fixture
def client(section_endpoint: Endpoint) -> openai.OpenAI:
    session = section_endpoint.new_session()
    return openai.OpenAI(base_url=section_endpoint.base_url, api_key=session.api_key)


def _completion(content: str, finish_reason: str = "stop") -> dict[str, Any]:
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": "m",
            "choices": [{"index": 0, "finish_reason": finish_reason,
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def _mock_client(answer: dict[str, Any], seen: list[httpx2.Request]) -> openai.OpenAI:
    """An SDK client whose transport records each request and answers `answer`: no server involved."""
    def handle(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json=answer)
    return openai.OpenAI(base_url="http://mock.invalid/v1", api_key="k", max_retries=0,
                         http_client=httpx2.Client(transport=httpx2.MockTransport(handle)))


def _run(endpoint: Endpoint, name: str) -> str:
    session = endpoint.new_session()
    settings = {"OPENAI_BASE_URL": endpoint.base_url, "OPENAI_API_KEY": session.api_key, "MODEL": config.SERVED_MODEL}
    run = run_script(f"examples/09/{name}", ROOT, settings)
    assert run.exit_code == 0, run.stderr
    return run.stdout.rstrip("\n")


def test_the_code_the_lesson_types_is_the_reference() -> None:
    built: dict[str, str] = {}
    for step in lessons.steps(LESSON_PATH):
        name = Path(step.target).name
        if step.action == "file":
            built[name] = step.code
        elif step.action == "append":
            built[name] += "\n" + step.code
    assert set(built) == {"review_json.py", "extract.py"}
    for name, code in built.items():
        assert code == (EXAMPLES / name).read_text(encoding="utf-8"), name


def _shown_after(command: str) -> str:
    """The output block (```text or ````text, for output holding a fence) right after a command's run block."""
    found = re.findall(rf"```bash\n{re.escape(command)}\n```\n\n(`{{3,4}})text\n(.*?)\n\1\n", LESSON, re.S)
    return found[-1][1]


def test_outputs_the_lesson_shows(section_endpoint: Endpoint) -> None:
    assert _shown_after("python work/review_json.py") == _run(section_endpoint, "review_json.py")
    assert _shown_after("python work/extract.py") == _run(section_endpoint, "extract.py")
    first = _run(section_endpoint, "review_json.py").split("\n\nWith the schema:")[0]
    assert re.search(r"````text\n" + re.escape(first) + "\n````", LESSON)  # the first run's output, before the append


def test_what_parse_sends_on_the_wire() -> None:
    seen: list[httpx2.Request] = []
    answer = {"sentiment": "mixed", "confidence": 0.5, "keywords": ["a"]}
    completion = _mock_client(_completion(json.dumps(answer)), seen).chat.completions.parse(
        model="m", messages=[{"role": "user", "content": "x"}], response_format=Review)
    body = json.loads(seen[0].content)
    shown = re.search(r"This is the `response_format`\s+that `parse\(\)` sent on the wire:\n\n```json\n(.*?)\n```",
                      LESSON, re.S)
    assert shown and body["response_format"] == json.loads(shown.group(1))
    assert seen[0].headers["x-stainless-helper-method"] == "chat.completions.parse"
    assert "X-Stainless-Helper-Method: chat.completions.parse" in PROSE
    message = completion.choices[0].message
    assert isinstance(message.parsed, Review) and message.parsed.model_dump() == answer
    assert message.content == json.dumps(answer) and message.refusal is None


def test_parse_makes_every_field_required() -> None:
    class WithDefault(BaseModel):
        name: str
        note: str | None = None

    seen: list[httpx2.Request] = []
    _mock_client(_completion('{"name": "n", "note": null}'), seen).chat.completions.parse(
        model="m", messages=[{"role": "user", "content": "x"}], response_format=WithDefault)
    schema = json.loads(seen[0].content)["response_format"]["json_schema"]["schema"]
    assert schema["required"] == ["name", "note"] and schema["additionalProperties"] is False
    assert {"type": "null"} in schema["properties"]["note"]["anyOf"]
    assert "**every** field listed in `required`, even one with a default" in PROSE


def test_parse_sends_a_nested_model_under_defs() -> None:
    class Item(BaseModel):
        name: str
        price: float

    class Receipt(BaseModel):
        items: list[Item]
        total: float

    seen: list[httpx2.Request] = []
    _mock_client(_completion('{"items": [{"name": "a", "price": 1}], "total": 1}'), seen).chat.completions.parse(
        model="m", messages=[{"role": "user", "content": "x"}], response_format=Receipt)
    schema = json.loads(seen[0].content)["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["items"]["items"] == {"$ref": "#/$defs/Item"}
    assert schema["$defs"]["Item"]["type"] == "object" and schema["$defs"]["Item"]["additionalProperties"] is False
    assert "The SDK puts `Item` under `$defs` in the schema and points to it with a `$ref`." in PROSE


def test_parse_raises_on_a_cut_answer() -> None:
    client = _mock_client(_completion('{"sentiment": "mi', "length"), [])
    with pytest.raises(openai.LengthFinishReasonError) as raised:
        client.chat.completions.parse(model="m", messages=[{"role": "user", "content": "x"}], response_format=Review)
    assert raised.value.completion.choices[0].message.content == '{"sentiment": "mi'
    assert "raises\n  `openai.LengthFinishReasonError`, whose `completion` attribute" in LESSON


def test_create_refuses_a_pydantic_class() -> None:
    client = _mock_client(_completion("{}"), [])
    with pytest.raises(TypeError, match=r"use `chat.completions.parse\(\)`"):
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}],
                                       response_format=Review)  # type: ignore[arg-type]


def test_the_json_headers_token_counts() -> None:
    """vLLM 0.33.0's _JSON_CONSTRAINS (vllm/parser/harmony.py) admits " json" and " <|constrain|>json" after
    `final`; their cost is counted here with oss-harmony's o200k, independently of the endpoint."""
    assert oracle.count(" json") == 1
    assert oracle.count(" <|constrain|>json") == 3
    assert "`<|channel|>final json<|message|>` and `<|channel|>final <|constrain|>json<|message|>`" in PROSE
    assert "` json` is one token, ` <|constrain|>json` three" in PROSE


def test_the_kettle_and_the_late_delivery(client: openai.OpenAI) -> None:
    kettle = client.chat.completions.create(model=config.SERVED_MODEL, max_tokens=100,
                                            messages=[{"role": "user", "content": PROMPT + KETTLE}],
                                            response_format={"type": "json_object"})
    choice = kettle.choices[0]
    assert choice.finish_reason == "length"
    assert f"`{choice.message.content}` is what a cut answer looks like" in PROSE
    reasoning = kettle.usage.completion_tokens_details.reasoning_tokens
    assert 55 <= reasoning <= 65 and "its reasoning took about 60 of the 100 tokens" in PROSE
    full = client.chat.completions.create(model=config.SERVED_MODEL,
                                          messages=[{"role": "user", "content": PROMPT + KETTLE}],
                                          response_format={"type": "json_object"})
    assert len(json.loads(full.choices[0].message.content)["keywords"]) == 7 and "list seven keywords" in PROSE
    late = client.chat.completions.create(model=config.SERVED_MODEL,
                                          messages=[{"role": "user", "content": PROMPT + LATE}],
                                          response_format={"type": "json_object"})
    assert json.loads(late.choices[0].message.content)["sentiment"] == "neutral"
    strict = client.chat.completions.parse(model=config.SERVED_MODEL, response_format=Review,
                                           messages=[{"role": "user", "content": PROMPT + LATE}])
    parsed = strict.choices[0].message.parsed
    assert (parsed.sentiment, parsed.confidence) == ("mixed", 70)
    assert "comes back `mixed`, with a confidence of `70`" in PROSE
