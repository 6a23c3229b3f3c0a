"""prompt_tokens equals the harmony prompt vLLM 0.33.0 renders, counted in o200k tokens.

The expected prompts below are written out as text, from the harmony format itself, and tokenized
directly: they do not go through the endpoint's message conversion."""

from __future__ import annotations

import pytest

from grader.endpoint import config, harmony

MODEL = config.SERVED_MODEL
SYSTEM = ("<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\n"
          "Knowledge cutoff: 2024-06\nCurrent date: {date}\n\nReasoning: {effort}\n\n"
          "# Valid channels: analysis, commentary, final. Channel must be included for every message.{tools}<|end|>")
TOOLS_NOTE = "\nCalls to these tools must go to the commentary channel: 'functions'."


def system(effort: str = "medium", tools: bool = False) -> str:
    return SYSTEM.format(date=config.SYSTEM_START_DATE, effort=effort, tools=TOOLS_NOTE if tools else "")


def count(text: str) -> int:
    return len(harmony.encoding().encode(text, allowed_special="all"))


CASES = {
    "user only": (
        {"messages": [{"role": "user", "content": "Say hello."}]},
        system() + "<|start|>user<|message|>Say hello.<|end|><|start|>assistant",
    ),
    "system becomes developer instructions": (
        {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]},
        system() + "<|start|>developer<|message|># Instructions\n\nBe brief.<|end|>"
                   "<|start|>user<|message|>Hi<|end|><|start|>assistant",
    ),
    "developer role and effort": (
        {"messages": [{"role": "developer", "content": "Answer in French."}, {"role": "user", "content": "Hi"}],
         "reasoning_effort": "high"},
        system("high") + "<|start|>developer<|message|># Instructions\n\nAnswer in French.<|end|>"
                         "<|start|>user<|message|>Hi<|end|><|start|>assistant",
    ),
    "earlier turns, reasoning of answered turns dropped": (
        {"messages": [{"role": "user", "content": "Q1"},
                      {"role": "assistant", "content": "A1", "reasoning": "thinking about Q1"},
                      {"role": "user", "content": "Q2"}]},
        system() + "<|start|>user<|message|>Q1<|end|><|start|>assistant<|channel|>final<|message|>A1<|end|>"
                   "<|start|>user<|message|>Q2<|end|><|start|>assistant",
    ),
    "tools, a call and its result": (
        {"messages": [{"role": "user", "content": "Weather in Paris?"},
                      {"role": "assistant", "content": None, "reasoning": "Need the tool.",
                       "tool_calls": [{"id": "c1", "type": "function",
                                       "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}]},
                      {"role": "tool", "tool_call_id": "c1", "content": "18C"}],
         "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Get the weather",
                                                     "parameters": {"type": "object",
                                                                    "properties": {"city": {"type": "string"}}}}}]},
        system(tools=True) + "<|start|>developer<|message|># Tools\n\n## functions\n\nnamespace functions {\n\n"
        "// Get the weather\ntype get_weather = (_: {\ncity?: string,\n}) => any;\n\n} // namespace functions<|end|>"
        "<|start|>user<|message|>Weather in Paris?<|end|>"
        "<|start|>assistant<|channel|>analysis<|message|>Need the tool.<|end|>"
        "<|start|>assistant to=functions.get_weather<|channel|>commentary json<|message|>{\"city\":\"Paris\"}<|call|>"
        # oss-harmony writes the recipient after the channel; vLLM turns only assistant tool-call headers back
        "<|start|>functions.get_weather<|channel|>commentary to=assistant<|message|>18C<|end|><|start|>assistant",
    ),
    "reasoning_content, the deprecated name vLLM renames to reasoning when reasoning is unset": (
        {"messages": [{"role": "user", "content": "Weather?"},
                      {"role": "assistant", "content": None, "reasoning_content": "Need the tool.",
                       "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
                      {"role": "tool", "tool_call_id": "c1", "content": "18C"}]},
        system() + "<|start|>user<|message|>Weather?<|end|>"
        "<|start|>assistant<|channel|>analysis<|message|>Need the tool.<|end|>"
        "<|start|>assistant to=functions.f<|channel|>commentary json<|message|>{}<|call|>"
        "<|start|>functions.f<|channel|>commentary to=assistant<|message|>18C<|end|><|start|>assistant",
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_prompt_tokens_match_an_independent_rendering(name: str, post) -> None:
    body, expected = CASES[name]
    assert harmony.decode(harmony.chat_prompt_tokens(body)) == expected
    usage = post("/v1/chat/completions", {"model": MODEL, "max_tokens": 1, **body}).json()["usage"]
    assert usage["prompt_tokens"] == count(expected)
    tokenized = post("/tokenize", {"model": MODEL, **body}).json()
    assert tokenized["count"] == count(expected)


def _prompt_tokens(post, text: str) -> int:
    body = {"model": MODEL, "max_tokens": 1, "messages": [{"role": "user", "content": text}]}
    return post("/v1/chat/completions", body).json()["usage"]["prompt_tokens"]


def test_longer_costs_more_and_capitals_differ(post) -> None:
    sentence = "The quick brown fox jumps over the lazy dog."
    assert _prompt_tokens(post, "hi " * 50) > _prompt_tokens(post, "hi")
    assert _prompt_tokens(post, sentence.upper()) != _prompt_tokens(post, sentence)


def test_completion_tokens_and_truncation(post) -> None:
    full = post("/v1/chat/completions", {"model": MODEL, "messages": [{"role": "user", "content": "2+2?"}]}).json()
    expected = count("<|channel|>analysis<|message|>User asks 2+2. Answer 4.<|end|>"
                     "<|start|>assistant<|channel|>final<|message|>2 + 2 = 4.<|return|>")
    assert full["usage"]["completion_tokens"] == expected
    # only the analysis text's own tokens: not <|channel|>, the channel name, <|message|> or <|end|>
    assert full["usage"]["completion_tokens_details"]["reasoning_tokens"] == count("User asks 2+2. Answer 4.")
    cut = post("/v1/chat/completions", {"model": MODEL, "max_tokens": 4,
                                        "messages": [{"role": "user", "content": "2+2?"}]}).json()
    choice = cut["choices"][0]
    assert choice["finish_reason"] == "length" and choice["message"]["content"] is None
    assert choice["message"]["reasoning"] == "User"  # <|channel|> analysis <|message|> User
    assert cut["usage"]["completion_tokens"] == 4
    assert cut["usage"]["completion_tokens_details"]["reasoning_tokens"] == 1


def test_stop_string_cuts_content(post) -> None:
    body = post("/v1/chat/completions", {"model": MODEL, "stop": ["="],
                                         "messages": [{"role": "user", "content": "2+2?"}]}).json()
    choice = body["choices"][0]
    assert choice["message"]["content"] == "2 + 2 ="  # re-parsed from the token ids: the completing token stays
    assert (choice["finish_reason"], choice["stop_reason"]) == ("stop", "=")


def test_date_is_pinned() -> None:
    assert f"Current date: {config.SYSTEM_START_DATE}" in harmony.decode(
        harmony.chat_prompt_tokens({"messages": [{"role": "user", "content": "x"}]}))
