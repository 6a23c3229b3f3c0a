"""What lesson 04 states about the SDK, vLLM and the recorded replies, pinned against the installed versions."""

from __future__ import annotations

import inspect
import json
import math
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
import requests
from openai.resources.chat.completions import Completions

from grader.endpoint import Endpoint, config, generation, harmony, load_recordings
from grader.runner import run_script

ROOT = Path(__file__).resolve().parent.parent
LESSON = (ROOT / "lessons/04-sampling-controls.md").read_text()
RECORDING = ROOT / "recordings/04-sampling-controls.json"
MODEL = config.SERVED_MODEL
TOMATO = [{"role": "user", "content": "Is a tomato a fruit or a vegetable? Answer with one word."}]
FRUITS = [{"role": "user", "content": "List five fruits as a numbered list, one per line, then write END."}]


@pytest.fixture(scope="module")
def own() -> Iterator[Endpoint]:
    """The section's recording alone, as the grader serves it."""
    with Endpoint(load_recordings([RECORDING])) as running:
        yield running


@pytest.fixture
def client(own: Endpoint) -> openai.OpenAI:
    return openai.OpenAI(base_url=own.base_url, api_key=own.new_session().api_key, max_retries=0)


def _output(own: Endpoint, reference: str) -> str:
    session = own.new_session()
    run = run_script(f"examples/04/{reference}", ROOT,
                     {"OPENAI_BASE_URL": own.base_url, "OPENAI_API_KEY": session.api_key, "MODEL": MODEL})
    assert run.exit_code == 0, run.stderr
    return run.stdout


def _blocks() -> list[str]:
    """The lesson's ```text blocks: what it says the scripts print."""
    return [part.split("\n```", 1)[0] for part in LESSON.split("```text\n")[1:]]


def test_the_outputs_the_lesson_shows(own) -> None:
    printed = "".join(_output(own, name) for name in ("temperature.py", "stop.py", "seed.py", "logprobs.py"))
    shown = _blocks()
    assert len(shown) == 5  # stop.py and seed.py are your-turn steps: their output is described, not shown
    for block in shown:
        lines = [line for line in block.splitlines() if line.strip()]
        assert all(line in printed for line in lines), block


def test_the_sampling_table() -> None:
    probabilities = {" blue": 0.7, " clear": 0.2, " grey": 0.1}

    def reshaped(temperature: float) -> dict[str, float]:
        powered = {t: p ** (1 / temperature) for t, p in probabilities.items()}
        return {t: 100 * p / sum(powered.values()) for t, p in powered.items()}

    nucleus = {" blue": 70 / 0.9, " clear": 20 / 0.9, " grey": 0}
    for token, p in probabilities.items():
        row = (f"| `{token}` | {p:.0%} | {reshaped(0.5)[token]:.1f}% | {reshaped(2)[token]:.1f}% | "
               f"{nucleus[token]:.1f}% |").replace("| 0.0% |", "| 0% |")
        assert row in LESSON


def test_greedy_sampling_refuses_n_and_the_sdk_message(client) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model=MODEL, messages=FRUITS, temperature=0, n=3)
    assert raised.value.message == "Error code: 400 - n must be 1 when using greedy sampling, got 3."


def test_n_choices_are_billed_together(client) -> None:
    one = client.chat.completions.create(model=MODEL, messages=FRUITS, n=1).usage
    three = client.chat.completions.create(model=MODEL, messages=FRUITS, n=3).usage
    assert three.prompt_tokens == one.prompt_tokens and three.completion_tokens == 3 * one.completion_tokens


def test_stop_reason_is_an_extra_attribute(client) -> None:
    choice = client.chat.completions.create(model=MODEL, messages=FRUITS, stop=["4.", "END"]).choices[0]
    assert "stop_reason" not in type(choice).model_fields and choice.stop_reason == "4."
    # vLLM re-reads gpt-oss's answer from the token ids, so the token that completed the stop string stays
    assert choice.finish_reason == "stop" and choice.message.content.endswith("Cherry\n4.")
    marker = client.chat.completions.create(model=MODEL, messages=FRUITS, stop=["final"]).choices[0]
    assert marker.message.content == "<|start|>assistant<|channel|>final" and marker.message.reasoning
    assert "`stop=[\"final\"]`" in LESSON and "`'<|start|>assistant<|channel|>final'`" in LESSON


