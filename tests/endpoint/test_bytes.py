"""Byte-level fidelity to vLLM 0.33.0: key order, separators, null vs. absent, framing, headers."""

from __future__ import annotations

import json
import re

import requests

from grader.endpoint import config

MODEL = config.SERVED_MODEL
CHAT = {"model": MODEL, "messages": [{"role": "user", "content": "What is 2+2?"}]}


def _fill(template: str, body: dict) -> str:
    """The reference example with this response's per-request values put in."""
    usage = body["usage"]
    return (template.replace("ID", body["id"]).replace("CREATED", str(body["created"]))
            .replace("PT", str(usage["prompt_tokens"])).replace("TT", str(usage["total_tokens"]))
            .replace("CT", str(usage["completion_tokens"]))
            .replace("RT", str(usage["completion_tokens_details"]["reasoning_tokens"])))


def test_chat_completion_bytes(post) -> None:
    response = post("/v1/chat/completions", CHAT)
    body = response.json()
    expected = _fill(
        '{"id":"ID","object":"chat.completion","created":CREATED,"model":"openai/gpt-oss-120b","choices":[{"index":0,'
        '"message":{"role":"assistant","content":"2 + 2 = 4.","refusal":null,"annotations":null,"audio":null,'
        '"function_call":null,"reasoning":"User asks 2+2. Answer 4."},"logprobs":null,"finish_reason":"stop",'
        '"stop_reason":null,"token_ids":null,"routed_experts":null,"weight_versions":null}],"service_tier":null,'
        f'"system_fingerprint":"{config.SYSTEM_FINGERPRINT}","usage":{{"prompt_tokens":PT,"total_tokens":TT,'
        '"completion_tokens":CT,"prompt_tokens_details":null,"completion_tokens_details":{"reasoning_tokens":RT}},'
        '"prompt_logprobs":null,"prompt_token_ids":null,"prompt_text":null,"kv_transfer_params":null,'
        '"ec_transfer_params":null,"metrics":null}',
        body,
    )
    assert response.content.decode() == expected
    assert re.fullmatch(r"chatcmpl-[0-9a-f]{16}", body["id"])


def test_json_headers_are_uvicorns(post) -> None:
    response = post("/v1/chat/completions", CHAT)
    assert list(response.headers) == ["date", "server", "content-length", "content-type"]
    assert response.headers["server"] == "uvicorn"
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["content-length"]) == len(response.content)
    assert "x-request-id" not in response.headers


def test_raw_utf8_not_escaped(post) -> None:
    body = post("/v1/chat/completions", {**CHAT, "n": 3}).content
    assert b"\\u" not in body
    assert body.startswith(b'{"id":"chatcmpl-') and b", " not in body.split(b'"reasoning"')[0]


def test_tool_call_bytes(post) -> None:
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
    text = post("/v1/chat/completions", {**CHAT, "tools": tools}).content.decode()
    call = re.search(r'"message":\{.*?\},"logprobs"', text).group(0)
    assert re.fullmatch(
        r'"message":\{"role":"assistant","content":null,"refusal":null,"annotations":null,"audio":null,'
        r'"function_call":null,"tool_calls":\[\{"id":"chatcmpl-tool-[0-9a-f]{16}","type":"function",'
        r'"function":\{"name":"get_weather","arguments":"\{\\"city\\": \\"Paris\\"\}"\}\}\],'
        r'"reasoning":"Need weather; call tool\."\},"logprobs"', call)
    assert '"finish_reason":"tool_calls","stop_reason":200012' in text


def test_no_tool_calls_key_when_empty(post) -> None:
    assert b'"tool_calls"' not in post("/v1/chat/completions", CHAT).content


def _events(response) -> list[str]:
    raw = response.content.decode()
    assert raw.endswith("\n\n")
    frames = raw.split("\n\n")[:-1]
    assert all(f.startswith("data: ") and "\n" not in f for f in frames)
    return [f.removeprefix("data: ") for f in frames]


