"""What lesson 03 states about tokens, the server and the SDK, pinned against the recorded endpoint and the
installed versions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import openai
import openai_harmony as hm
import oracle
import pytest
import requests

from grader.endpoint import Endpoint, config, harmony, load_recordings
from grader.runner import run_script

ROOT = Path(__file__).resolve().parent.parent
LESSON = (ROOT / "lessons/03-tokens-context-cost.md").read_text(encoding="utf-8")
MODEL = config.SERVED_MODEL


@pytest.fixture(scope="module")
def section_endpoint() -> Iterator[Endpoint]:
    """The endpoint as `make check-03` runs it: this section's recording only."""
    with Endpoint(load_recordings([ROOT / "recordings/03-tokens-context-cost.json"])) as running:
        yield running


@pytest.fixture
def client(section_endpoint: Endpoint) -> openai.OpenAI:
    session = section_endpoint.new_session()
    return openai.OpenAI(base_url=section_endpoint.base_url, api_key=session.api_key, max_retries=0)


def pieces(text: str) -> list[str]:
    """The token strings of a text, with the leading-space mark turned back into a space."""
    return [p.replace("Ġ", " ") for p in harmony.token_strs(harmony.text_tokens(text))]


def test_the_outputs_the_lesson_shows(section_endpoint: Endpoint) -> None:
    outputs = []
    for script in ("count_tokens", "overhead", "context_window", "fit", "cost"):
        session = section_endpoint.new_session()
        settings = {"OPENAI_BASE_URL": section_endpoint.base_url, "OPENAI_API_KEY": session.api_key, "MODEL": MODEL}
        run = run_script(f"examples/03/{script}.py", ROOT, settings, timeout=60)
        assert run.exit_code == 0, run.stderr
        outputs.append(run.stdout)
    blocks = re.findall(r"```text\n(.*?)```", LESSON, re.S)
    assert len(blocks) >= 4
    for block in blocks:
        assert any(block in output for output in outputs), block
    # the your-turn steps (overhead.py, cost.py) quote their numbers in prose instead
    counts = re.findall(r"(\d+) tokens", outputs[1])  # three chat counts, then /tokenize's count
    prose = " ".join(LESSON.split())
    assert f"the three are {counts[0]}, {counts[1]} and {counts[2]}" in prose and counts[3] == counts[2]
    haiku = re.search(r"haiku.*\n  in (\d+), out (\d+) \(of which (\d+) reasoning\)", outputs[4])
    assert "the haiku is the dearest: {} tokens in, {} out, of which {} were reasoning".format(*haiku.groups()) in prose


def test_the_token_pieces_the_lesson_names() -> None:
    assert pieces("Internationalization")[:2] == ["International", "ization"]
    assert pieces(" uncharacteristically") == [" un", "character", "istically"]
    assert pieces("Ada Lovelace") == ["Ada", " Lov", "el", "ace"]
    caps = pieces("THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG.")
    assert " B" in caps and "ROWN" in caps and " LA" in caps and "ZY" in caps
    assert pieces("1234567") == ["123", "456", "7"]
    assert pieces(" 2,718,281") == [" ", "2", ",", "718", ",", "281"]
    assert len("👍🏽") == 2 and len(harmony.text_tokens("👍🏽")) == 3
    assert sorted(len(harmony.text_tokens(e)) for e in "🎉🚀🙂") == [1, 2, 2]
    assert len(harmony.text_tokens("hello" + " hello" * 99)) == 100
    assert 199_000 < len(harmony._ranks()) < 201_000  # "about 200,000 pieces"


def test_the_template_breakdown() -> None:
    def size(messages: list[dict]) -> int:
        return len(harmony.chat_prompt_tokens({"messages": messages}))

    assert size([{"role": "user", "content": ""}]) == 67 == 61 + 4 + 2
    assert len(harmony.text_tokens("What is a token?")) == 5
    with_system = size([{"role": "system", "content": "You are a patient teacher."},
                        {"role": "user", "content": "What is a token?"}])
    assert with_system - 72 == 13 == len(harmony.text_tokens("You are a patient teacher.")) + 7


def test_tokenize_counts_what_chat_bills(client: openai.OpenAI, section_endpoint: Endpoint) -> None:
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is a token?"},
                {"role": "assistant", "content": "A piece of text."}, {"role": "user", "content": "And a word?"}]
    billed = client.chat.completions.create(model=MODEL, messages=messages, max_tokens=1).usage.prompt_tokens
    counted = requests.post(section_endpoint.root_url + "/tokenize", json={"model": MODEL, "messages": messages},
                            timeout=10).json()  # no key: vLLM does not guard /tokenize
    assert counted["count"] == billed
    assert list(counted) == ["count", "max_model_len", "tokens", "token_strs"]


