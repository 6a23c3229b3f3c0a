"""Where the course lives on disk."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(os.environ.get("COURSE_WORK_DIR") or ROOT / "work")  # tests point it elsewhere
EXAMPLES = ROOT / "examples"
LESSONS = ROOT / "lessons"
TESTS = ROOT / "tests"
RECORDINGS = ROOT / "recordings"  # what the recorded endpoint replays, while grading and for make serve
STATE = Path(os.environ.get("COURSE_STATE_FILE") or ROOT / ".course" / "progress.json")  # tests point it elsewhere


def cores() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
