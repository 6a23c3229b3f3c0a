"""`POST /v1/responses` through the real SDK, as vLLM 0.33.0 serves gpt-oss (vllm/entrypoints/openai/responses/),
with the server's default VLLM_ENABLE_RESPONSES_API_STORE off. Each test names the vLLM function it follows."""

from __future__ import annotations

import json
import re

import openai
import pytest
import requests

from grader.endpoint import config

MODEL = config.SERVED_MODEL
QUESTION = "What is 2+2?"
PIRATE = "Talk like a pirate."
FRANCE = "What is the capital of France?"
HEX16 = "[0-9a-f]{16}"


@pytest.fixture
def client(fidelity, fsession) -> openai.OpenAI:
    return openai.OpenAI(base_url=fidelity.base_url, api_key=fsession.api_key, max_retries=0)


def test_create_follows_responses_full_generator(client) -> None:
    """responses_full_generator: a reasoning item then a message item (harmony_to_response_output), usage counted
    by the chat route's harmony accounting, max_output_tokens the room get_max_tokens leaves, no tools: "none"."""
    response = client.responses.create(model=MODEL, input=QUESTION)
    chat = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": QUESTION}])
    assert response.output_text == chat.choices[0].message.content == "2 + 2 = 4."
    reasoning, message = response.output
    assert (reasoning.type, reasoning.content[0].text, reasoning.status) == ("reasoning", "User asks 2+2. Answer 4.", None)
    assert (message.type, message.role, message.status) == ("message", "assistant", "completed")
    assert re.fullmatch(f"resp_{HEX16}", response.id) and re.fullmatch(f"rs_{HEX16}", reasoning.id)
    assert re.fullmatch(f"msg_{HEX16}", message.id) and message.content[0].logprobs is None
    usage = response.usage
    assert (usage.input_tokens, usage.output_tokens) == (chat.usage.prompt_tokens, chat.usage.completion_tokens)
    assert usage.output_tokens_details.reasoning_tokens == chat.usage.completion_tokens_details.reasoning_tokens
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    assert usage.input_tokens_details.input_tokens_per_turn == [usage.input_tokens]
    assert usage.output_tokens_details.output_tokens_per_turn == [usage.output_tokens]
    assert (response.status, response.incomplete_details, response.tool_choice) == ("completed", None, "none")
    assert response.max_output_tokens == config.MAX_MODEL_LEN - usage.input_tokens
    assert (response.temperature, response.top_p, response.top_logprobs) == (1.0, 1.0, None)


def test_instructions_render_like_a_system_message(client) -> None:
    """_render_responses_with_harmony: `instructions`, or a leading system message of a list `input`
    (extract_instructions_from_messages), go into build_harmony_preamble's developer message, as chat's do."""
    by_instructions = client.responses.create(model=MODEL, instructions=PIRATE, input=FRANCE)
    by_list = client.responses.create(model=MODEL, input=[{"role": "system", "content": PIRATE},
                                                          {"role": "user", "content": FRANCE}])
    chat = client.chat.completions.create(model=MODEL, messages=[{"role": "system", "content": PIRATE},
                                                                 {"role": "user", "content": FRANCE}])
    assert by_instructions.output_text == by_list.output_text == "Arr, 'tis Paris, matey!"
    assert by_instructions.usage.input_tokens == by_list.usage.input_tokens == chat.usage.prompt_tokens
    assert (by_instructions.instructions, by_list.instructions) == (PIRATE, None)


def test_input_items_response_input_to_harmony(client) -> None:
    """response_input_to_harmony: an earlier assistant message goes back on the final channel, so the prompt grows
    by exactly that turn as in the chat route, whose assistant reply is rendered the same way."""
    history = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"},
               {"role": "user", "content": QUESTION}]
    response = client.responses.create(model=MODEL, input=history)
    chat = client.chat.completions.create(model=MODEL, messages=history)
    assert response.usage.input_tokens == chat.usage.prompt_tokens
    parts = [{"role": "user", "content": [{"type": "input_text", "text": QUESTION}]}]
    assert client.responses.create(model=MODEL, input=parts).usage.input_tokens == \
        client.responses.create(model=MODEL, input=QUESTION).usage.input_tokens


