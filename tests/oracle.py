"""An independent oracle for the numbers the lessons print: vLLM 0.33.0's counting rules applied straight to
harmony text and the o200k vocabulary. It never imports grader.endpoint, so a fact test that checks the lesson
and the endpoint against it fails if either one is wrong; both can agree only by misreading vLLM the same way.

The rules, from vLLM 0.33.0's source: `prompt_tokens` is the harmony prompt `render_for_completion` builds;
`completion_tokens` is every generated token up to the budget (`get_max_tokens`); `reasoning_tokens` counts only
the non-special tokens read in the `analysis` channel (`HarmonyParser._is_reasoning_token`): the reasoning's own
text, never `<|channel|>analysis<|message|>` or `<|end|>`.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openai_harmony as hm

RECORDINGS = Path(__file__).resolve().parents[1] / "recordings"
START_DATE = "2026-11-21"  # the VLLM_SYSTEM_START_DATE the recorded server is assumed to run with
SYSTEM = ("<|start|>system<|message|>You are ChatGPT, a large language model trained by OpenAI.\n"
          "Knowledge cutoff: 2024-06\nCurrent date: {date}\n\nReasoning: {effort}\n\n"
          "# Valid channels: analysis, commentary, final. Channel must be included for every message.<|end|>")


@functools.cache
def _encoding() -> hm.HarmonyEncoding:
    """gpt-oss's harmony encoding, its o200k file taken from the bpe-openai wheel (nothing is downloaded)."""
    spec = importlib.util.find_spec("bpe_openai")
    assert spec is not None and spec.origin is not None, "bpe-openai ships the o200k vocabulary"
    folder = Path(tempfile.gettempdir()) / "llm-course-oracle-o200k"
    if not (folder / "o200k_base.tiktoken").exists():
        folder.mkdir(exist_ok=True)
        part = folder / f"o200k_base.tiktoken.{os.getpid()}"
        part.write_bytes(gzip.decompress((Path(spec.origin).parent / "data" / "o200k_base.tiktoken.gz").read_bytes()))
        part.replace(folder / "o200k_base.tiktoken")
    os.environ["TIKTOKEN_ENCODINGS_BASE"] = str(folder)
    return hm.load_harmony_encoding(hm.HarmonyEncodingName.HARMONY_GPT_OSS)


def count(text: str) -> int:
    """Tokens of harmony text; special-token names count as the one token each stands for."""
    return len(_encoding().encode(text, allowed_special="all"))


def prompt_tokens(messages: list[dict[str, str]], effort: str = "medium") -> int:
    """`prompt_tokens` for plain text turns: every system or developer message becomes developer instructions
    (the first one merely moves up), and the reasoning of answered turns is dropped."""
    text = SYSTEM.format(date=START_DATE, effort=effort)
    for message in messages:
        role, content = message["role"], message["content"]
        if role in ("system", "developer"):
            text += f"<|start|>developer<|message|># Instructions\n\n{content}<|end|>"
        elif role == "user":
            text += f"<|start|>user<|message|>{content}<|end|>"
        elif content:
            text += f"<|start|>assistant<|channel|>final<|message|>{content}<|end|>"
    return count(text + "<|start|>assistant")


@dataclass(frozen=True)
class Usage:
    completion_tokens: int
    reasoning_tokens: int


def usage(reasoning: str, content: str, budget: int | None = None) -> Usage:
    """What vLLM counts for a reply the model writes as reasoning, then an answer, cut at `budget` tokens."""
    generated = (f"<|channel|>analysis<|message|>{reasoning}<|end|>"
                 f"<|start|>assistant<|channel|>final<|message|>{content}<|return|>")
    total = count(generated) if budget is None else min(budget, count(generated))
    opening = count("<|channel|>analysis<|message|>")
    return Usage(total, max(0, min(total - opening, count(reasoning))))


def reply(recording: str, interaction: str, response: int = 0) -> dict[str, Any]:
    """A recorded reply (its reasoning and content), read from the recording file as data; `response` counts
    the calls of one run, for an interaction that answers each call differently."""
    data = json.loads((RECORDINGS / recording).read_text(encoding="utf-8"))
    found = next(i for i in data["interactions"] if i["name"] == interaction)
    return (found.get("responses") or [found.get("response")])[response]["reply"]


def recorded_usage(recording: str, interaction: str, budget: int | None = None, response: int = 0) -> Usage:
    recorded = reply(recording, interaction, response)
    return usage(recorded["reasoning"], recorded["content"], budget)
