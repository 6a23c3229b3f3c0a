"""Each written section is a module `sNN.py` that defines SECTION; nothing else declares exercises."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from ..checks import Check
from ..course import COURSE, Entry, entry


@dataclass(frozen=True)
class Scenario:
    """A second run of the same script under other conditions (a wrong model, other input)."""

    name: str  # finishes the sentence "when run ...": "with MODEL set to a model the server lacks"
    checks: list[Check]
    env: dict[str, str] = field(default_factory=dict)
    stdin: str | None = None


@dataclass(frozen=True)
class Exercise:
    work: str  # file name inside work/: "hello.py"
    reference: str  # the reference solution: "examples/01/raw_http.py"
    summary: str  # one line: what the learner builds
    see: str  # the lesson heading to read when it fails
    checks: list[Check]
    stdin: str | None = None
    timeout: float = 20.0
    challenge: bool = False
    scenarios: list[Scenario] = field(default_factory=list)
    compare_with: str | None = None  # another work file whose run the checks compare against

    @property
    def work_path(self) -> str:
        return f"work/{self.work}"


@dataclass(frozen=True)
class Section:
    entry: Entry
    exercises: list[Exercise]
    pace: float = 0.0  # stream pacing while grading: 0 sends recorded streams back to back
    extra_recordings: list[str] = field(default_factory=list)

    @property
    def number(self) -> str:
        return self.entry.number

    @property
    def title(self) -> str:
        return self.entry.title

    def exercise(self, work: str) -> Exercise:
        for exercise in self.exercises:
            if exercise.work == work:
                return exercise
        raise KeyError(work)


def load(number: str) -> Section | None:
    """The section's definition, or None while it is still coming."""
    item = entry(number)
    try:
        module = importlib.import_module(f"{__name__}.s{item.number}")
    except ModuleNotFoundError as exc:
        if exc.name == f"{__name__}.s{item.number}":
            return None
        raise
    return module.SECTION


def written() -> list[Section]:
    return [s for s in (load(e.number) for e in COURSE) if s is not None]
