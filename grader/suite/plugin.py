"""The pytest plugin behind every section suite: the --grade option, the runs a test's fixtures wait on, and
verdicts worded for a learner (never a grader traceback)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pytest

from .. import paths
from ..checks import CheckFailed
from .declare import Run, Section
from .runs import GradingError, RunKey, Runs, ScriptTimedOut, Source, needed_runs

_INFO = pytest.StashKey["CheckInfo"]()
# A check skipped with a reason that starts so is reported "skipped" and does not hold the section back: it grades a
# case this machine does not have (a sandbox run as root, on a machine where the grader is not root).
NOT_HERE = "not on this machine: "
_SOURCES = pytest.StashKey[list[Source]]()


@dataclass(frozen=True)
class CheckInfo:
    """What the learner's report shows for one test: the check's sentence, its file, and where to read."""

    name: str
    file: str
    see: str
    section: str
    work: str  # the learner file's name, for --grade-file


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("course", "grading the course's learner files")
    group.addoption("--grade", action="append", metavar="WHAT",
                    help="what the section suites grade: 'work' (your work/ folder, the default), 'examples' (the "
                         "reference solutions, in a scratch copy) or a folder of learner files such as a fixture; "
                         "repeat it to grade several")
    group.addoption("--grade-file", action="append", metavar="FILE",
                    help="grade only this learner file, e.g. hello.py (repeatable)")


def _source(value: str, invoked_in: Path) -> Source:
    if value == "work":
        return Source("work", paths.WORK)
    if value == "examples":
        return Source("examples", paths.EXAMPLES)
    folder = (invoked_in / value).resolve()
    if not folder.is_dir():
        raise pytest.UsageError(f"--grade {value}: expected 'work', 'examples' or a folder of learner files")
    return Source("folder", folder)


def sources(config: pytest.Config) -> list[Source]:
    if _SOURCES not in config.stash:
        values = config.getoption("grade") or ["work"]
        config.stash[_SOURCES] = [_source(v, config.invocation_params.dir) for v in values]
    return config.stash[_SOURCES]


def source_of(item: pytest.Item) -> Source:
    """What a collected test grades: its course_source parameter, or the one source of the session."""
    source = item.callspec.params.get("course_source") if hasattr(item, "callspec") else None
    return source or sources(item.config)[0]


def _needed(items: list[pytest.Item]) -> dict[str, set[RunKey]]:
    """The runs the session's selected tests read, by section: runs no selected test reads never start."""
    wanted: dict[str, list[tuple[Source, Run]]] = {}
    sections: dict[str, Section] = {}
    for item in items:
        section = getattr(getattr(item, "module", None), "SECTION", None)
        if not isinstance(section, Section):
            continue
        sections[section.number] = section
        source = source_of(item)
        wanted.setdefault(section.number, []).extend(
            (source, section.runs[name]) for name in item.fixturenames if name in section.runs)
    return {number: needed_runs(sections[number], found) for number, found in wanted.items()}


@pytest.fixture(scope="session")
def course_runs(request: pytest.FixtureRequest) -> Iterator[Runs]:
    """Every learner-file run the session's tests read; a section's runs start together at its first test."""
    runs = Runs(sources(request.config), _needed(request.session.items))
    yield runs
    runs.close()


@pytest.fixture
def course_source(request: pytest.FixtureRequest) -> Source:
    """What this test grades (work/, the references or a fixture folder)."""
    return getattr(request, "param", None) or sources(request.config)[0]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    found = sources(metafunc.config)
    if len(found) > 1 and "course_source" in metafunc.fixturenames:
        metafunc.parametrize("course_source", found, indirect=True, ids=[s.label for s in found])


