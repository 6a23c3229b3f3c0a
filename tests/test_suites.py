"""Every section suite, graded on data whose verdict is known: an empty work/ is "not started", known-wrong
fixtures fail the checks they name, correct-but-different ones pass, and every check is proven able to fail.

The references are graded by the suites themselves in `make test` (`--grade examples`).

A fixture is a folder tests/fixtures/NN/<case>/ holding learner files and case.json:
  {"kind": "wrong", "class": N, "why": "...", "fails": ["check name", ...]}  the named checks must fail
      optional "says": ["words", ...]                                          each in the message of one of them
  {"kind": "right", "class": N, "why": "..."}                                every check of its files must pass
The classes, and the grid of class by section, are in tests/fixture_classes.py.
"""

from __future__ import annotations

import ast
import functools
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from grader.endpoint import Endpoint, load_recordings
from grader.grading import DONE, CheckResult, grade
from grader.runner import run_script
from grader.suite import Section, catalog
from grader.suite.declare import VARIANT_RUN
from grader.suite.runs import apply_diff

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
WRITTEN = catalog.written()
CASES = [(s.number, case.parent) for s in WRITTEN for case in sorted((FIXTURES / s.number).glob("*/case.json"))]
SHARED_FILES = {"count_tokens.py": ["01", "03"]}  # a later section extends an earlier file on purpose


def _summary(checks: list[CheckResult]) -> str:
    return "\n".join(f"{c.status:8} {c.file}: {c.name}\n         {c.message}" for c in checks if c.status != "passed")


@functools.cache
def _graded(number: str) -> dict[str, list[CheckResult]]:
    """Every fixture of a section graded in one run of its suite, by case folder name: a known-wrong one on the
    checks it names, a correct-but-different one on every check."""
    cases = [case for n, case in CASES if n == number]
    specs = {case.name: json.loads((case / "case.json").read_text()) for case in cases}
    named = {name: set(spec["fails"]) for name, spec in specs.items() if spec["kind"] == "wrong"}
    checks = _check_files(catalog.load(number))
    for case in cases:  # a right one: the checks of the files it holds, not of a reference copied in beside them
        if specs[case.name]["kind"] == "right":
            named[case.name] = {name for name, work in checks.items()
                                if (case / work).exists() or (case / f"{work}.diff").exists()}
    by_case: dict[str, list[CheckResult]] = {}
    for found in grade(catalog.load(number), what=[str(case) for case in cases], checks=named).checks:
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
    skip_without_tools(catalog.load(number))
    spec = json.loads((case / "case.json").read_text())
    checks = [c for c in _graded(number).get(case.name, []) if c.status != "missing"]
    assert checks, f"{case} holds no learner file of section {number}, or names no check of it"
    if spec["kind"] == "right":
        assert all(c.status in DONE for c in checks), f"{spec['why']}\n" + _summary(checks)
        return
    by_name = {c.name: c for c in checks}
    for name in spec["fails"]:
        assert name in by_name, f"no check named {name!r}; the checks are {sorted(by_name)}"
        found = by_name[name]
        stopped = found.status == "error" and found.message.startswith("your script was still running after")
        assert found.status == "failed" or stopped, f"{spec['why']}: {name!r} was {found.status}\n{found.message}"
        assert found.message and "Traceback" not in found.message
    for words in spec.get("says", []):  # the failure names the mistake, not only its verdict
        assert any(words in by_name[name].message for name in spec["fails"]), \
            f"{spec['why']}: no failure message says {words!r}\n" + _summary(checks)


def skip_without_tools(section: Section) -> None:
    """A section whose checks need a system tool this machine lacks (bubblewrap) skips, saying which and how to
    install it: its checks skip too, so no verdict of them can be proven here."""
    why = section.missing() if section.missing else None
    if why:
        pytest.skip(why)


def _check_files(section: Section) -> dict[str, str]:
    """Every check's sentence as the learner's report shows it, with the learner file it grades."""
    names = {}
    module = ast.parse(catalog.suite_path(section.entry).read_text(encoding="utf-8"))
    for node in module.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            runs = [a.arg for a in node.args.args if a.arg in section.runs]
            sentence = (ast.get_docstring(node) or "").splitlines()[0]
            run = section.runs[runs[0]]
            scenario = run.scenario_def
            names[f"{sentence} (when run {scenario.name})" if scenario else sentence] = run.file.work
    return names


@pytest.mark.parametrize("section", WRITTEN, ids=lambda s: s.number)
def test_every_fixture_diff_still_applies(section: Section, tmp_path: Path) -> None:
    """A known-wrong fixture stored as `x.py.diff` is its reference with one mistake: the reference may change, the
    mistake must still apply to it."""
    for diff in sorted((FIXTURES / section.number).glob("*/*.diff")):
        learner = diff.name.removesuffix(".diff")
        assert learner in section.files, f"{diff}: {learner} is not a learner file of section {section.number}"
        folder = tmp_path / diff.parent.name / learner
        folder.mkdir(parents=True)
        reference = ROOT / section.files[learner].reference
        shutil.copy(reference, folder / learner)
        apply_diff(diff, folder)
        assert (folder / learner).read_text() != reference.read_text(), f"{diff} changes nothing"


