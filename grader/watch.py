"""Re-grades a section whenever one of its work/ files changes (polling: no extra dependency)."""

from __future__ import annotations

import sys
import time

from . import paths, progress, report
from .grading import GradingError, grade
from .suite import Section


def _stamp(section: Section) -> tuple[float | None, ...]:
    stamps = []
    for declared in section.files.values():
        target = paths.WORK / declared.work
        stamps.append(target.stat().st_mtime if target.exists() else None)
    return tuple(stamps)


def watch(section: Section) -> int:
    last: tuple[float | None, ...] | None = None
    try:
        while True:
            stamp = _stamp(section)
            if stamp != last:
                last = stamp
                if sys.stdout.isatty():
                    print("\033[2J\033[H", end="")
                try:
                    result = grade(section)
                except GradingError as exc:
                    print(f"The grader cannot run: {exc}")
                else:
                    report.render(result)
                    progress.save(result)
                print(f"\nWatching work/ for section {section.number}; press Ctrl+C to stop.")
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