def test_the_model_card_and_the_context_error(client: openai.OpenAI) -> None:
    card = client.models.list().data[0]
    assert card.max_model_len == config.MAX_MODEL_LEN == 131072 == 128 * 1024
    too_long = "hello " * config.MAX_MODEL_LEN
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": too_long}], max_tokens=100)
    error = raised.value
    message = error.body["message"]
    assert error.status_code == 400 and str(error) == "Error code: 400 - " + message
    # vLLM's get_max_tokens refuses a harmony prompt with a plain ValueError: no param
    assert error.body["type"] == "BadRequestError" and error.body["param"] is None
    size = oracle.prompt_tokens([{"role": "user", "content": too_long}])
    assert message == f"Input length ({size}) exceeds model's maximum context length (131072)." and message in LESSON
    assert size == 131140 == config.MAX_MODEL_LEN + 1 + 67
    with pytest.raises(openai.BadRequestError) as raw:  # the renderer's own check words it differently
        client.completions.create(model=MODEL, prompt=too_long, max_tokens=1)
    assert raw.value.body["message"].startswith("This model's maximum context length is 131072 tokens. However, "
                                                "your prompt contains 131073 input tokens")
    assert "(and on `/v1/completions`) vLLM says\n  \"This model's maximum context length is 131072 tokens." in LESSON


def test_raise_for_status_drops_the_servers_message(section_endpoint: Endpoint) -> None:
    session = section_endpoint.new_session()
    body = {"model": MODEL, "messages": [{"role": "user", "content": "hello " * config.MAX_MODEL_LEN}]}
    response = requests.post(section_endpoint.base_url + "/chat/completions", json=body,
                             headers={"Authorization": f"Bearer {session.api_key}"}, timeout=60)
    with pytest.raises(requests.HTTPError) as raised:
        response.raise_for_status()
    assert str(raised.value).startswith("400 Client Error: Bad Request for url: ")
    assert "maximum context length" not in str(raised.value)


def test_max_tokens_is_clamped_near_the_limit(client: openai.OpenAI) -> None:
    filler = "hello" + " hello" * (config.MAX_MODEL_LEN - 20 - 68)
    response = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": filler}],
                                              max_tokens=500)
    assert response.usage.prompt_tokens == config.MAX_MODEL_LEN - 20
    assert response.choices[0].finish_reason == "length" and response.usage.completion_tokens == 20


def test_reasoning_is_part_of_the_completion(client: openai.OpenAI) -> None:
    usage = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Write a haiku about the context window."}]).usage
    expected = oracle.recorded_usage("03-tokens-context-cost.json", "cost-haiku")
    assert (usage.completion_tokens, usage.completion_tokens_details.reasoning_tokens) == (
        expected.completion_tokens, expected.reasoning_tokens) == (100, 73)  # the numbers the lesson prints
    assert round(100_000 * (usage.prompt_tokens * 0.25 + usage.completion_tokens * 1.00) / 1e6) == 12


def test_the_fit_arithmetic() -> None:
    document = "\n".join(
        f"2026-11-21 09:{n // 60:02d}:{n % 60:02d} INFO worker-{n % 7} finished job {4000 + n} in {n * 37 % 900} ms"
        for n in range(400))
    assert len(harmony.text_tokens(document[:912 * 4])) == 1534
    assert round(len(document) / len(harmony.text_tokens(document)), 1) == 2.4


def test_the_harmony_renderer_and_o200k_give_the_server_s_count(endpoint, session) -> None:
    harmony.encoding()  # makes the o200k vocabulary available offline, as the endpoint does
    encoding = hm.load_harmony_encoding(hm.HarmonyEncodingName.HARMONY_GPT_OSS)
    system = hm.SystemContent.new().with_conversation_start_date(config.SYSTEM_START_DATE)
    for text in ("hi", "The quick brown fox jumps over the lazy dog."):
        conversation = hm.Conversation.from_messages([hm.Message.from_role_and_content(hm.Role.SYSTEM, system),
                                                      hm.Message.from_role_and_content(hm.Role.USER, text)])
        local = len(encoding.render_conversation_for_completion(conversation, hm.Role.ASSISTANT))
        served = openai.OpenAI(base_url=endpoint.base_url, api_key=session.api_key).chat.completions.create(
            model=config.SERVED_MODEL, messages=[{"role": "user", "content": text}], max_tokens=1).usage.prompt_tokens
        assert local == served, text
    assert "so the count comes out exactly the server's" in " ".join(LESSON.split())


def test_the_paste_the_wallet_guard_challenge_sends() -> None:
    assert len("lorem ipsum " * 20000 + "\n") == 240_001
    assert "python -c \"print('lorem ipsum ' * 20000)\"" in LESSON and "240,001-character paste" in LESSON
