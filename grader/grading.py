"""Grades a section by running its pytest suite in-process, and gathers the verdicts for the learner's report."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from .suite import Section
from .suite.catalog import suite_path
from .suite.plugin import check_of, deselect, verdicts
from .suite.runs import GradingError

__all__ = ["CheckResult", "GradingError", "SectionResult", "grade"]

DONE = ("passed", "skipped")  # the statuses of a finished check


@dataclass
class CheckResult:
    name: str
    file: str
    status: str  # passed, failed, missing, error, or skipped (a case this machine does not have)
    message: str = ""
    see: str = ""
    source: str = "work"  # what was graded: work, examples, or a fixture folder's name

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "file": self.file, "status": self.status, "message": self.message}


@dataclass
class SectionResult:
    section: Section
    checks: list[CheckResult]
    duration: float

    @property
    def passed(self) -> bool:
        return any(c.status == "passed" for c in self.checks) and all(c.status in DONE for c in self.checks)

    def as_json(self) -> dict[str, object]:
        return {"section": self.section.number, "passed": self.passed, "checks": [c.as_json() for c in self.checks]}


class _Collector:
    """Receives each check's verdict as pytest reports it."""

    def __init__(self) -> None:
        self.checks: list[CheckResult] = []
        self.problems: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for found in verdicts(report):
            self.checks.append(CheckResult(found["name"], found["file"], found["status"], found["message"],
                                           found["see"], found["source"]))

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.problems.append(str(report.longrepr))


class _Chosen:
    """Keeps, for the sources it names, only the checks it names (by sentence); runs no kept check reads never start."""

    def __init__(self, checks: dict[str, set[str]]) -> None:
        self.checks = checks

    @pytest.hookimpl(trylast=True)  # after the course plugin has named each check
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        deselect(config, items, self._chosen)

    def _chosen(self, item: pytest.Item) -> bool:
        found = check_of(item)
        return found is None or found[0] not in self.checks or found[1] in self.checks[found[0]]


def grade(section: Section, *, what: str | list[str] = "work", only: list[str] | None = None,
          checks: dict[str, set[str]] | None = None) -> SectionResult:
    """Run the section's suite on `what` (work, examples, or folders of learner files, each graded on its own);
    `only` limits it to some learner files, `checks` to some checks of a source (by its label: a folder's name)."""
    started = time.time()
    collector = _Collector()
    args = [str(suite_path(section.entry)), "-p", "no:terminal", "-p", "no:cacheprovider", "-p", "no:xdist",
            *(f"--grade={item}" for item in ([what] if isinstance(what, str) else what)),
            *(f"--grade-file={name}" for name in only or [])]
    code = pytest.main(args, plugins=[collector, _Chosen(checks or {})])
    if collector.problems or code in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
        raise GradingError("; ".join(collector.problems) or f"pytest stopped with {code!r}")
    fatal = [c.message for c in collector.checks if c.message.startswith("the grader cannot run section")]
    if fatal:
        raise GradingError(fatal[0].split(": ", 1)[1])
    return SectionResult(section, collector.checks, time.time() - started)
