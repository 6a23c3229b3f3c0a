"""Grades a section: runs each learner file against its own recorded endpoint, then judges the evidence."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import paths
from .checks import Check, CheckFailed, Evidence
from .endpoint import Endpoint, config, harmony, load_recordings
from .endpoint.recordings import RecordingError
from .runner import prepare, run_script
from .sections import Exercise, Scenario, Section


@dataclass
class CheckResult:
    name: str
    file: str
    status: str  # passed, failed, missing or error
    message: str = ""
    see: str = ""

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "file": self.file, "status": self.status, "message": self.message}


@dataclass
class SectionResult:
    section: Section
    checks: list[CheckResult]
    duration: float
    runs: dict[str, float] = field(default_factory=dict)  # each script run's own time

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.status == "passed" for c in self.checks)

    def as_json(self) -> dict[str, object]:
        return {"section": self.section.number, "passed": self.passed, "checks": [c.as_json() for c in self.checks]}


class GradingError(Exception):
    """The grader cannot start (for instance a malformed recording); the message says why."""


def _see(section: Section, exercise: Exercise) -> str:
    return f"{section.entry.lesson} § {exercise.see} (reference: {exercise.reference})"


def _judge(checks: list[Check], evidence: Evidence, label: str, see: str) -> list[CheckResult]:
    results = []
    for item in checks:
        name = f"{item.name} ({label})" if label else item.name
        if evidence.run.timed_out:
            results.append(CheckResult(name, evidence.file, "error", (
                f"your script was still running after {evidence.run.duration:.0f} s, so the grader stopped it. "
                "Is it waiting for input, or looping forever?"), see))
            continue
        try:
            item.run(evidence)
        except CheckFailed as failed:
            results.append(CheckResult(name, evidence.file, "failed", failed.message, see))
        except Exception as exc:  # a bug in the grader must not show the learner a traceback
            results.append(CheckResult(name, evidence.file, "error",
                                       f"the grader itself failed on this check ({type(exc).__name__}: {exc}); "
                                       "please report it with your script", see))
        else:
            results.append(CheckResult(name, evidence.file, "passed", "", see))
    return results


class _Endpoints:
    """One endpoint per worker thread, so concurrent runs never share a request log."""

    def __init__(self, section: Section) -> None:
        files = [paths.ROOT / section.entry.recording, *(paths.ROOT / r for r in section.extra_recordings)]
        try:
            self.recordings = load_recordings([f for f in files if f.exists()])
        except RecordingError as exc:
            raise GradingError(str(exc)) from None
        self.pace = section.pace
        self._local = threading.local()
        self._all: list[Endpoint] = []
        self._lock = threading.Lock()

    def get(self) -> Endpoint:
        endpoint = getattr(self._local, "endpoint", None)
        if endpoint is None:
            endpoint = Endpoint(self.recordings, grading=True, pace=self.pace).start()
            self._local.endpoint = endpoint
            with self._lock:
                self._all.append(endpoint)
        return endpoint

    def close(self) -> None:
        for endpoint in self._all:
            endpoint.stop()


@dataclass(frozen=True)
class _Job:
    exercise: Exercise
    scenario: int  # 0: the main run; n: exercise.scenarios[n - 1]
    script: str  # what `python` is given
    shown: str  # how the learner knows the file
    cwd: Path

    @property
    def key(self) -> tuple[str, int]:
        return self.exercise.work, self.scenario

    def scenario_def(self) -> Scenario | None:
        return self.exercise.scenarios[self.scenario - 1] if self.scenario else None


def _run(endpoints: _Endpoints, job: _Job) -> Evidence:
    endpoint = endpoints.get()
    session = endpoint.new_session()
    settings = {"OPENAI_BASE_URL": endpoint.base_url, "OPENAI_API_KEY": session.api_key, "MODEL": config.SERVED_MODEL}
    scenario = job.scenario_def()
    stdin = job.exercise.stdin
    if scenario is not None:
        settings.update(scenario.env)
        stdin = scenario.stdin if scenario.stdin is not None else stdin
    run = run_script(job.script, job.cwd, settings, timeout=job.exercise.timeout, stdin=stdin)
    source = (job.cwd / job.script).read_text(encoding="utf-8", errors="replace")
    return Evidence(job.shown, run, session.requests(), session.api_key, endpoint.base_url, source=source)


def _jobs(exercises: list[Exercise], work_dir: Path, solutions: Path | None) -> list[_Job]:
    """What to run; `solutions` is the scratch copy of the course the references run in."""
    jobs = []
    for exercise in exercises:
        if solutions is not None:
            script, shown, cwd = exercise.reference, exercise.reference, solutions
        else:
            script, shown, cwd = f"{work_dir.name}/{exercise.work}", exercise.work_path, work_dir.parent
            if not (work_dir / exercise.work).is_file():
                continue
        jobs.extend(_Job(exercise, n, script, shown, cwd) for n in range(len(exercise.scenarios) + 1))
    return jobs


def grade(section: Section, *, work_dir: Path | None = None, solutions: bool = False,
          only: list[str] | None = None, workers: int | None = None) -> SectionResult:
    """Grade work/ (or the reference solutions); `only` limits grading to some work file names."""
    started = time.time()
    work_dir = work_dir or paths.WORK
    graded = [e for e in section.exercises if only is None or e.work in only]
    needed = {e.compare_with for e in graded if e.compare_with} - {e.work for e in graded}
    to_run = graded + [section.exercise(name) for name in sorted(needed)]

    endpoints = _Endpoints(section)
    # The preloaded interpreter and the vocabulary take a few hundred ms each: start both at once.
    threading.Thread(target=harmony.encoding, daemon=True).start()
    threading.Thread(target=prepare, daemon=True).start()
    # References run in a scratch copy, so files they write (a saved history) never land in the learner's work/.
    scratch = tempfile.TemporaryDirectory(prefix="course-solutions-") if solutions else None
    try:
        if scratch is not None:
            shutil.copytree(paths.EXAMPLES, Path(scratch.name) / "examples")
            (Path(scratch.name) / "work").mkdir()
        with ThreadPoolExecutor(max_workers=workers or paths.cores()) as pool:
            jobs = _jobs(to_run, work_dir, Path(scratch.name) if scratch else None)
            evidence = dict(zip((j.key for j in jobs), pool.map(lambda job: _run(endpoints, job), jobs)))
    finally:
        endpoints.close()
        if scratch is not None:
            scratch.cleanup()

    results: list[CheckResult] = []
    for exercise in graded:
        see = _see(section, exercise)
        if (exercise.work, 0) not in evidence:
            shown = exercise.work_path
            every = exercise.checks + [c for s in exercise.scenarios for c in s.checks]
            results.extend(CheckResult(c.name, shown, "missing",
                                       f"{shown} does not exist yet: create it to start this step.", see) for c in every)
            continue
        related = evidence.get((exercise.compare_with, 0)) if exercise.compare_with else None
        for number in range(len(exercise.scenarios) + 1):
            scenario = exercise.scenarios[number - 1] if number else None
            found = replace(evidence[(exercise.work, number)], related=related)
            label = f"when run {scenario.name}" if scenario else ""
            results.extend(_judge(scenario.checks if scenario else exercise.checks, found, label, see))
    runs = {f"{ev.file}#{key[1]}": ev.run.duration for key, ev in evidence.items()}
    return SectionResult(section, results, time.time() - started, runs)
