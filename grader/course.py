"""The course map: every section's number, slug and title, written or not."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    number: str
    slug: str
    title: str

    @property
    def lesson(self) -> str:
        return f"lessons/{self.number}-{self.slug}.md"

    @property
    def recording(self) -> str:
        return f"recordings/{self.number}-{self.slug}.json"


COURSE = [
    Entry("01", "hello-world", "Hello World"),
    Entry("02", "anatomy-of-a-response", "Anatomy of a Response"),
    Entry("03", "tokens-context-cost", "Tokens, Context Windows & Cost"),
    Entry("04", "sampling-controls", "Sampling & Generation Controls"),
    Entry("05", "reasoning-and-developer-role", "Reasoning Models & the Developer Role"),
    Entry("06", "streaming", "Streaming"),
    Entry("07", "conversations-and-memory", "Conversations & Memory"),
    Entry("08", "errors-retries-rate-limits", "Errors, Retries & Rate Limits"),
    Entry("09", "structured-output", "Structured Output"),
    Entry("10", "prompt-engineering", "Prompt Engineering Fundamentals"),
    Entry("11", "few-shot-prompting", "Few-Shot Prompting"),
    Entry("12", "beyond-chat-completions", "Beyond Chat Completions"),
    Entry("13", "tool-calling", "Tool Calling"),
    Entry("14", "agent-loop", "The Agent Loop"),
    Entry("15", "sandboxing-untrusted-output", "Sandboxing I: Running Untrusted Output"),
    Entry("16", "sandboxing-os-isolation", "Sandboxing II: OS-Level Isolation"),
    Entry("17", "async-concurrency-batch", "Async, Concurrency & Batch Jobs"),
    Entry("18", "retrieval-augmented-generation", "Retrieval-Augmented Generation"),
    Entry("19", "prompt-injection", "Prompt Injection"),
    Entry("20", "defense-in-depth", "Defense in Depth"),
    Entry("21", "evaluating-llm-apps", "Evaluating LLM Applications"),
    Entry("22", "observability-cost-control", "Observability & Cost Control"),
    Entry("23", "testing-llm-code", "Testing LLM Code"),
    Entry("24", "capstone", "Capstone"),
]


def entry(number: str) -> Entry:
    number = number.zfill(2)
    for item in COURSE:
        if item.number == number:
            return item
    raise KeyError(number)
