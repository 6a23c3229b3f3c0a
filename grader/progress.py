"""The learner's progress: a small JSON file with each section's last result."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from typing import Any, TextIO

from . import paths
from .suite import catalog
from .course import COURSE
from .grading import SectionResult
from .report import Style


def _load() -> dict[str, Any]:
    try:
        data = json.loads(paths.STATE.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def save(result: SectionResult) -> None:
    data = _load()
    data[result.section.number] = {
        "passed": result.passed,
        "checks_passed": sum(1 for c in result.checks if c.status == "passed"),
        "checks": len(result.checks),
        "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    paths.STATE.parent.mkdir(exist_ok=True)
    paths.STATE.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def render(stream: TextIO = sys.stdout) -> None:
    style = Style(stream)
    data = _load()
    for item in COURSE:
        last = data.get(item.number)
        if catalog.load(item.number) is None:
            status = style.paint("coming", "2")
        elif last is None:
            status = "not graded yet"
        elif last["passed"]:
            status = style.mark("passed") + " done"
        else:
            status = f"{last['checks_passed']}/{last['checks']} checks"
        stream.write(f"{item.number}  {item.title:<42} {status}\n")
    stream.write("\nGrade a section with: make check-NN  (or: python -m grader check NN)\n")