def test_the_budget_numbers(client) -> None:
    response = client.chat.completions.create(model=MODEL, messages=FRUITS, max_completion_tokens=36)
    reasoning = response.usage.completion_tokens_details.reasoning_tokens
    answer_tokens = len(harmony.encoding().encode(response.choices[0].message.content))
    header = 36 - reasoning - answer_tokens
    assert f"reasoning took {reasoning}" in LESSON and f"answer took {header}, and {answer_tokens} were left" in LESSON
    short = client.chat.completions.create(model=MODEL, messages=FRUITS, max_completion_tokens=21).choices[0]
    assert short.message.content is None and short.finish_reason == "length"
    assert "With a budget of 21 you would get" in LESSON
    in_header = client.chat.completions.create(model=MODEL, messages=FRUITS, max_completion_tokens=24).choices[0]
    assert (in_header.message.content, in_header.finish_reason) == ("<|start|>assistant", "length")
    assert "A budget of 24\n  runs out *inside* the markers" in LESSON and "`'<|start|>assistant'`" in LESSON


def test_the_probability_arithmetic(client) -> None:
    response = client.chat.completions.create(model=MODEL, messages=TOMATO, logprobs=True, top_logprobs=3)
    tokens = response.choices[0].logprobs.content
    fruit = next(t for t in tokens if t.token == "Fruit")
    assert f"so {fruit.logprob:.3f} becomes {math.exp(fruit.logprob):.4f}" in LESSON
    veget = fruit.top_logprobs[1]
    assert veget.token == "Veget" and round(1 / math.exp(veget.logprob)) == 9 and "one time in nine" in LESSON
    assert fruit.top_logprobs[0].token == "Fruit"  # "the picked token heads the list"


def test_top_logprobs_alone_is_refused_with_the_quoted_message(client) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model=MODEL, messages=TOMATO, top_logprobs=3)
    message = raised.value.body["message"].removesuffix(" (parameter=top_logprobs)")
    assert message == "when using `top_logprobs`, `logprobs` must be set to true."
    assert " ".join(f"``{message}``".split()) in " ".join(LESSON.split())


def test_the_sdk_sends_what_it_is_given(own) -> None:
    session = own.new_session()
    client = openai.OpenAI(base_url=own.base_url, api_key=session.api_key, max_retries=0)
    client.chat.completions.create(model=MODEL, messages=TOMATO, seed=None, temperature="0.7",
                                   extra_body={"top_k": 20})
    sent = session.requests()[-1]
    assert sent.status == 200  # vLLM's lax validation reads "0.7" as a number
    assert json.loads(sent.raw_body) | {"messages": None} == {"model": MODEL, "messages": None, "seed": None,
                                                             "temperature": "0.7", "top_k": 20}
    with pytest.raises(TypeError):
        client.chat.completions.create(model=MODEL, messages=TOMATO, temprature=0.2)


def test_unknown_fields_are_ignored_on_the_wire(own) -> None:
    session = own.new_session()
    response = requests.post(own.base_url + "/chat/completions", timeout=10,
                             headers={"Authorization": f"Bearer {session.api_key}"},
                             json={"model": MODEL, "messages": TOMATO, "temprature": 0.2})
    assert response.status_code == 200


@pytest.mark.vllm_rule("C7")
def test_recorded_logprobs_follow_the_endpoint_tokens() -> None:
    """Each logprobs block lists exactly the tokens the endpoint counts for that reply, each as vLLM's
    logprobs.py decodes it (_verify_tokens), sampled token first (_get_top_logprobs keeps the sampler's order)."""
    data = json.loads(RECORDING.read_text())
    blocks = 0
    for interaction in data["interactions"]:
        for response in interaction.get("responses") or [interaction["response"]]:
            reply = response.get("reply") or {}
            if "logprobs" not in reply:
                continue
            blocks += 1
            tokens = generation.completion_tokens(reply["reasoning"], reply["content"], ())
            entries = reply["logprobs"]["content"]
            assert [e["token"] for e in entries] == generation.logprob_tokens(tokens)
            for entry in entries:
                assert entry["bytes"] == list(entry["token"].encode())
                top = entry["top_logprobs"]
                assert top[0]["token"] == entry["token"] and top[0]["logprob"] == entry["logprob"]
                assert [t["logprob"] for t in top] == sorted((t["logprob"] for t in top), reverse=True)
                assert sum(math.exp(t["logprob"]) for t in top) <= 1 + 1e-6
    assert blocks == 5


def test_openai_takes_at_most_four_stop_strings() -> None:
    source = " ".join(inspect.getsource(Completions).split())
    assert "Up to 4 sequences where the API will stop generating further tokens." in source
    assert 'the SDK\'s own documentation says "Up to 4 sequences"' in " ".join(LESSON.split())
