"""Lessons are tested like the Rust book: the code a lesson tells the learner to type is replayed,
in order, against the recorded endpoint, and the files it builds must pass the section's checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import lessons
from grader.endpoint import Endpoint, config, load_recordings
from grader.grading import grade
from grader.runner import run_script
from grader.suite import Section, catalog

ROOT = Path(__file__).resolve().parent.parent
WITH_LESSON = [s for s in catalog.written() if (ROOT / s.entry.lesson).exists()]


@pytest.mark.parametrize("section", WITH_LESSON, ids=lambda s: s.number)
def test_lesson_code_runs_and_passes(section: Section, tmp_path: Path) -> None:
    steps = lessons.steps(ROOT / section.entry.lesson)
    files = [ROOT / section.entry.recording, *(ROOT / r for r in section.extra_recordings)]
    with Endpoint(load_recordings([f for f in files if f.exists()]), pace=section.pace) as endpoint:
        _replay(section, steps, endpoint, tmp_path)


def _replay(section: Section, steps: list[lessons.Step], endpoint: Endpoint, tmp_path: Path) -> None:
    """Type, append and run in the lesson's order, against the section's own recordings as grading does."""
    assert any(s.action == "file" for s in steps), "the lesson marks no code for the learner to type"
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    for step in steps:
        if step.action != "run":
            lessons.apply(step, tmp_path)
            continue
        for script in step.commands():
            session = endpoint.new_session()
            settings = {"OPENAI_BASE_URL": endpoint.base_url, "OPENAI_API_KEY": session.api_key,
                        "MODEL": config.SERVED_MODEL}
            run = run_script(script, tmp_path, settings)
            expect_failure = step.target == "fails"
            assert (run.exit_code != 0) == expect_failure, (
                f"{section.entry.lesson}:{step.line}: `python {script}` exited {run.exit_code}\n{run.stderr[-2000:]}")
    typed = [s.target for s in steps if s.action == "file" and s.target.startswith("work/")]
    graded = [Path(t).name for t in typed if Path(t).name in section.files]
    assert graded, "the lesson builds none of the section's work files"
    result = grade(section, what=str(tmp_path / "work"), only=graded)
    failures = [f"{c.file}: {c.name}: {c.message}" for c in result.checks if c.status != "passed"]
    assert not failures, "the lesson's own code fails its checks:\n" + "\n".join(failures)
