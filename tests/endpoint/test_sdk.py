"""The real openai SDK (3.x, over httpx2) against the endpoint, and the SDK's own types."""

from __future__ import annotations


import openai
import pytest
import requests
from openai.types import Model
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from pydantic import BaseModel

from grader.endpoint import config

MODEL = config.SERVED_MODEL
HI = [{"role": "user", "content": "What is 2+2?"}]


@pytest.fixture
def client(fidelity, fsession) -> openai.OpenAI:
    return openai.OpenAI(base_url=fidelity.base_url, api_key=fsession.api_key)


def test_plain_call(client) -> None:
    response = client.chat.completions.create(model=MODEL, messages=HI)
    assert isinstance(response, ChatCompletion)
    message = response.choices[0].message
    assert message.content == "2 + 2 = 4."
    assert message.reasoning == "User asks 2+2. Answer 4."  # vLLM's extra field, as a pydantic extra
    assert response.usage.completion_tokens_details.reasoning_tokens > 0
    assert response._request_id is None  # vLLM sends no x-request-id by default


def test_every_body_validates_against_sdk_types(post, fidelity, fsession) -> None:
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
    for extra in ({}, {"n": 3}, {"tools": tools}, {"max_tokens": 3}, {"stop": ["4"]}):
        ChatCompletion.model_validate(post("/v1/chat/completions", {"model": MODEL, "messages": HI, **extra}).json())
    stream = post("/v1/chat/completions", {"model": MODEL, "messages": HI, "stream": True, "tools": tools,
                                           "stream_options": {"include_usage": True}})
    for frame in stream.text.split("\n\n")[:-2]:
        ChatCompletionChunk.model_validate_json(frame.removeprefix("data: "))
    listing = requests.get(fidelity.base_url + "/models", headers={"Authorization": f"Bearer {fsession.api_key}"})
    Model.model_validate(listing.json()["data"][0])


def test_stream_with_usage(client) -> None:
    text, usage = [], None
    for chunk in client.chat.completions.create(model=MODEL, messages=HI, stream=True,
                                                stream_options={"include_usage": True}):
        if chunk.choices:
            text.append(chunk.choices[0].delta.content or "")
        else:
            usage = chunk.usage
    assert "".join(text) == "2 + 2 = 4."
    assert usage is not None and usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_parse_with_pydantic(client) -> None:
    class City(BaseModel):
        city: str
        population: int

    parsed = client.chat.completions.parse(model=MODEL, messages=HI, response_format=City)
    assert parsed.choices[0].message.parsed == City(city="Paris", population=2100000)
    with pytest.raises(openai.LengthFinishReasonError):  # the budget ends inside the JSON
        client.chat.completions.parse(model=MODEL, messages=HI, response_format=City, max_tokens=12)
    with pytest.raises(openai.BadRequestError) as refused:  # validate_response_format
        client.chat.completions.create(model=MODEL, messages=HI, response_format={"type": "json_schema"})
    assert refused.value.body["message"] == ("When response_format type is 'json_schema', the 'json_schema' field "
                                             "must be provided. (parameter=response_format)")


def test_tool_call(client) -> None:
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]
    response = client.chat.completions.create(model=MODEL, messages=HI, tools=tools)
    call = response.choices[0].message.tool_calls[0]
    assert (call.function.name, call.function.arguments) == ("get_weather", '{"city": "Paris"}')
    assert response.choices[0].finish_reason == "tool_calls"


def test_models_list(client) -> None:
    models = list(client.models.list())
    assert [m.id for m in models] == [MODEL]
    assert models[0].model_extra["max_model_len"] == 131072


def test_with_raw_response(client) -> None:
    raw = client.chat.completions.with_raw_response.create(model=MODEL, messages=HI)
    assert raw.headers.get("content-type") == "application/json"
    assert raw.headers.get("server") == "uvicorn"
    assert raw.parse().choices[0].message.content == "2 + 2 = 4."


def test_sdk_retries_429_honouring_retry_after(client, fsession, sdk_sleeps) -> None:
    response = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "are you busy?"}])
    assert response.choices[0].message.content == "Now I can answer."
    attempts = [r for r in fsession.requests() if r.interaction == "rate-limited"]
    assert [r.status for r in attempts] == [429, 200]
    assert sdk_sleeps == [1.0] and attempts[1].started - attempts[0].started >= 1.0
    assert attempts[1].headers["x-stainless-retry-count"] == "1"


def test_error_classes(client, fidelity) -> None:
    with pytest.raises(openai.NotFoundError) as not_found:
        client.chat.completions.create(model="gpt-4o", messages=HI)
    assert str(not_found.value) == "Error code: 404 - The model `gpt-4o` does not exist. Valid aliases: openai/gpt-oss-120b."
    with pytest.raises(openai.BadRequestError) as too_long:
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "word " * 140_000}])
    assert too_long.value.code == "400" and too_long.value.param is None
    with pytest.raises(openai.AuthenticationError) as unauthorized:
        openai.OpenAI(base_url=fidelity.base_url, api_key="wrong").chat.completions.create(model=MODEL, messages=HI)
    assert str(unauthorized.value) == "Error code: 401" and unauthorized.value.body == "Unauthorized"


def test_mid_stream_error_raises_api_error(client) -> None:
    stream = client.chat.completions.create(model=MODEL, stream=True,
                                            messages=[{"role": "user", "content": "please explode"}])
    with pytest.raises(openai.APIError) as raised:
        for _ in stream:
            pass
    assert not isinstance(raised.value, openai.APIStatusError)
    assert "Internal server error" in str(raised.value)


def test_async_client(fidelity, fsession) -> None:
    import asyncio

    async def main() -> str:
        async with openai.AsyncOpenAI(base_url=fidelity.base_url, api_key=fsession.api_key) as aclient:
            answer = await aclient.chat.completions.create(model=MODEL, messages=HI)
            return answer.choices[0].message.content

    assert asyncio.run(main()) == "2 + 2 = 4."
