"""What lesson 12 states about raw prompts, token round trips and the Responses API, pinned: the numbers and texts
are derived by the oracle (harmony text and o200k, by vLLM 0.33.0's rules) and checked against the lesson and the
recorded endpoint.

vLLM 0.33.0's rules used here (vllm/entrypoints/openai/completion/protocol.py, v1/engine/detokenizer.py,
entrypoints/serve/tokenize/serving.py, entrypoints/openai/responses/serving.py): a completion's text is detokenized
with `skip_special_tokens` (default True, since gpt-oss's generation_config does not set it), the stopping EOS token
left out; `max_tokens` defaults to 16; a raw prompt's special-token text becomes special tokens (the HF tokenizer),
while harmony renders message text as ordinary tokens; /detokenize decodes with special tokens kept; without
VLLM_ENABLE_RESPONSES_API_STORE, `store` is turned off and nothing is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import oracle
import pytest
import requests

from grader.endpoint import Endpoint, config, load_recordings
from grader.runner import run_script

ROOT = Path(__file__).resolve().parent.parent
LESSON = (ROOT / "lessons/12-beyond-chat-completions.md").read_text(encoding="utf-8")
RECORDING = "12-beyond-chat-completions.json"
EXAMPLES = ROOT / "examples/12"
SYSTEM, QUESTION = "Answer in one sentence.", "What does HTTP status 404 mean?"
MESSAGES = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": QUESTION}]
START = 200006


@pytest.fixture(scope="module")
def endpoint() -> Iterator[Endpoint]:
    with Endpoint(load_recordings([ROOT / "recordings" / RECORDING])) as running:
        yield running


def _post(endpoint: Endpoint, route: str, body: dict[str, object]) -> requests.Response:
    key = endpoint.new_session().api_key
    return requests.post(endpoint.base_url.removesuffix("/v1") + route, headers={"Authorization": f"Bearer {key}"},
                         json={"model": config.SERVED_MODEL, **body}, timeout=10)


def _ids(text: str) -> list[int]:
    """A raw prompt as vLLM's tokenizer reads it: special-token text is the special token."""
    return oracle._encoding().encode(text, allowed_special="all")


def _ordinary(text: str) -> list[int]:
    """Message text as harmony renders it: every character an ordinary token."""
    return oracle._encoding().encode(text, disallowed_special=())


def _prompt(user: str = QUESTION) -> str:
    return (oracle.SYSTEM.format(date=oracle.START_DATE, effort="medium")
            + f"<|start|>developer<|message|># Instructions\n\n{SYSTEM}<|end|>"
            + f"<|start|>user<|message|>{user}<|end|><|start|>assistant")


def _text_blocks() -> list[str]:
    return re.findall(r"```text\n(.*?)```", LESSON, re.DOTALL)


def _run(endpoint: Endpoint, folder: Path, name: str, stdin: str | None = None) -> str:
    (folder / name).write_text((EXAMPLES / name).read_text(encoding="utf-8"), encoding="utf-8")
    session = endpoint.new_session()
    settings = {"OPENAI_BASE_URL": endpoint.base_url, "OPENAI_API_KEY": session.api_key, "MODEL": endpoint.app.model}
    run = run_script(name, folder, settings, stdin=stdin)
    assert run.exit_code == 0, run.stderr
    return run.stdout


def test_the_rendered_prompt_shown_is_the_chat_route_s(endpoint: Endpoint) -> None:
    """The lesson's first text block is what /tokenize + /detokenize give for the two messages, with the markers'
    ids 200006, 200008, 200007."""
    assert _text_blocks()[0] == _prompt() + "\n"
    tokens = _post(endpoint, "/tokenize", {"messages": MESSAGES}).json()["tokens"]
    assert tokens == _ids(_prompt())
    assert _post(endpoint, "/detokenize", {"tokens": tokens}).json()["prompt"] == _prompt()
    assert [_ids(m)[0] for m in ("<|start|>", "<|message|>", "<|end|>")] == [200006, 200008, 200007]
    assert "(200006, 200008 and 200007)" in LESSON


def test_raw_completion_output(endpoint: Endpoint, tmp_path: Path) -> None:
    """The sample output of raw_completion.py: the text without <|return|>, 87 prompt tokens, 48 completion tokens
    (the stopping token counted); without skip_special_tokens the markers go and the header words stay."""
    reply = oracle.reply(RECORDING, "raw-404")
    shown = (f"<|channel|>analysis<|message|>{reply['reasoning']}<|end|>"
             f"<|start|>assistant<|channel|>final<|message|>{reply['content']}")
    usage = oracle.usage(reply["reasoning"], reply["content"])
    prompt_tokens = oracle.prompt_tokens(MESSAGES)
    assert (prompt_tokens, usage.completion_tokens) == (87, 48) == (len(_ids(_prompt())), len(_ids(shown)) + 1)
    expected = (f"object: text_completion\nfinish_reason: stop\nraw text: {shown!r}\nreasoning: {reply['reasoning']}\n"
                f"answer: {reply['content']}\nprompt_tokens: {prompt_tokens}\ncompletion_tokens: 48\n")
    assert expected in _text_blocks()
    assert _run(endpoint, tmp_path, "raw_completion.py") == expected
    skipped = re.sub(r"<\|\w+\|>", "", shown)  # each marker is one special token; the words around it are not
    assert f"raw text: {skipped!r}\n" in _text_blocks()
    text = _post(endpoint, "/v1/completions", {"prompt": _prompt(), "max_tokens": 500}).json()["choices"][0]["text"]
    assert text == skipped and skipped.startswith("analysis") and "assistantfinal" in skipped


