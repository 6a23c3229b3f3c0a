"""`/v1/completions` with a raw harmony prompt through the real SDK: vLLM 0.33.0 tokenizes the prompt text with
special-token text as special tokens and returns the generated tokens detokenized with skip_special_tokens."""

from __future__ import annotations

import openai
import pytest

from grader.endpoint import config

MODEL = config.SERVED_MODEL
QUESTION = [{"role": "user", "content": "What is 2+2?"}]


@pytest.fixture
def client(fidelity, fsession) -> openai.OpenAI:
    return openai.OpenAI(base_url=fidelity.base_url, api_key=fsession.api_key, max_retries=0)


def test_raw_harmony_prompt_counts_like_chat(client, post) -> None:
    """OpenAIServingCompletion with the chat route's own prompt as text: the same prompt and completion token
    counts as chat; the text is the harmony output with its special tokens skipped (headers' words stay)."""
    tokens = post("/tokenize", {"model": MODEL, "messages": QUESTION}).json()["tokens"]
    prompt = post("/detokenize", {"model": MODEL, "tokens": tokens}).json()["prompt"]
    completion = client.completions.create(model=MODEL, prompt=prompt, max_tokens=200)
    chat = client.chat.completions.create(model=MODEL, messages=QUESTION)
    choice = completion.choices[0]
    assert choice.text == "analysisUser asks 2+2. Answer 4.assistantfinal2 + 2 = 4."
    assert choice.finish_reason == "stop"
    assert completion.usage.prompt_tokens == chat.usage.prompt_tokens == len(tokens)
    assert completion.usage.completion_tokens == chat.usage.completion_tokens


def test_raw_prompt_default_budget_is_16(client, post) -> None:
    """CompletionRequest.max_tokens defaults to 16: the reply is cut there, finish_reason "length"."""
    tokens = post("/tokenize", {"model": MODEL, "messages": QUESTION}).json()["tokens"]
    prompt = post("/detokenize", {"model": MODEL, "tokens": tokens}).json()["prompt"]
    completion = client.completions.create(model=MODEL, prompt=prompt)
    assert completion.choices[0].finish_reason == "length" and completion.usage.completion_tokens == 16
    assert "analysisUser asks 2+2. Answer 4.assistantfinal2 + 2 = 4.".startswith(completion.choices[0].text)


def test_skip_special_tokens_false_keeps_the_markers(client, post) -> None:
    """CompletionRequest.skip_special_tokens=False reaches the detokenizer: the harmony markers stay in `text`, and
    only the <|return|> that stopped generation (an EOS id of gpt-oss's generation_config) is left out of it."""
    tokens = post("/tokenize", {"model": MODEL, "messages": QUESTION}).json()["tokens"]
    prompt = post("/detokenize", {"model": MODEL, "tokens": tokens}).json()["prompt"]
    completion = client.completions.create(model=MODEL, prompt=prompt, max_tokens=200,
                                           extra_body={"skip_special_tokens": False})
    assert completion.choices[0].text == ("<|channel|>analysis<|message|>User asks 2+2. Answer 4.<|end|><|start|>"
                                          "assistant<|channel|>final<|message|>2 + 2 = 4.")
    assert completion.usage.completion_tokens == client.chat.completions.create(
        model=MODEL, messages=QUESTION).usage.completion_tokens