def test_stream_framing_and_chunk_order(post) -> None:
    response = post("/v1/chat/completions", {**CHAT, "stream": True, "stream_options": {"include_usage": True}})
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["transfer-encoding"] == "chunked"
    events = _events(response)
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    head = f'{{"id":"{chunks[0]["id"]}","object":"chat.completion.chunk","created":{chunks[0]["created"]},"model":"{MODEL}",'
    assert events[0] == head + ('"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,'
                                '"finish_reason":null}],"prompt_token_ids":null,"prompt_text":null}')
    assert events[1] == head + ('"choices":[{"index":0,"delta":{"reasoning":"User"},"logprobs":null,'
                                '"finish_reason":null,"token_ids":null}],"kv_transfer_params":null}')
    kinds = [next(iter(c["choices"][0]["delta"]), "") if c["choices"] else "usage" for c in chunks]
    first_content = kinds.index("content")
    assert set(kinds[1:first_content]) == {"reasoning"}
    assert events[-3] == head + ('"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop",'
                                 '"stop_reason":null,"token_ids":null,"weight_versions":null}],"kv_transfer_params":null}')
    usage = chunks[-1]["usage"]
    assert events[-2] == head + (f'"choices":[],"usage":{{"prompt_tokens":{usage["prompt_tokens"]},'
                                 f'"total_tokens":{usage["total_tokens"]},"completion_tokens":{usage["completion_tokens"]},'
                                 f'"completion_tokens_details":{{"reasoning_tokens":{usage["completion_tokens_details"]["reasoning_tokens"]}}}}},'
                                 f'"system_fingerprint":"{config.SYSTEM_FINGERPRINT}"}}')
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"]) == "2 + 2 = 4."
    assert len({c["id"] for c in chunks}) == 1


def test_stream_without_usage_stamps_fingerprint_on_last_choice(post) -> None:
    events = _events(post("/v1/chat/completions", {**CHAT, "stream": True}))
    assert events[-1] == "[DONE]"
    assert events[-2].endswith(f'"weight_versions":null}}],"system_fingerprint":"{config.SYSTEM_FINGERPRINT}",'
                               '"kv_transfer_params":null}')
    assert '"usage"' not in "".join(events)


def test_streamed_tool_call_deltas(post) -> None:
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
    chunks = [json.loads(e) for e in _events(post("/v1/chat/completions", {**CHAT, "tools": tools, "stream": True}))[:-1]]
    calls = [c["choices"][0]["delta"]["tool_calls"][0] for c in chunks if "tool_calls" in c["choices"][0]["delta"]]
    assert list(calls[0]) == ["id", "type", "index", "function"]
    assert calls[0]["function"] == {"name": "get_weather", "arguments": ""}
    assert all(list(c) == ["index", "function"] for c in calls[1:])
    assert "".join(c["function"]["arguments"] for c in calls) == '{"city":"Paris"}'  # raw model text when streamed
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_mid_stream_error_event(post) -> None:
    body = {**CHAT, "stream": True, "messages": [{"role": "user", "content": "please explode"}]}
    response = post("/v1/chat/completions", body)
    assert response.status_code == 200
    events = _events(response)
    assert events[-1] == "[DONE]"
    assert events[-2] == '{"error":{"message":"Internal server error","type":"InternalServerError","param":null,"code":500}}'


def test_models_bytes(fidelity, fsession) -> None:
    response = requests.get(fidelity.base_url + "/models", headers={"Authorization": f"Bearer {fsession.api_key}"})
    body = response.json()
    perm = body["data"][0]["permission"][0]
    created = body["data"][0]["created"]
    assert response.text == (
        f'{{"object":"list","data":[{{"id":"{MODEL}","object":"model","created":{created},"owned_by":"vllm",'
        f'"root":"{MODEL}","parent":null,"max_model_len":131072,"permission":[{{"id":"{perm["id"]}",'
        f'"object":"model_permission","created":{created},"allow_create_engine":false,"allow_sampling":true,'
        '"allow_logprobs":true,"allow_search_indices":false,"allow_view":true,"allow_fine_tuning":false,'
        '"organization":"*","group":null,"is_blocking":false}]}]}')
    assert re.fullmatch(r"modelperm-[0-9a-f]{16}", perm["id"])


def test_tokenize_and_detokenize(post) -> None:
    tokenized = post("/tokenize", {"prompt": "Hello world", "return_token_strs": True}).text
    assert tokenized == '{"count":2,"max_model_len":131072,"tokens":[13225,2375],"token_strs":["Hello","Ġworld"]}'
    assert post("/tokenize", {"prompt": "Hello world"}).json()["token_strs"] is None
    assert post("/detokenize", {"tokens": [13225, 2375]}).text == '{"prompt":"Hello world"}'


def test_version_and_health(fidelity) -> None:
    assert requests.get(fidelity.root_url + "/version").text == '{"version":"0.33.0"}'
    health = requests.get(fidelity.root_url + "/health")
    assert health.status_code == 200 and health.content == b""


def test_text_completion_shape(post) -> None:
    body = post("/v1/completions", {"model": MODEL, "prompt": "<|start|>user<|message|>hi<|end|><|start|>assistant",
                                    "max_tokens": 200}).json()
    assert list(body) == ["id", "object", "created", "model", "choices", "service_tier", "system_fingerprint",
                          "usage", "kv_transfer_params"]
    assert body["object"] == "text_completion" and re.fullmatch(r"cmpl-[0-9a-f]{16}", body["id"])
    assert body["usage"]["prompt_tokens"] == 7  # special-token text becomes single tokens
