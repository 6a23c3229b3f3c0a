"""Every section suite, graded on data whose verdict is known: an empty work/ is "not started", known-wrong
fixtures fail the checks they name, correct-but-different ones pass, and every check is proven able to fail.

The references are graded by the suites themselves in `make test` (`--grade examples`).

A fixture is a folder tests/fixtures/NN/<case>/ holding learner files and case.json:
  {"kind": "wrong", "why": "...", "fails": ["check name", ...]}  the named checks must fail
  {"kind": "right", "why": "..."}                                every check of its files must pass
"""

from __future__ import annotations

import ast
import functools
import json
from collections import Counter
from pathlib import Path

import pytest

from grader.grading import CheckResult, grade
from grader.suite import Section, catalog

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
WRITTEN = catalog.written()
CASES = [(s.number, case.parent) for s in WRITTEN for case in sorted((FIXTURES / s.number).glob("*/case.json"))]
SHARED_FILES = {"count_tokens.py": ["01", "03"]}  # a later section extends an earlier file on purpose


def _summary(checks: list[CheckResult]) -> str:
    return "\n".join(f"{c.status:8} {c.file}: {c.name}\n         {c.message}" for c in checks if c.status != "passed")


@functools.cache
def _graded(number: str) -> dict[str, list[CheckResult]]:
    """Every fixture of a section graded in one run of its suite, by case folder name."""
    cases = [str(case) for n, case in CASES if n == number]
    by_case: dict[str, list[CheckResult]] = {}
    for found in grade(catalog.load(number), what=cases).checks:
        by_case.setdefault(found.source, []).append(found)
    return by_case


@pytest.mark.parametrize("section", WRITTEN, ids=lambda s: s.number)
def test_empty_work_is_not_started(section: Section, tmp_path: Path) -> None:
    result = grade(section, what=str(tmp_path))
    assert result.checks and {c.status for c in result.checks} == {"missing"}
    assert all("does not exist yet" in c.message for c in result.checks)


@pytest.mark.parametrize(("number", "case"), [pytest.param(n, c, marks=pytest.mark.xdist_group(f"fixtures-{n}"))
                                              for n, c in CASES], ids=[f"{n}-{c.name}" for n, c in CASES])
def test_fixture(number: str, case: Path) -> None:
    spec = json.loads((case / "case.json").read_text())
    checks = [c for c in _graded(number).get(case.name, []) if c.status != "missing"]
    assert checks, f"{case} holds no learner file of section {number}"
    if spec["kind"] == "right":
        assert all(c.status == "passed" for c in checks), f"{spec['why']}\n" + _summary(checks)
        return
    by_name = {c.name: c for c in checks}
    for name in spec["fails"]:
        assert name in by_name, f"no check named {name!r}; the checks are {sorted(by_name)}"
        found = by_name[name]
        assert found.status == "failed", f"{spec['why']}: {name!r} was {found.status}\n{found.message}"
        assert found.message and "Traceback" not in found.message


def _check_names(section: Section) -> set[str]:
    """Every check's sentence as the learner's report shows it."""
    names = set()
    module = ast.parse(catalog.suite_path(section.entry).read_text(encoding="utf-8"))
    for node in module.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            runs = [a.arg for a in node.args.args if a.arg in section.runs]
            sentence = (ast.get_docstring(node) or "").splitlines()[0]
            scenario = section.runs[runs[0]].scenario_def
            names.add(f"{sentence} (when run {scenario.name})" if scenario else sentence)
    return names


@pytest.mark.parametrize("section", WRITTEN, ids=lambda s: s.number)
def test_every_check_can_fail(section: Section) -> None:
    """Each check of the section is named in some known-wrong fixture, which proves it rejects something."""
    named = set()
    for number, case in CASES:
        if number == section.number:
            named.update(json.loads((case / "case.json").read_text()).get("fails", []))
    missing = _check_names(section) - named
    assert not missing, f"checks no fixture proves able to fail: {sorted(missing)}"


@pytest.mark.parametrize("section", WRITTEN, ids=lambda s: s.number)
def test_every_check_reads_as_a_sentence(section: Section) -> None:
    module = ast.parse(catalog.suite_path(section.entry).read_text(encoding="utf-8"))
    for node in module.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            assert ast.get_docstring(node), f"{node.name} has no docstring: it is the sentence the learner reads"
            assert [a.arg for a in node.args.args if a.arg in section.runs], f"{node.name} names no learner file"


def test_learner_file_names_are_unique_across_the_course() -> None:
    owners = Counter(name for section in WRITTEN for name in section.files)
    shared = {name for name, count in owners.items() if count > 1}
    assert shared <= set(SHARED_FILES), f"learner files graded by two sections: {sorted(shared - set(SHARED_FILES))}"
    for name, numbers in SHARED_FILES.items():
        found = [s.number for s in WRITTEN if name in s.files]
        assert found in (numbers, numbers[:1]), (name, found)


def test_a_file_that_passes_the_later_section_passes_the_earlier_one(tmp_path: Path) -> None:
    """count_tokens.py: Section 03 extends Section 01's challenge, so every version 03 accepts, 01 accepts too."""
    accepted = [case for n, case in CASES if n == "03" and (case / "count_tokens.py").exists()
                and json.loads((case / "case.json").read_text())["kind"] == "right"]
    reference = tmp_path / "reference"
    reference.mkdir()
    (reference / "count_tokens.py").write_text((ROOT / "examples/03/count_tokens.py").read_text())
    result = grade(catalog.load("01"), what=[str(reference), *map(str, accepted)], only=["count_tokens.py"])
    assert result.checks and all(c.status == "passed" for c in result.checks), _summary(result.checks)
