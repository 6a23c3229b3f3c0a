"""The one place that names what the recorded endpoint imitates."""

from __future__ import annotations

# The vLLM release whose wire format the endpoint reproduces byte for byte.
VLLM_VERSION = "0.33.0"

# What the hosted server is assumed to serve. `model` in every response is this
# served name, whatever the client sent.
SERVED_MODEL = "openai/gpt-oss-120b"
MAX_MODEL_LEN = 131072

# The server flags every recording assumes, written once here; each recording's provenance repeats them.
# --enable-auto-tool-choice --tool-call-parser openai: tool calls reach the client as `tool_calls`
# (without them vLLM drops a tool call: content null, finish_reason "stop"). --max-model-len: the
# window that refusals and the silent clamp of max_tokens follow. --enable-request-id-headers is
# not given, so no `x-request-id` response header is sent.
SERVER_FLAGS = f"--enable-auto-tool-choice --tool-call-parser openai --max-model-len {MAX_MODEL_LEN}"
ENABLE_AUTO_TOOL_CHOICE = True

# vLLM's default `--fingerprint-mode full` gives vllm-<version>[-tpN]-<hash8>.
# The hash of the hosted server is unknown, so this one is illustrative.
SYSTEM_FINGERPRINT = f"vllm-{VLLM_VERSION}-tp2-5c0e7a91"

# vLLM writes "Current date: YYYY-MM-DD" into every gpt-oss prompt, taken from
# the clock unless VLLM_SYSTEM_START_DATE is set. Pinning it keeps token counts
# identical from day to day, like a server started with that variable.
SYSTEM_START_DATE = "2026-11-21"
