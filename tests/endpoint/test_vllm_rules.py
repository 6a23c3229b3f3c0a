"""The corrections of §11 of the shared vLLM wire reference, one test (or more) per row, each naming the vLLM 0.33.0
function it follows. The rows were checked against the released wheel's source (`pip download vllm==0.33.0`)."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import re
import time
from pathlib import Path

import openai_harmony as hm
import pytest
import requests

from grader.endpoint import config, generation, harmony
from grader.endpoint.recordings import load

MODEL = config.SERVED_MODEL
TWO_PLUS_TWO = [{"role": "user", "content": "2+2?"}]  # fidelity.json's "plain": reasoning, then "2 + 2 = 4."
REASONING = "User asks 2+2. Answer 4."
TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
RECORDINGS = sorted((Path(__file__).parents[2] / "recordings").glob("*.json"))


def count(text: str) -> int:
    return len(harmony.encoding().encode(text, allowed_special="all"))


def chat(post, **body) -> dict:
    response = post("/v1/chat/completions", {"model": MODEL, "messages": TWO_PLUS_TWO, **body})
    assert response.status_code == 200, response.text
    return response.json()


def stream(post, **body) -> list[dict]:
    response = post("/v1/chat/completions", {"model": MODEL, "messages": TWO_PLUS_TWO, "stream": True, **body})
    return [json.loads(line[6:]) for line in response.text.split("\n\n") if line.startswith("data: {")]


def finish_chunk(chunks: list[dict]) -> dict:
    return next(c["choices"][0] for c in chunks if c["choices"] and c["choices"][0].get("finish_reason"))


# --- C1 --------------------------------------------------------------------------------------------------------------

@pytest.mark.vllm_rule("C1")
def test_the_harmony_library_is_the_servers() -> None:
    """vLLM 0.33.0's METADATA: Requires-Dist oss-harmony>=0.0.11; the same `openai_harmony` module, never both."""
    assert importlib.metadata.version("oss-harmony") == "0.0.11"
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        importlib.metadata.version("openai-harmony")


# --- C2 --------------------------------------------------------------------------------------------------------------

@pytest.mark.vllm_rule("C2")
def test_reasoning_tokens_are_the_analysis_texts_own_tokens(post) -> None:
    """HarmonyParser._is_reasoning_token: only non-special tokens read in `analysis` count."""
    usage = chat(post)["usage"]
    assert usage["completion_tokens_details"] == {"reasoning_tokens": count(REASONING)}
    assert usage["completion_tokens"] == count(f"<|channel|>analysis<|message|>{REASONING}<|end|><|start|>assistant"
                                               "<|channel|>final<|message|>2 + 2 = 4.<|return|>")
    streamed = stream(post, stream_options={"include_usage": True})[-1]["usage"]
    assert streamed == {k: v for k, v in usage.items() if v is not None}


