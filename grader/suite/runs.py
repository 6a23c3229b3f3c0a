"""Running learner files: every run a section needs starts at once, in parallel, and tests wait for theirs."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path

from .. import paths
from ..load import stretched
from ..checks import CheckFailed, Evidence
from ..endpoint import Endpoint, Variant, harmony, load_recordings
from ..endpoint.recordings import RecordingError, RecordingFile
from ..runner import prepare, run_script
from .declare import LearnerFile, Run, Section


class GradingError(Exception):
    """The grader cannot start (for instance a malformed recording); the message says why."""


class NotStarted(Exception):
    """The learner file does not exist yet."""

    def __init__(self, shown: str) -> None:
        super().__init__(f"{shown} does not exist yet: create it to start this step.")
        self.message = str(self)


class ScriptTimedOut(CheckFailed):
    """The script was still running at its time limit: no check of that run can be judged."""


@dataclass(frozen=True)
class Source:
    """What a suite grades: the learner's work/ folder, the references in examples/, or a folder of learner
    files (one known-wrong or correct-but-different fixture)."""

    kind: str  # "work", "examples" or "folder"
    path: Path

    @property
    def label(self) -> str:
        return self.path.name if self.kind == "folder" else self.kind


def apply_diff(diff: Path, folder: Path) -> None:
    """Apply a unified diff to the files in `folder`, with git's own applier (git is a course requirement), which
    refuses a hunk whose context no longer matches: a fixture that no longer fits its reference is an error."""
    done = subprocess.run(["git", "apply", "-p1", str(diff)], cwd=folder, capture_output=True, text=True, check=False,
                          env={**os.environ, "GIT_CEILING_DIRECTORIES": str(folder.parent)})
    if done.returncode != 0:
        raise GradingError(f"{diff.relative_to(paths.ROOT)} no longer applies to its reference: {done.stderr.strip()}")


# A busy machine can hold the grading endpoint up: a stream whose events came over LATE seconds after their recorded
# pauses is not what the checks judge (a 1 s read timeout may fire on a stream meant to flow), so the run is repeated.
LATE = 0.3
ATTEMPTS = 3

RunKey = tuple[Source, str, int]  # what is graded, the learner file, the scenario (0: the plain run)


def needed_runs(section: Section, wanted: list[tuple[Source, Run]]) -> set[RunKey]:
    """The runs the selected tests read, with the runs those depend on: a scenario that starts `after` its file's
    earlier runs needs them, and a file compared with another needs that file's plain run."""
    needed: set[RunKey] = set()
    for source, run in wanted:
        if run.scenario is None:  # the file's text only
            continue
        needed.add((source, run.file.work, run.scenario))
        if run.scenario_def is not None and run.scenario_def.after:
            needed.update((source, run.file.work, n) for n in range(run.scenario))
        if run.file.compare_with:
            needed.add((source, run.file.compare_with, 0))
    return needed


class _Place:
    """Where one source's scripts run, and how each learner file is named there."""

    def __init__(self, section: Section, source: Source) -> None:
        self.scratch: tempfile.TemporaryDirectory[str] | None = None
        self.references = source.kind == "examples"
        if source.kind == "work":
            self.cwd, self.work = source.path.parent, source.path
            return
        # References and fixtures run in a scratch copy, so files they write never land in the learner's work/.
        self.scratch = tempfile.TemporaryDirectory(prefix="course-grading-")
        self.cwd = Path(self.scratch.name)
        self.work = self.cwd / "work"
        self.work.mkdir()
        if self.references:
            shutil.copytree(paths.EXAMPLES, self.cwd / "examples")
            return
        for item in sorted(source.path.iterdir()):
            if item.suffix == ".diff":  # a known-wrong fixture: its reference with one mistake
                learner = item.name.removesuffix(".diff")
                shutil.copy(paths.ROOT / section.files[learner].reference, self.work / learner)
                apply_diff(item, self.work)
            elif item.is_file() and item.name != "case.json":
                shutil.copy(item, self.work / item.name)
        for declared in section.files.values():  # a file compared with another is graded with that one beside it
            if declared.compare_with and (self.work / declared.work).exists() \
                    and not (self.work / declared.compare_with).exists():
                shutil.copy(paths.ROOT / section.files[declared.compare_with].reference, self.work / declared.compare_with)

    def script(self, declared: LearnerFile) -> str | None:
        """What `python` is given, or None when the file does not exist."""
        if self.references:
            return declared.reference
        return f"{self.work.name}/{declared.work}" if (self.work / declared.work).is_file() else None

    def shown(self, declared: LearnerFile) -> str:
        return declared.reference if self.references else declared.work_path

    def close(self) -> None:
        if self.scratch is not None:
            self.scratch.cleanup()


class _Endpoints:
    """One recorded endpoint per worker thread, so concurrent runs never share a request log."""

    def __init__(self, section: Section, recordings: list[RecordingFile], variant: Variant | None = None) -> None:
        self.variant = variant
        self.recordings = recordings
        self.pace = section.pace
        self._local = threading.local()
        self.all: list[Endpoint] = []
        self._lock = threading.Lock()

    def get(self) -> Endpoint:
        endpoint = getattr(self._local, "endpoint", None)
        if endpoint is None:
            endpoint = Endpoint(self.recordings, grading=True, pace=self.pace, variant=self.variant).start()
            self._local.endpoint = endpoint
            with self._lock:
                self.all.append(endpoint)
        return endpoint