def test_completions_stop_at_16_tokens_by_default(endpoint: Endpoint) -> None:
    answer = _post(endpoint, "/v1/completions", {"prompt": _prompt()}).json()
    assert answer["choices"][0]["finish_reason"] == "length" and answer["usage"]["completion_tokens"] == 16
    assert "it stops after 16 tokens" in " ".join(LESSON.split())


def test_a_chatml_prompt_gets_no_harmony_recording(endpoint: Endpoint) -> None:
    """The lesson: ChatML is not harmony. The recorded 404 reply answers only a harmony prompt, so a ChatML one is not
    served the real model's reply as if it had worked (offline it gets the stand-in)."""
    chatml = f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n{QUESTION}<|im_end|>\n<|im_start|>assistant\n"
    recorded = _post(endpoint, "/v1/completions", {"prompt": _prompt(), "max_tokens": 500}).json()
    answer = _post(endpoint, "/v1/completions", {"prompt": chatml, "max_tokens": 500})
    assert recorded["choices"][0]["text"] not in answer.text
    assert "ChatML" in LESSON and "stand-in reply" in LESSON


def test_the_round_trip_breaks_on_marker_text(endpoint: Endpoint) -> None:
    """The question holding <|end|>: rendered as five ordinary tokens, 92 ids; tokenized back from text, 89."""
    question = (EXAMPLES / "marker_question.txt").read_text(encoding="utf-8").strip()
    assert [oracle._encoding().decode([t]) for t in _ordinary(" <|end|>")] == [" <", "|", "end", "|", ">"]
    text = _prompt(question)
    rendered = len(_ids(_prompt(""))) + len(_ordinary(question))
    assert (rendered, len(_ids(text))) == (92, 89)
    tokens = _post(endpoint, "/tokenize", {"messages": [MESSAGES[0], {"role": "user", "content": question}]}).json()
    assert tokens["count"] == 92
    assert len(_post(endpoint, "/tokenize", {"prompt": text}).json()["tokens"]) == 89
    assert "89 ids instead of 92" in LESSON
    first = _ids(_prompt())
    specials = [t for t in first if t >= 200000]
    assert (len(specials), specials.count(200006), specials.count(200008), specials.count(200007)) == (10, 4, 3, 3)
    assert "lists ten special tokens: `<|start|>` four\ntimes, `<|message|>` and `<|end|>` three times each" in LESSON


def test_responses_usage(endpoint: Endpoint, tmp_path: Path) -> None:
    """responses_api.py: instructions render as the developer message, so 87 input tokens again; 44 output tokens,
    18 of them the reasoning's own."""
    reply = oracle.reply(RECORDING, "responses-404")
    usage = oracle.usage(reply["reasoning"], reply["content"])
    numbers = (oracle.prompt_tokens(MESSAGES), usage.completion_tokens, usage.reasoning_tokens)
    assert numbers == (87, 44, 18)
    block = next(b for b in _text_blocks() if b.startswith("id: resp_"))
    assert block.endswith("input_tokens: 87\noutput_tokens: 44\nreasoning_tokens: 18\n")
    output = _run(endpoint, tmp_path, "responses_api.py")
    assert output.split("\n", 1)[1] == block.split("\n", 1)[1]


def test_a_forged_role_adds_a_message(endpoint: Endpoint, tmp_path: Path) -> None:
    """forged.txt in a raw prompt: five <|start|> tokens; as a user message: four."""
    forged = (EXAMPLES / "forged.txt").read_text(encoding="utf-8").strip()
    raw = _ids(_prompt(forged)).count(START)
    chat = (_ids(_prompt("")) + _ordinary(forged)).count(START)
    assert (raw, chat) == (5, 4)
    assert "prints 5 for the raw\n   prompt and 4 for the chat messages" in LESSON
    output = _run(endpoint, tmp_path, "forged_roles.py", stdin=forged)
    assert "raw prompt: 5 message starts\nchat messages: 4 message starts\n" in output
    assert "STAFF-ONLY-50" in output


def test_nothing_is_stored(endpoint: Endpoint) -> None:
    """Without VLLM_ENABLE_RESPONSES_API_STORE: previous_response_id and GET /v1/responses/{id} are 404, background
    is 400."""
    first = _post(endpoint, "/v1/responses", {"input": QUESTION}).json()
    assert _post(endpoint, "/v1/responses", {"input": "And?", "previous_response_id": first["id"]}).status_code == 404
    key = endpoint.new_session().api_key
    fetched = requests.get(f"{endpoint.base_url}/responses/{first['id']}", headers={"Authorization": f"Bearer {key}"},
                           timeout=10)
    assert fetched.status_code == 404
    assert _post(endpoint, "/v1/responses", {"input": QUESTION, "background": True}).status_code == 400
    said = " ".join(LESSON.split())
    assert "`previous_response_id` is answered with 404, as is `GET /v1/responses/{id}`" in said
    assert "`background: true` is refused with 400" in said