@pytest.mark.vllm_rule("C2")
def test_tool_call_arguments_count_as_reasoning(post) -> None:
    """HarmonyParser.count_reasoning_tokens: `commentary` to a recipient counts too; the header does not."""
    data = chat(post, tools=TOOLS, messages=[{"role": "user", "content": "Weather in Paris?"}])
    arguments = data["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
    assert arguments == '{"city": "Paris"}'  # re-serialized by json.dumps(json.loads(...)) in HarmonyParser.parse
    assert data["usage"]["completion_tokens_details"]["reasoning_tokens"] == (
        count("Need weather; call tool.") + count('{"city":"Paris"}'))


@pytest.mark.vllm_rule("C2")
def test_reasoning_tokens_of_a_cut_reply_stop_at_the_budget(post) -> None:
    """count_reasoning_tokens runs over the generated ids, so a reply cut by max_tokens counts only its tokens."""
    usage = chat(post, max_tokens=5)["usage"]  # <|channel|> analysis <|message|> User  asks
    assert (usage["completion_tokens"], usage["completion_tokens_details"]["reasoning_tokens"]) == (5, 2)


# --- C3, C4 ----------------------------------------------------------------------------------------------------------

def _prompt_of(post, tokens: int) -> list[dict]:
    """A lone user message whose prompt is exactly `tokens` long (eight a's are one token)."""
    frame = chat(post, messages=[{"role": "user", "content": ""}], max_tokens=1)["usage"]["prompt_tokens"]
    messages = [{"role": "user", "content": "a" * 8 * (tokens - frame)}]
    assert len(harmony.chat_prompt_tokens({"messages": messages})) == tokens
    return messages


@pytest.mark.vllm_rule("C3")
def test_an_oversized_harmony_prompt_gets_get_max_tokens_message(post) -> None:
    """api_utils.get_max_tokens raises ValueError: 400, BadRequestError, param null (the renderer's check is skipped)."""
    response = post("/v1/chat/completions", {"model": MODEL, "messages": _prompt_of(post, 131_080)})
    assert response.status_code == 400
    assert response.text == ('{"error":{"message":"Input length (131080) exceeds model\'s maximum context length '
                             '(131072).","type":"BadRequestError","param":null,"code":400}}')


@pytest.mark.vllm_rule("C3")
def test_raw_completions_keep_the_renderers_length_message(post) -> None:
    """renderers/params.py::_token_len_check: /v1/completions still answers with the parameter and value."""
    error = post("/v1/completions", {"model": MODEL, "prompt": "hello " * 140_000}).json()["error"]
    assert error["param"] == "input_tokens" and error["message"].startswith("This model's maximum context length")


@pytest.mark.vllm_rule("C4")
def test_the_budget_is_clamped_to_the_room_left(post) -> None:
    """get_max_tokens: min(max_model_len - prompt, max_tokens); with no max_tokens the budget is the room."""
    messages = _prompt_of(post, config.MAX_MODEL_LEN - 3)
    for asked in ({}, {"max_tokens": 1_000_000}, {"max_completion_tokens": 1_000_000}):
        data = chat(post, messages=messages, **asked)
        assert data["usage"]["completion_tokens"] == 3 and data["choices"][0]["finish_reason"] == "length"


# --- C5 --------------------------------------------------------------------------------------------------------------

@pytest.mark.vllm_rule("C5")
def test_the_token_that_completes_a_stop_string_stays_in_content(post) -> None:
    """detokenizer.check_stop_strings cuts the text; HarmonyParser.parse re-reads the kept token ids."""
    choice = chat(post, stop=["= 4"])["choices"][0]
    assert (choice["message"]["content"], choice["finish_reason"], choice["stop_reason"]) == ("2 + 2 = 4", "stop", "= 4")


@pytest.mark.vllm_rule("C5")
def test_stop_strings_also_match_the_reasoning_and_the_header_words(post) -> None:
    """The stop check reads the text decoded with special tokens skipped: `analysis`, reasoning, `assistant`, `final`."""
    in_reasoning = chat(post, stop=["Answer"])["choices"][0]
    assert in_reasoning["message"]["reasoning"] == "User asks 2+2. Answer"
    assert (in_reasoning["message"]["content"], in_reasoning["stop_reason"]) == (None, "Answer")
    header = chat(post, stop=["final"])["choices"][0]
    assert header["message"]["content"] == "<|start|>assistant<|channel|>final"  # HarmonyParser.flush's fallback
    assert header["message"]["reasoning"] == REASONING
    assert chat(post, stop=["analysis"])["choices"][0]["message"]["content"] == "<|channel|>analysis"


@pytest.mark.vllm_rule("C5")
def test_the_stop_string_that_completes_first_wins(post) -> None:
    """check_stop_strings prefers the earliest end, then the earlier list entry; a stop beats the budget."""
    assert chat(post, stop=["= 4.", "2 + 2"])["choices"][0]["stop_reason"] == "2 + 2"
    budget = count("<|channel|>analysis<|message|>User")
    choice = chat(post, stop=["User"], max_tokens=budget)["choices"][0]
    assert (choice["finish_reason"], choice["stop_reason"]) == ("stop", "User")


# --- C6 --------------------------------------------------------------------------------------------------------------

@pytest.mark.vllm_rule("C6")
def test_a_budget_that_ends_in_a_header_returns_the_raw_header(post) -> None:
    """HarmonyParser.flush: process_eos fails inside a header, and the decoded tokens become content."""
    assert chat(post, max_tokens=1)["choices"][0]["message"]["content"] == "<|channel|>"
    to_start = count(f"<|channel|>analysis<|message|>{REASONING}<|end|><|start|>assistant")
    cut = chat(post, max_tokens=to_start)["choices"][0]["message"]
    assert (cut["content"], cut["reasoning"]) == ("<|start|>assistant", REASONING)
    assert finish_chunk(stream(post, max_tokens=1))["delta"] == {"content": "<|channel|>"}


@pytest.mark.vllm_rule("C6")
def test_a_budget_that_ends_after_a_message_marker_leaves_content_null(post) -> None:
    """process_eos succeeds inside a message body, so nothing falls back: content stays null."""
    message = chat(post, max_tokens=4)["choices"][0]["message"]
    assert (message["content"], message["reasoning"]) == (None, "User")


def test_a_token_the_parser_refuses_is_skipped() -> None:
    """HarmonyParser.process_chunk catches HarmonyError and goes on with the next token."""
    tokens = tuple(harmony.encoding().encode("<|channel|>analysis<|message|>ok<|end|><|end|><|start|>assistant"
                                             "<|channel|>final<|message|>Hi<|return|>", allowed_special="all"))
    parsed = generation.parse(tokens)
    assert (parsed.reasoning, parsed.content, parsed.reasoning_tokens, len(parsed.deltas)) == ("ok", "Hi", 1, 13)


# --- C7 --------------------------------------------------------------------------------------------------------------

@pytest.mark.vllm_rule("C7")
def test_a_split_character_is_carried_by_the_token_that_completes_it() -> None:
    """logprobs._verify_tokens and _correct_decoded_token: "" for an unfinished piece, the whole character after."""
    tokens = tuple(harmony.encoding().encode("I love 🦀 crabs", allowed_special="all"))
    texts = generation.logprob_tokens(tokens)
    assert texts[:5] == ["I", " love", "", "", " 🦀"] and "".join(texts) == "I love 🦀 crabs"
    assert [list(t.encode()) for t in texts[2:4]] == [[], []]


# --- C8 --------------------------------------------------------------------------------------------------------------

@pytest.mark.vllm_rule("C8")
def test_the_finish_chunk_carries_the_last_steps_text(post) -> None:
    """chat_completion_stream_generator_raw: the finishing step's delta rides in the finish chunk."""
    assert finish_chunk(stream(post, max_tokens=5))["delta"] == {"reasoning": " asks"}
    stopped = finish_chunk(stream(post, stop=["= 4"]))
    assert (stopped["delta"], stopped["stop_reason"]) == ({"content": "4"}, "= 4")  # " " and "4" are two tokens
    natural = finish_chunk(stream(post))
    assert (natural["delta"], natural["finish_reason"]) == ({}, "stop")  # <|return|> shows nothing


@pytest.mark.vllm_rule("C8")
def test_one_chunk_per_engine_step(post) -> None:
    """One token per step (stream_interval 1, no speculative decoding): a chunk per token that shows text."""
    chunks = stream(post)
    deltas = [c["choices"][0]["delta"] for c in chunks[1:-1]]
    assert "".join(d.get("reasoning", "") for d in deltas) == REASONING
    assert len([d for d in deltas if "reasoning" in d]) == count(REASONING)
    assert len([d for d in deltas if "content" in d]) == count("2 + 2 = 4.")


# --- C9 --------------------------------------------------------------------------------------------------------------

@pytest.mark.vllm_rule("C9")
def test_a_mid_stream_engine_error_is_one_compact_event(post) -> None:
    """_raise_if_error raises GenerationError("Internal server error"); the generator yields its ErrorResponse,
    serialized with model_dump_json() (compact) like every chunk, then [DONE]; no finish chunk follows."""
    body = {"model": MODEL, "stream": True, "messages": [{"role": "user", "content": "please explode"}]}
    text = post("/v1/chat/completions", body).text
    assert text.endswith('data: {"error":{"message":"Internal server error","type":"InternalServerError",'
                         '"param":null,"code":500}}\n\ndata: [DONE]\n\n')
    assert '"finish_reason":"' not in text


# --- C10 -------------------------------------------------------------------------------------------------------------

@pytest.mark.vllm_rule("C10")
def test_created_is_taken_before_the_engine_answers(post) -> None:
    """chat_completion_full_generator sets created_time before it waits for the engine (2.5 s here)."""
    created = chat(post, messages=[{"role": "user", "content": "answer slowly"}])["created"]
    assert created <= int(time.time()) - 2


# --- C11 -------------------------------------------------------------------------------------------------------------

@pytest.mark.vllm_rule("C11")
def test_a_preamble_without_recipient_is_content() -> None:
    """_SegmentType.from_channel_and_recipient: `commentary` without a recipient is CONTENT."""
    enc = harmony.encoding()
    preamble = hm.Message.from_role_and_content(hm.Role.ASSISTANT, "Let me check.").with_channel("commentary")
    call = (hm.Message.from_role_and_content(hm.Role.ASSISTANT, "{}").with_channel("commentary")
            .with_recipient("functions.get_weather").with_content_type("<|constrain|>json"))
    parsed = generation.parse(tuple((enc.render(preamble) + enc.render(call))[2:]))
    assert parsed.content == "Let me check." and [c.name for c in parsed.tool_calls] == ["get_weather"]


@pytest.mark.vllm_rule("C11")
def test_a_tool_call_is_dropped_unless_the_server_keeps_it(post) -> None:
    """message_assembly.keeps_tool_calls: tool_choice "none" (or a server without --enable-auto-tool-choice)
    drops the call: content null, finish_reason "stop", stop_reason 200012 (<|call|>)."""
    ask = [{"role": "user", "content": "Weather in Paris?"}]
    kept = chat(post, tools=TOOLS, messages=ask)["choices"][0]
    assert (kept["finish_reason"], kept["stop_reason"]) == ("tool_calls", 200012)
    dropped = chat(post, tools=TOOLS, tool_choice="none", messages=ask)["choices"][0]
    assert "tool_calls" not in dropped["message"] and dropped["message"]["content"] is None
    assert (dropped["finish_reason"], dropped["stop_reason"]) == ("stop", 200012)
    named = chat(post, tools=TOOLS, messages=ask, tool_choice={"type": "function", "function": {"name": "get_weather"}})
    assert named["choices"][0]["finish_reason"] == "stop"  # resolve_finish_reason: a forced named tool says "stop"
    assert named["choices"][0]["message"]["content"] == ""  # assemble_chat_message_fields: content or ""


@pytest.mark.vllm_rule("C11")
def test_every_recording_states_the_server_flags_it_assumes() -> None:
    """The flags decide what reaches the client; they are written once in config.py and in every provenance."""
    assert config.SERVER_FLAGS == "--enable-auto-tool-choice --tool-call-parser openai --max-model-len 131072"
    for path in [*RECORDINGS, Path(__file__).with_name("fidelity.json")]:
        assert load(path).provenance.server_flags == config.SERVER_FLAGS, path.name


# --- C12 -------------------------------------------------------------------------------------------------------------

@pytest.mark.vllm_rule("C12")
def test_chat_template_fields_are_ignored(post) -> None:
    """OnlineRenderer.render_chat: the harmony branch neither validates nor applies a request's chat_template."""
    plain = chat(post)["usage"]["prompt_tokens"]
    templated = chat(post, chat_template="{{ messages }}", chat_template_kwargs={"enable_thinking": False})
    assert templated["usage"]["prompt_tokens"] == plain


# --- C13 -------------------------------------------------------------------------------------------------------------

@pytest.mark.vllm_rule("C13")
def test_every_429_is_marked_as_a_gateways() -> None:
    """vllm/exceptions.py and create_error_response have no 429: a recorded 429 stands for a gateway."""
    found = 0
    for path in RECORDINGS:
        for interaction in load(path).interactions:
            if any(r.status == 429 for r in interaction.responses or [interaction.response]):
                assert interaction.provenance is not None and "gateway" in interaction.provenance.note
                assert "never sends 429" in interaction.provenance.note
                found += 1
    assert found >= 3


# --- C14 -------------------------------------------------------------------------------------------------------------

@pytest.mark.vllm_rule("C14")
@pytest.mark.parametrize(("effort", "message"), [
    ("minimal", "reasoning_effort='minimal' is not supported by Harmony. Supported values are: high, medium, low. "
                "(parameter=reasoning_effort)"),
    ("none", "Harmony does not support reasoning_effort='none' (parameter=reasoning_effort)"),
])
def test_harmony_refuses_other_efforts(post, effort: str, message: str) -> None:
    """harmony_utils.get_system_message and _make_request_with_harmony raise VLLMValidationError."""
    response = post("/v1/chat/completions", {"model": MODEL, "messages": TWO_PLUS_TWO, "reasoning_effort": effort})
    assert response.status_code == 400
    assert response.json()["error"] == {"message": message, "type": "BadRequestError", "param": "reasoning_effort",
                                        "code": 400}


@pytest.mark.vllm_rule("C14")
def test_a_later_system_message_becomes_a_developer_message() -> None:
    """get_system_or_developer_message: without VLLM_GPT_OSS_HARMONY_SYSTEM_INSTRUCTIONS, developer instructions."""
    prompt = harmony.decode(harmony.chat_prompt_tokens({"messages": [
        {"role": "user", "content": "Hi"}, {"role": "system", "content": "Be brief."}]}))
    assert "<|start|>user<|message|>Hi<|end|><|start|>developer<|message|># Instructions\n\nBe brief.<|end|>" in prompt
    assert prompt.count("<|start|>system<|message|>") == 1


# --- C15 -------------------------------------------------------------------------------------------------------------

@pytest.mark.vllm_rule("C15")
def test_the_helpers_outside_v1_need_no_key(fidelity) -> None:
    """middleware/authenticate.py guards only /v1, /v2, /inference and /cohere (GUARDED_PREFIX)."""
    assert requests.get(fidelity.root_url + "/v1/models", timeout=10).status_code == 401
    assert requests.get(fidelity.root_url + "/version", timeout=10).json() == {"version": config.VLLM_VERSION}
    counted = requests.post(fidelity.root_url + "/tokenize", json={"prompt": "Hello world"}, timeout=10).json()
    assert counted["count"] == 2  # add_special_tokens (true by default) adds nothing to o200k_harmony text


# --- C16 -------------------------------------------------------------------------------------------------------------

@pytest.mark.vllm_rule("C16")
def test_request_ids_without_the_header_flag(post) -> None:
    """middleware/x_request_id.py is installed only with --enable-request-id-headers, which config.py leaves off;
    _base_request_id still takes the client's X-Request-Id for the response id."""
    response = post("/v1/chat/completions", {"model": MODEL, "messages": TWO_PLUS_TWO},
                    headers={"X-Request-Id": "trace-42"})
    assert "x-request-id" not in response.headers
    assert response.json()["id"] == "chatcmpl-trace-42"
    assert "--enable-request-id-headers" not in config.SERVER_FLAGS


@pytest.mark.vllm_rule("C16")
def test_unknown_request_fields_are_accepted(post) -> None:
    """__log_extra_fields__ only logs fields the request model does not know (at DEBUG)."""
    assert chat(post, no_such_field=1, another={"x": 1})["choices"][0]["message"]["content"] == "2 + 2 = 4."


# --- every row -------------------------------------------------------------------------------------------------------

def test_every_row_of_section_11_has_a_marked_test() -> None:
    """Each row C2-C16 is pinned by at least one test marked vllm_rule("Cn") somewhere under tests/."""
    marked: set[str] = set()
    for path in Path(__file__).parents[1].rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "pytest.mark.vllm_rule":
                marked.update(arg.value for arg in node.args if isinstance(arg, ast.Constant))
    assert {f"C{n}" for n in range(2, 17)} <= marked
    assert all(re.fullmatch(r"C\d+", row) for row in marked)