def test_stream_follows_process_harmony_streaming_events(client) -> None:
    """responses_stream_generator and _process_harmony_streaming_events: created, in_progress, then per message
    item added / part added / deltas / text done / part done / item done, then completed; sequence numbers count up
    from 0 and the final response reuses the streamed item ids (reuse_streamed_item_ids)."""
    events = list(client.responses.create(model=MODEL, input=QUESTION, stream=True))
    kinds = [e.type for e in events]
    reasoning_deltas = kinds.count("response.reasoning_text.delta")
    text_deltas = kinds.count("response.output_text.delta")
    assert kinds == ["response.created", "response.in_progress",
                     "response.output_item.added", "response.content_part.added",
                     *["response.reasoning_text.delta"] * reasoning_deltas,
                     "response.reasoning_text.done", "response.content_part.done", "response.output_item.done",
                     "response.output_item.added", "response.content_part.added",
                     *["response.output_text.delta"] * text_deltas,
                     "response.output_text.done", "response.content_part.done", "response.output_item.done",
                     "response.completed"]
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert events[0].response.status == "in_progress" and events[0].response.output == []
    assert events[0].response.usage is None
    reasoning = "".join(e.delta for e in events if e.type == "response.reasoning_text.delta")
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert (reasoning, text) == ("User asks 2+2. Answer 4.", "2 + 2 = 4.")
    done = [e.item for e in events if e.type == "response.output_item.done"]
    assert [d.status for d in done] == ["completed", "completed"]
    final = events[-1].response
    assert [i.id for i in final.output] == [d.id for d in done]
    assert final.output[0].status is None  # rebuilt by harmony_to_response_output, not the done event's item
    whole = client.responses.create(model=MODEL, input=QUESTION)
    assert final.usage.model_dump() == whole.usage.model_dump()
    assert final.output_text == text


def test_stream_bytes_convert_stream_to_sse_events(fidelity, fsession) -> None:
    """_convert_stream_to_sse_events: `event: <type>` then `data: <compact JSON>`, no [DONE] at the end."""
    response = requests.post(fidelity.root_url + "/v1/responses", timeout=10, stream=True,
                             headers={"Authorization": f"Bearer {fsession.api_key}"},
                             json={"model": MODEL, "input": QUESTION, "stream": True})
    blocks = response.content.decode().split("\n\n")
    assert response.headers["content-type"].startswith("text/event-stream") and blocks[-1] == ""
    first_line, data_line = blocks[0].split("\n")
    assert first_line == "event: response.created" and data_line.startswith('data: {"response":{"id":"resp_')
    assert all(json.loads(b.split("\ndata: ")[1])["type"] == b.split("\n")[0][7:] for b in blocks[:-1])
    assert "[DONE]" not in response.text


def test_body_field_order_from_request(post) -> None:
    """ResponsesResponse.from_request, dumped by model_dump(mode="json"): every field, in the model's order."""
    body = post("/v1/responses", {"model": MODEL, "input": QUESTION}).json()
    assert list(body)[:8] == ["id", "created_at", "incomplete_details", "instructions", "metadata", "model",
                              "object", "output"]
    assert list(body)[-6:] == ["presence_penalty", "frequency_penalty", "kv_transfer_params", "ec_transfer_params",
                               "input_messages", "output_messages"]
    assert list(body["usage"]["input_tokens_details"]) == ["cached_tokens", "cache_write_tokens",
                                                           "input_tokens_per_turn", "cached_tokens_per_turn"]


def test_budget_cut_is_incomplete(client) -> None:
    """responses_full_generator: finish "length" makes the status "incomplete" with incomplete_details
    max_output_tokens (from_request); the flushed last message is marked incomplete; streamed, the terminal
    event is response.incomplete."""
    response = client.responses.create(model=MODEL, input=QUESTION, max_output_tokens=20)
    assert (response.status, response.incomplete_details.reason) == ("incomplete", "max_output_tokens")
    assert response.usage.output_tokens == response.max_output_tokens == 20
    assert response.output[-1].type == "message" and response.output[-1].status == "incomplete"
    assert "2 + 2 = 4.".startswith(response.output_text) and response.output_text != "2 + 2 = 4."
    events = list(client.responses.create(model=MODEL, input=QUESTION, max_output_tokens=20, stream=True))
    assert events[-1].type == "response.incomplete" and events[-1].response.status == "incomplete"


def test_store_is_off_by_default(client) -> None:
    """_create_responses without VLLM_ENABLE_RESPONSES_API_STORE: store=True is accepted and dropped, so
    previous_response_id and retrieve_responses find nothing (_make_not_found_error) and background is refused."""
    first = client.responses.create(model=MODEL, input=QUESTION, store=True)
    with pytest.raises(openai.NotFoundError) as later:
        client.responses.create(model=MODEL, input="And 3+3?", previous_response_id=first.id)
    assert later.value.body["message"] == f"Response with id '{first.id}' not found."
    assert later.value.body["param"] == "response_id" and later.value.body["type"] == "invalid_request_error"
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(first.id)
    with pytest.raises(openai.BadRequestError) as background:
        client.responses.create(model=MODEL, input=QUESTION, background=True)
    assert "does not support `store=True`" in background.value.body["message"]
    with pytest.raises(openai.BadRequestError) as unstored:
        client.responses.create(model=MODEL, input=QUESTION, background=True, store=False)
    assert unstored.value.body["message"] == "background can only be used when `store` is true (parameter=background)"


