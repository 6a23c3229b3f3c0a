"""Lessons are tested like the Rust book: the code a lesson tells the learner to type is replayed,
in order, against the recorded endpoint, and the files it builds must pass the section's checks.
A "your turn" step shows no code, so the replay takes its file from the reference."""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import pytest

from grader import lessons
from grader.endpoint import Endpoint, config, load_recordings
from grader.grading import DONE, grade
from grader.runner import run_script
from grader.suite import Section, catalog

ROOT = Path(__file__).resolve().parent.parent
WITH_LESSON = [s for s in catalog.written() if (ROOT / s.entry.lesson).exists()]


@pytest.mark.parametrize("section", WITH_LESSON, ids=lambda s: s.number)
def test_lesson_code_runs_and_passes(section: Section, tmp_path: Path) -> None:
    why = section.missing() if section.missing else None
    if why:  # its run steps need a system tool this machine lacks (bubblewrap)
        pytest.skip(why)
    steps = lessons.steps(ROOT / section.entry.lesson)
    files = [ROOT / section.entry.recording, *(ROOT / r for r in section.extra_recordings)]
    with Endpoint(load_recordings([f for f in files if f.exists()]), pace=section.pace) as endpoint:
        _replay(section, steps, endpoint, tmp_path)


def _replay(section: Section, steps: list[lessons.Step], endpoint: Endpoint, tmp_path: Path) -> None:
    """Type, append and run in the lesson's order, against the section's own recordings as grading does."""
    assert any(s.action == "file" for s in steps), "the lesson marks no code for the learner to type"
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    for step in steps:
        if step.action == "your-turn":
            target = tmp_path / step.target
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / section.files[Path(step.target).name].reference, target)
            continue
        if step.action != "run":
            lessons.apply(step, tmp_path)
            continue
        for script, stdin in step.commands():
            session = endpoint.new_session()
            settings = {"OPENAI_BASE_URL": endpoint.base_url, "OPENAI_API_KEY": session.api_key,
                        "MODEL": config.SERVED_MODEL}
            run = run_script(script, tmp_path, settings,
                             stdin=(tmp_path / stdin).read_text(encoding="utf-8") if stdin else None)
            expect_failure = step.target == "fails"
            assert (run.exit_code != 0) == expect_failure, (
                f"{section.entry.lesson}:{step.line}: `python {script}` exited {run.exit_code}\n{run.stderr[-2000:]}")
    typed = [s.target for s in steps if s.action in ("file", "your-turn") and s.target.startswith("work/")]
    graded = [Path(t).name for t in typed if Path(t).name in section.files]
    assert graded, "the lesson builds none of the section's work files"
    result = grade(section, what=str(tmp_path / "work"), only=graded)
    # "missing": a challenge the lesson leaves to the learner, listed as not started
    failures = [f"{c.file}: {c.name}: {c.message}" for c in result.checks if c.status not in (*DONE, "missing")]
    assert not failures, "the lesson's own code fails its checks:\n" + "\n".join(failures)


@pytest.mark.parametrize("section", [s for s in WITH_LESSON if s.number != "01"], ids=lambda s: s.number)
def test_a_third_of_the_graded_steps_are_the_learners_turn(section: Section) -> None:
    """From lesson 02 on, at least a third of the graded files are written from a spec, hints and a pointer."""
    lesson = ROOT / section.entry.lesson
    graded = {name for name, declared in section.files.items() if not declared.challenge}
    turns = [s for s in lessons.steps(lesson) if s.action == "your-turn"]
    names = {Path(s.target).name for s in turns}
    assert names <= graded, f"{lesson.name}: your-turn files that are not graded steps: {sorted(names - graded)}"
    assert len(names) >= math.ceil(len(graded) / 3), (
        f"{lesson.name}: {len(names)} of {len(graded)} graded steps are your turn; at least a third must be")
    for step in turns:
        declared = section.files[Path(step.target).name]
        where = f"{lesson.name}:{step.line}"
        assert step.target == declared.work_path, f"{where}: {step.target} is not under work/"
        assert step.code.startswith("### Your turn:"), f"{where}: the marker must stand right before `### Your turn:`"
        pointer = f"Stuck? `{declared.reference}`"
        assert pointer in " ".join(step.code.split()), f"{where}: no {pointer} in the subsection"
        hints = re.search(r"^Hints:\n\n((?:- .*\n(?:  .*\n)*)+)", step.code, re.MULTILINE)
        assert hints and hints.group(1).count("\n- ") + 1 >= 2, f"{where}: fewer than two hints under `Hints:`"
        shown = [s.line for s in lessons.steps(lesson) if s.action in ("file", "append") and s.target == step.target]
        assert not shown, f"{where}: the lesson still shows code for {step.target} (lines {shown})"