@pytest.mark.parametrize("section", WRITTEN, ids=lambda s: s.number)
def test_every_check_can_fail(section: Section) -> None:
    """Each check of the section is named in some known-wrong fixture, which proves it rejects something."""
    named = set()
    for number, case in CASES:
        if number == section.number:
            named.update(json.loads((case / "case.json").read_text()).get("fails", []))
    missing = {name for name in _check_files(section).keys() - named
               if not name.endswith(VARIANT_SUFFIX)}  # test_output_copied_from_the_lesson_fails proves those
    assert not missing, f"checks no fixture proves able to fail: {sorted(missing)}"


@pytest.mark.parametrize("section", WRITTEN, ids=lambda s: s.number)
def test_every_check_reads_as_a_sentence(section: Section) -> None:
    module = ast.parse(catalog.suite_path(section.entry).read_text(encoding="utf-8"))
    for node in module.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            assert ast.get_docstring(node), f"{node.name} has no docstring: it is the sentence the learner reads"
            assert [a.arg for a in node.args.args if a.arg in section.runs], f"{node.name} names no learner file"


TEXT_BLOCK = re.compile(r"^```text\n(.*?)^```", re.DOTALL | re.MULTILINE)
COPIER = """import atexit, io, sys
_lesson = {output!r}
atexit.register(lambda: (sys.__stdout__.write(_lesson), sys.__stdout__.flush()))
sys.stdout = io.StringIO()  # the reference's own output is hidden: only the lesson's shows
"""


def lesson_outputs(section: Section) -> dict[str, str]:
    """The lesson's sample output (its ```text blocks) by the learner file named last before each (the run that
    prints it, or the your-turn subsection that asks for it)."""
    text = (ROOT / section.entry.lesson).read_text(encoding="utf-8")
    found: dict[str, str] = {}
    for block in TEXT_BLOCK.finditer(text):
        runs = [name for name in re.findall(r"work/(\w+\.py)", text[:block.start()]) if name in section.files]
        if runs:
            found[runs[-1]] = found.get(runs[-1], "") + block.group(1)
    return found


# Sample output that holds no value of a response: any correct script prints it, so a copy of it is no cheat.
OWN_OUTPUT = {
    "count_tokens.py": "prompt_tokens of its own texts, the same on every vLLM 0.33.0 serving gpt-oss (a date in the "
                       "harmony system message always takes the same number of tokens)",
    "timeouts.py": "its own words: the stalled reply never arrives",
    "isolated_sandbox.py": "what code inside the box sees (its uid, its root folder), the same on every run",
    "context_window.py": "MODEL, and the context length and refusal of every vLLM 0.33.0 serving gpt-oss with "
                         "--max-model-len 131072 (the variant server keeps that length)",
}
VARIANT_SUFFIX = f"(when run {VARIANT_RUN})"


def _reference_output(section: Section, name: str, scratch: Path) -> str:
    """What the reference prints on the usual grading endpoint (run in `scratch`, as it may write files)."""
    declared = section.files[name]
    scratch.mkdir(exist_ok=True)
    shutil.copy(ROOT / declared.reference, scratch / name)
    files = [ROOT / section.entry.recording, *(ROOT / r for r in section.extra_recordings)]
    with Endpoint(load_recordings([f for f in files if f.exists()])) as endpoint:
        session = endpoint.new_session()
        settings = {"OPENAI_BASE_URL": endpoint.base_url, "OPENAI_API_KEY": session.api_key, "MODEL": endpoint.app.model}
        return run_script(name, scratch, settings, timeout=declared.timeout, stdin=declared.stdin).stdout


@pytest.mark.parametrize("section", WRITTEN, ids=lambda s: s.number)
def test_output_copied_from_the_lesson_fails(section: Section, tmp_path: Path) -> None:
    """A script that makes the reference's calls and then prints the lesson's sample output instead of its response
    (or, for a file the lesson shows no output of, the reference's output from another run) fails: each variant run's server sends other ids, clock, model name and wording (issue 15, class 1), and every
    check run on the variant evidence fails it, which is what proves those checks able to fail."""
    skip_without_tools(section)
    outputs = {name: text for name, text in lesson_outputs(section).items() if name not in OWN_OUTPUT}
    varied = {run.file.work for run in section.runs.values() if run.scenario_def and run.scenario_def.variant}
    for name in sorted(varied - set(outputs)):  # no sample output in the lesson: the reference's own output, once
        outputs[name] = _reference_output(section, name, tmp_path / "reference")
    for name, output in outputs.items():
        reference = (ROOT / section.files[name].reference).read_text(encoding="utf-8")
        (tmp_path / name).write_text(COPIER.format(output=output) + reference, encoding="utf-8")
    checks = grade(section, what=str(tmp_path), only=sorted(outputs)).checks
    for name in outputs:
        mine = [c for c in checks if c.file.endswith(f"/{name}")]
        assert any(c.status == "failed" for c in mine), f"a script printing the lesson's output passes {name}"
        passed = [c.name for c in mine if c.name.endswith(VARIANT_SUFFIX) and c.status != "failed"]
        assert not passed, f"{name}: a script printing the lesson's output passes {passed}\n" + _summary(mine)


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
