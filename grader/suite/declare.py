"""What a section's suite declares: its learner files, their scenarios, and a pytest fixture for each run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import pytest

from ..course import Entry, entry

if TYPE_CHECKING:
    from ..checks import Evidence
    from .runs import Runs, Source


VARIANT_RUN = "against a differently configured server"


@dataclass(frozen=True)
class Scenario:
    """A second run of the same script under other conditions (a wrong model, other input)."""

    name: str  # finishes the sentence "when run ...": "with MODEL set to a model the server lacks"
    env: dict[str, str] = field(default_factory=dict)
    stdin: str | None = None
    variant: bool = False  # against the variant grading server (grader.endpoint.Variant), with MODEL set to its model
    after: bool = False  # starts once the file's earlier runs (declared before it) have ended: it reads what they wrote
    hang: str = ""  # told when this run hits its time limit: the mistake that most likely kept it running


@dataclass
class LearnerFile:
    work: str  # file name inside work/: "hello.py"
    reference: str  # the reference solution: "examples/01/raw_http.py"
    summary: str  # one line: what the learner builds
    see: str  # the lesson heading to read when a check fails
    stdin: str | None = None
    timeout: float = 20.0
    challenge: bool = False
    compare_with: str | None = None  # another learner file whose run the checks compare against
    pace: float | None = None  # stream pacing for this file's runs, when a check needs more than the section's
    scenarios: list[Scenario] = field(default_factory=list)

    @property
    def work_path(self) -> str:
        return f"work/{self.work}"

    @property
    def stem(self) -> str:
        return Path(self.work).stem


@dataclass(frozen=True)
class Run:
    """One graded run: a learner file, and which of its scenarios (0 is the plain run; None runs nothing and gives the
    file's text)."""

    file: LearnerFile
    scenario: int | None = 0

    @property
    def scenario_def(self) -> Scenario | None:
        return self.file.scenarios[self.scenario - 1] if self.scenario else None


class Section:
    """A suite's declarations. `file()` and `scenario()` return the fixture a test names to get that run's evidence."""

    def __init__(self, number: str, *, pace: float = 0.0, extra_recordings: tuple[str, ...] = (),
                 workers: int | None = None, missing: Callable[[], str | None] | None = None) -> None:
        self.entry: Entry = entry(number)
        self.pace = pace  # stream pacing while grading: 0 sends recorded streams back to back
        self.workers = workers  # runs at once; more than the cores where runs mostly wait on recorded pacing
        self.extra_recordings = extra_recordings
        self.missing = missing  # why this machine cannot grade the section (a system tool it lacks), or None
        self.files: dict[str, LearnerFile] = {}
        self.runs: dict[str, Run] = {}  # by fixture name

    @property
    def number(self) -> str:
        return self.entry.number

    @property
    def title(self) -> str:
        return self.entry.title

    def file(self, work: str, **details: Any) -> Any:
        declared = LearnerFile(work, **details)
        self.files[work] = declared
        return self._fixture(declared.stem, Run(declared))

    def scenario(self, work: str, key: str, name: str, *, env: dict[str, str] | None = None,
                 stdin: str | None = None, after: bool = False, hang: str = "") -> Any:
        declared = self.files[work]
        declared.scenarios.append(Scenario(name, env or {}, stdin, after=after, hang=hang))
        return self._fixture(f"{declared.stem}_{key}", Run(declared, len(declared.scenarios)))

    def other_model(self, work: str, *, stdin: str | None = None) -> Any:
        """A run with MODEL set to another name: a script that typed the model id in still asks for the served one.
        Fixture: `stem_other_model`."""
        from ..checks.common import OTHER_MODEL

        return self.scenario(work, "other_model", "with MODEL set to another name", env={"MODEL": OTHER_MODEL},
                             stdin=stdin)

    def variant(self, work: str, *, after: bool = False) -> Any:
        """A run against a differently configured server (other ids, clock, model name, wording, system date): a script
        that prints the lesson's sample output instead of this run's response fails its checks. Fixture: `stem_variant`.
        `after`: for a file that writes files, start once its other runs have ended."""
        declared = self.files[work]
        declared.scenarios.append(Scenario(VARIANT_RUN, variant=True, after=after))
        return self._fixture(f"{declared.stem}_variant", Run(declared, len(declared.scenarios)))

    def text(self, work: str) -> Any:
        """The file's text, not run: for checks that judge it another way (Section 15 attacks the function it
        defines), so that grading them starts no run. Fixture: `stem_text`."""
        declared = self.files[work]
        name = f"{declared.stem}_text"
        self.runs[name] = Run(declared, None)

        def text(course_runs: Runs, course_source: Source) -> str:
            return _started(lambda: course_runs.text(self, declared, course_source))

        text.__name__ = name
        text.__doc__ = f"The text of {declared.work_path}, which this fixture does not run."
        return pytest.fixture(name=name)(text)

    def _fixture(self, name: str, run: Run) -> Any:
        self.runs[name] = run

        def evidence(course_runs: Runs, course_source: Source) -> Evidence:
            return _started(lambda: course_runs.evidence(self, run, course_source))

        evidence.__name__ = name
        evidence.__doc__ = f"The evidence of one run of {run.file.work_path}" + (
            f" {run.scenario_def.name}." if run.scenario_def else ".")
        return pytest.fixture(name=name)(evidence)


def _started(read: Callable[[], Any]) -> Any:
    """What `read` returns, or the test skipped as not started where the learner file does not exist yet."""
    from .runs import NotStarted

    try:
        return read()
    except NotStarted as missing:
        pytest.skip(f"not started: {missing.message}")