@pytest.mark.parametrize(("extra", "message"), [
    ({"include": ["message.output_text.logprobs"]}, "logprobs are not supported with gpt-oss models"),
    ({"reasoning": {"effort": "minimal"}},
     "reasoning_effort='minimal' is not supported by Harmony. Supported values are: high, medium, low. "
     "(parameter=reasoning_effort)"),
    ({"max_output_tokens": 200_000}, "max_output_tokens=200000 cannot be greater than max_model_len=131072. "
     "Please request fewer output tokens. (parameter=max_output_tokens, value=200000)"),
    ({"tool_choice": "required"}, "Tool choice 'required' must be specified with 'tools' parameter. "
     "(parameter=tool_choice)"),
    ({"temperature": 3}, "temperature must be in [0, 2], got 3.0. (parameter=temperature, value=3.0)"),
    ({"max_output_tokens": 0}, "max_tokens must be at least 1, got 0. (parameter=max_tokens, value=0)"),
    ({"tools": [{"type": "mcp", "server_label": "docs"}]}, "tool type 'mcp' is not supported. (parameter=tools)"),
    ({"input": [{"type": "function_call_output", "call_id": "call_1", "output": "18C"}]},
     "No call message found for call_1 (parameter=input)"),
])
def test_rejections(client, extra, message) -> None:
    """_validate_create_responses_input, get_system_message, TokenizeParams, check_tool_usage,
    get_developer_message, response_input_to_harmony and SamplingParams._verify_args refuse these with a 400
    and these words."""
    with pytest.raises(openai.BadRequestError) as refused:
        client.responses.create(**{"model": MODEL, "input": QUESTION, **extra})
    assert refused.value.body["message"] == message


def test_reasoning_effort_reaches_the_system_message(client) -> None:
    """get_system_message: request.reasoning.effort sets the harmony system message's effort, as chat's
    reasoning_effort does; the response echoes the Reasoning object."""
    low = client.responses.create(model=MODEL, input=QUESTION, reasoning={"effort": "low"})
    chat = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": QUESTION}],
                                          reasoning_effort="low")
    assert low.usage.input_tokens == chat.usage.prompt_tokens and low.reasoning.effort == "low"


WEATHER = {"type": "function", "name": "get_weather", "description": "Weather in a city",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}
CHAT_WEATHER = {"type": "function", "function": {k: v for k, v in WEATHER.items() if k != "type"}}
PARIS = "Weather in Paris?"


def test_function_call_item_parse_function_call(client) -> None:
    """_parse_function_call: a call to functions.X becomes a function_call item (call_<16 hex>, fc_<16 hex>); the
    tools go into the developer message as chat's do (build_harmony_preamble), so the counts agree with chat's."""
    response = client.responses.create(model=MODEL, input=PARIS, tools=[WEATHER])
    chat = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": PARIS}],
                                          tools=[CHAT_WEATHER])
    reasoning, call = response.output
    assert reasoning.type == "reasoning" and (call.type, call.name, call.status) == ("function_call", "get_weather",
                                                                                      "completed")
    assert json.loads(call.arguments) == {"city": "Paris"} and response.output_text == ""
    assert re.fullmatch(f"call_{HEX16}", call.call_id) and re.fullmatch(f"fc_{HEX16}", call.id)
    assert (response.usage.input_tokens, response.usage.output_tokens) == (chat.usage.prompt_tokens,
                                                                           chat.usage.completion_tokens)
    assert response.usage.output_tokens_details.reasoning_tokens == \
        chat.usage.completion_tokens_details.reasoning_tokens
    assert (response.status, response.tool_choice) == ("completed", "auto")
    assert response.tools[0].model_dump(by_alias=True) == {**dict.fromkeys(
        ["name", "parameters", "strict", "type", "allowed_callers", "async", "defer_loading", "description",
         "output_schema"]), **WEATHER}
    result = {"type": "function_call_output", "call_id": call.call_id, "output": "18C, sunny"}
    second = client.responses.create(model=MODEL, input=[{"role": "user", "content": PARIS}, call, result],
                                     tools=[WEATHER])
    assert second.output_text == "2 + 2 = 4." and second.usage.input_tokens > response.usage.input_tokens


def test_streamed_function_call_emit_function_call_events(client) -> None:
    """emit_function_call_delta_events and emit_function_call_done_events: the item is added on the first
    argument delta, then arguments deltas, arguments done, item done; the final response keeps its ids."""
    events = list(client.responses.create(model=MODEL, input=PARIS, tools=[WEATHER], stream=True))
    kinds = [e.type for e in events]
    start = kinds.index("response.reasoning_text.done") + 3
    deltas = kinds.count("response.function_call_arguments.delta")
    assert kinds[start:] == ["response.output_item.added", *["response.function_call_arguments.delta"] * deltas,
                             "response.function_call_arguments.done", "response.output_item.done",
                             "response.completed"]
    arguments = "".join(e.delta for e in events if e.type == "response.function_call_arguments.delta")
    done = events[-2].item
    assert arguments == done.arguments == '{"city":"Paris"}' and done.status == "completed"
    final = events[-1].response.output[-1]
    assert (final.id, final.call_id) == (done.id, done.call_id) == (events[start].item.id, events[start].item.call_id)