class _SectionRuns:
    """Every run of one section, for every source, submitted together."""

    def __init__(self, section: Section, sources: list[Source], needed: set[RunKey]) -> None:
        files = [paths.ROOT / section.entry.recording, *(paths.ROOT / r for r in section.extra_recordings)]
        try:
            recorded = load_recordings([f for f in files if f.exists()])
        except RecordingError as exc:
            raise GradingError(str(exc)) from None
        self.endpoints = _Endpoints(section, recorded)
        self.variant_endpoints = _Endpoints(section, recorded, Variant())  # the variant runs' other server
        # Sections that mostly wait on recorded pacing gain from more runs at once than cores.
        self.pool = ThreadPoolExecutor(max_workers=section.workers or paths.cores())
        self.places = {source: _Place(section, source) for source in sources}
        self.futures: dict[RunKey, Future[Evidence]] = {}
        for source, place in self.places.items():
            for declared in section.files.values():
                script = place.script(declared)
                if script is None:
                    continue
                for number in range(len(declared.scenarios) + 1):
                    if (source, declared.work, number) not in needed:
                        continue
                    run = Run(declared, number)
                    after = run.scenario_def is not None and run.scenario_def.after  # needed_runs kept its earlier runs
                    earlier = [self.futures[(source, declared.work, n)] for n in range(number)] if after else []
                    self.futures[(source, declared.work, number)] = self.pool.submit(self._run, place, run, script,
                                                                                     earlier)

    def _run(self, place: _Place, run: Run, script: str, earlier: list[Future[Evidence]]) -> Evidence:
        # A scenario that reads what its file's earlier runs wrote waits for them. The pool starts runs in the order
        # they were submitted, so the earlier ones are running or done: waiting cannot hold up a run they need.
        wait(earlier)
        varied = run.scenario_def is not None and run.scenario_def.variant
        endpoints = self.variant_endpoints if varied else self.endpoints
        endpoint = endpoints.get()
        stdin = run.file.stdin
        if run.scenario_def is not None:
            stdin = run.scenario_def.stdin if run.scenario_def.stdin is not None else stdin
        for attempt in range(1, ATTEMPTS + 1):
            session = endpoint.new_session(pace=endpoints.pace if run.file.pace is None else run.file.pace)
            settings = {"OPENAI_BASE_URL": endpoint.base_url, "OPENAI_API_KEY": session.api_key,
                        "MODEL": endpoint.app.model, **(run.scenario_def.env if run.scenario_def else {})}
            result = run_script(script, place.cwd, settings, timeout=stretched(run.file.timeout), stdin=stdin)
            if attempt == ATTEMPTS or max((r.late for r in session.requests()), default=0.0) <= LATE:
                break
        source = (place.cwd / script).read_text(encoding="utf-8", errors="replace")
        return Evidence(place.shown(run.file), result, session.requests(), session.api_key, endpoint.base_url,
                        source=source)

    def evidence(self, run: Run, source: Source) -> Evidence:
        key = (source, run.file.work, run.scenario)
        if key not in self.futures:
            raise NotStarted(self.places[source].shown(run.file))
        found = self.futures[key].result()
        if found.run.timed_out:
            waited = (f" (the grader waited {found.run.duration:.0f} s, as the machine was busy)"
                      if found.run.duration > 1.5 * run.file.timeout else "")
            hang = run.scenario_def.hang if run.scenario_def else ""
            raise ScriptTimedOut(f"your script was still running after {run.file.timeout:g} s, its time limit{waited}, "
                                 f"so the grader stopped it. {found.last_doing()} {hang}".rstrip())
        compared = run.file.compare_with
        if compared and (source, compared, 0) in self.futures:
            return replace(found, related=self.futures[(source, compared, 0)].result())
        return found

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        # Stopping an endpoint blocks for a moment: stop them all at once.
        stopping = [threading.Thread(target=endpoint.stop)
                    for endpoint in (*self.endpoints.all, *self.variant_endpoints.all)]
        for thread in stopping:
            thread.start()
        for thread in stopping:
            thread.join()
        for place in self.places.values():
            place.close()


class Runs:
    """The runs of one pytest session: a section's runs start together at its first test."""

    def __init__(self, sources: list[Source], needed: dict[str, set[RunKey]]) -> None:
        self.sources = sources
        self.needed = needed  # by section number: the runs the session's selected tests read
        self._sections: dict[str, _SectionRuns] = {}
        self._broken: dict[str, GradingError] = {}  # said once, then every test of that section fails at once
        self._lock = threading.Lock()
        # The preloaded interpreter and the vocabulary take a few hundred ms each: start both at once.
        threading.Thread(target=harmony.encoding, daemon=True).start()
        threading.Thread(target=prepare, daemon=True).start()

    def evidence(self, section: Section, run: Run, source: Source) -> Evidence:
        return self._started(section).evidence(run, source)

    def text(self, section: Section, declared: LearnerFile, source: Source) -> str:
        """A learner file as its run reads it, without waiting for the run (NotStarted where it does not exist)."""
        place = self._started(section).places[source]
        script = place.script(declared)
        if script is None:
            raise NotStarted(place.shown(declared))
        return (place.cwd / script).read_text(encoding="utf-8", errors="replace")

    def _started(self, section: Section) -> _SectionRuns:
        """The section's runs, all started at the first call."""
        with self._lock:
            if section.number in self._broken:
                raise self._broken[section.number]
            if section.number not in self._sections:
                try:
                    self._sections[section.number] = _SectionRuns(section, self.sources,
                                                                  self.needed.get(section.number, set()))
                except GradingError as exc:
                    self._broken[section.number] = exc
                    raise
            return self._sections[section.number]

    def close(self) -> None:
        for runs in self._sections.values():
            runs.close()