def _info(item: pytest.Item) -> CheckInfo | None:
    section = getattr(getattr(item, "module", None), "SECTION", None)
    if not isinstance(section, Section) or not isinstance(item, pytest.Function):
        return None
    names = [n for n in inspect.signature(item.function).parameters if n in section.runs]
    if not names:
        return None
    run: Run = section.runs[names[0]]
    name = (inspect.getdoc(item.function) or item.originalname).splitlines()[0]
    if run.scenario_def is not None:
        name = f"{name} (when run {run.scenario_def.name})"
    marker = item.get_closest_marker("see")
    heading = marker.args[0] if marker else run.file.see
    see = f"{section.entry.lesson} § {heading} (reference: {run.file.reference})"
    shown = run.file.reference if sources(item.config)[0].kind == "examples" else run.file.work_path
    return CheckInfo(name, shown, see, section.number, run.file.work)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "see(heading): the lesson subsection a failing check points the learner to")
    sources(config)  # a --grade that names no folder is a usage error now, said in one line, not a collection error
    if getattr(config.option, "dist", "no") == "load":  # pytest-xdist's -n: keep each section on one worker,
        config.option.dist = "loadgroup"  # so its scripts run once, not once per worker


def deselect(config: pytest.Config, items: list[pytest.Item], keep: Callable[[pytest.Item], bool]) -> None:
    """Keep the collected tests `keep` accepts, and report the others as deselected, as `-k` does."""
    kept = [item for item in items if keep(item)]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if not keep(item)])
        items[:] = kept


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's worker reads the xdist_group marks this adds
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        info = _info(item)
        if info is not None:
            item.stash[_INFO] = info
            # xdist keeps a section's tests on one worker, so its runs happen once
            item.add_marker(pytest.mark.xdist_group(f"section-{info.section}"))
    only = {name.removeprefix("work/") for name in config.getoption("grade_file") or []}
    if only:
        deselect(config, items, lambda item: _INFO in item.stash and item.stash[_INFO].work in only)


def _assertion_text(error: AssertionError) -> str:
    """A plain `assert ..., message`: the message, without pytest's rewritten explanation."""
    text = str(error)
    return text.split("\nassert ", 1)[0] if text else "a check failed without saying why; please report it"


def _verdict(report: pytest.TestReport, error: BaseException | None, section: str) -> tuple[str, str] | None:
    """(status, message) for the learner, or None when this phase says nothing new."""
    if report.when == "call" and report.passed:
        return "passed", ""
    if report.skipped:
        reason = (report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)).removeprefix(
            "Skipped: ")
        if reason.startswith(NOT_HERE):  # a check this machine cannot run, which does not apply to it either
            return "skipped", reason
        if report.when == "setup":
            return "missing", reason.removeprefix("not started: ")
    if not report.failed:
        return None
    if isinstance(error, ScriptTimedOut):
        return "error", error.message
    if isinstance(error, CheckFailed):
        return "failed", error.message
    if isinstance(error, GradingError):
        return "error", f"the grader cannot run section {section}: {error}"
    if isinstance(error, AssertionError) and report.when == "call":
        return "failed", _assertion_text(error)
    return "error", (f"the grader itself failed on this check ({type(error).__name__}: {error}); "
                     "please report it with your script")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report: pytest.TestReport = yield
    info = item.stash.get(_INFO, None)
    if info is None:
        return report
    verdict = _verdict(report, call.excinfo.value if call.excinfo else None, info.section)
    if verdict is None:
        return report
    status, message = verdict
    label = source_of(item).label
    report.user_properties.append(("course", {**asdict(info), "status": status, "message": message, "source": label}))
    if report.failed:
        text = f"{message}\nsee: {info.see}"
        if status == "error" and getattr(item.config.option, "tbstyle", "") == "long":
            text = f"{report.longrepr}\n\n{text}"
        report.longrepr = text
    return report


def check_of(item: pytest.Item) -> tuple[str, str] | None:
    """(what it grades, the check's sentence) for a collected check, None for any other test."""
    info = item.stash.get(_INFO, None)
    return None if info is None else (source_of(item).label, info.name)


def verdicts(report: pytest.TestReport) -> list[dict[str, Any]]:
    """The learner verdicts a report carries (for the course's own reporter)."""
    return [value for key, value in report.user_properties if key == "course"]
