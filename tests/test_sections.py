"""Every written section: references pass, an empty work/ fails, known-wrong solutions are rejected,
correct-but-different solutions pass, and every check is proven able to fail by some fixture.

A fixture is a folder tests/fixtures/NN/<case>/ holding work files and case.json:
  {"kind": "wrong", "why": "...", "fails": ["check name", ...]}  the named checks must fail
  {"kind": "right", "why": "..."}                                every check of its files must pass
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grader import sections
from grader.grading import grade

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
WRITTEN = sections.written()


def _cases() -> list[tuple[str, Path]]:
    found = []
    for section in WRITTEN:
        for case in sorted((FIXTURES / section.number).glob("*/case.json")):
            found.append((section.number, case.parent))
    return found


CASES = _cases()


def _summary(result) -> str:
    return "\n".join(f"{c.status:8} {c.file}: {c.name}\n         {c.message}" for c in result.checks if c.status != "passed")


@pytest.mark.parametrize("section", WRITTEN, ids=lambda s: s.number)
def test_references_pass(section: sections.Section) -> None:
    result = grade(section, solutions=True)
    assert result.passed, _summary(result)


@pytest.mark.parametrize("section", WRITTEN, ids=lambda s: s.number)
def test_empty_work_is_not_started(section: sections.Section, tmp_path: Path) -> None:
    (tmp_path / "work").mkdir()
    result = grade(section, work_dir=tmp_path / "work")
    assert not result.passed
    assert {c.status for c in result.checks} == {"missing"}
    assert all("does not exist yet" in c.message for c in result.checks)


@pytest.mark.parametrize(("number", "case"), CASES, ids=[f"{n}-{c.name}" for n, c in CASES])
def test_fixture(number: str, case: Path, tmp_path: Path) -> None:
    spec = json.loads((case / "case.json").read_text())
    section = sections.load(number)
    work = tmp_path / "work"
    work.mkdir()
    files = [p.name for p in case.iterdir() if p.suffix == ".py"]
    for name in files:
        shutil.copy(case / name, work / name)
    graded = [name for name in files if name in {e.work for e in section.exercises}]
    assert graded, f"{case} holds no work file of section {number}"
    targets = [section.exercise(name) for name in graded]
    # a file compared with another (pirate.py with hello_sdk.py) is graded with that one beside it
    for exercise in targets:
        if exercise.compare_with and not (work / exercise.compare_with).exists():
            shutil.copy(ROOT / section.exercise(exercise.compare_with).reference, work / exercise.compare_with)
    result = grade(section, work_dir=work, only=graded)
    by_name = {c.name: c for c in result.checks}
    if spec["kind"] == "right":
        assert result.passed, f"{spec['why']}\n" + _summary(result)
    else:
        for name in spec["fails"]:
            assert name in by_name, f"no check named {name!r}; the checks are {sorted(by_name)}"
            found = by_name[name]
            assert found.status == "failed", f"{spec['why']}: {name!r} was {found.status}\n{found.message}"
            assert found.message and "Traceback" not in found.message


@pytest.mark.parametrize("section", WRITTEN, ids=lambda s: s.number)
def test_every_check_can_fail(section: sections.Section) -> None:
    """Each check of the section is named in some known-wrong fixture, which proves it rejects something."""
    named = set()
    for number, case in CASES:
        if number == section.number:
            spec = json.loads((case / "case.json").read_text())
            named.update(spec.get("fails", []))
    every = {c.name if not s else f"{c.name} (when run {s.name})"
             for e in section.exercises for s, checks in [(None, e.checks), *[(s, s.checks) for s in e.scenarios]]
             for c in checks}
    assert not every - named, f"checks no fixture proves able to fail: {sorted(every - named)}"
