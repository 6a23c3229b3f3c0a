"""Reads the code a lesson tells the learner to type, so tests can replay it like the Rust book does.

A lesson marks its steps with HTML comments, invisible when the Markdown is rendered:

    <!-- file: work/hello.py -->     the next code block is the whole new file
    <!-- append: work/hello.py -->   the next code block is added to the end of the file
    <!-- run -->                     each `python work/...` line of the next code block is run
    <!-- run: fails -->              the same, and the run is expected to exit with an error
    <!-- your-turn: work/x.py -->    the learner writes the file from the subsection's spec and hints (no code
                                     block follows); a replay copies the file's reference from examples/NN
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MARKER = re.compile(r"<!--\s*(file|append|run|your-turn)(?::\s*(\S+))?\s*-->")
HEADING = re.compile(r"^#{2,3} .*$", re.MULTILINE)
FENCE = re.compile(r"^```[\w-]*\n(.*?)^```", re.S | re.M)


@dataclass(frozen=True)
class Step:
    action: str  # "file", "append", "run" or "your-turn"
    target: str  # the file path, or for run: "" or "fails"
    code: str  # for your-turn: the text after the marker, its heading to the next one (spec, hints, pointer)
    line: int  # where the marker stands in the lesson, for error messages

    def commands(self) -> list[tuple[str, str | None]]:
        """The scripts a run step executes (`python work/x.py` or `python examples/...` lines), each with the file
        its standard input is read from (`python work/x.py < examples/10/review.txt`), if any."""
        return [(m.group(1), m.group(2)) for m in
                re.finditer(r"^\s*python3? ((?:work|examples)/\S+\.py)(?:\s*<\s*(\S+))?\s*$", self.code, re.M)]


def steps(lesson: Path) -> list[Step]:
    text = lesson.read_text(encoding="utf-8")
    found = []
    for marker in MARKER.finditer(text):
        line = text.count("\n", 0, marker.start()) + 1
        if marker.group(1) == "your-turn":
            found.append(Step("your-turn", marker.group(2) or "", _subsection(text, marker.end()), line))
            continue
        fence = FENCE.search(text, marker.end())
        if fence is None:
            raise ValueError(f"{lesson}:{line}: a marker with no code block after it")
        found.append(Step(marker.group(1), marker.group(2) or "", fence.group(1), line))
    return found


def _subsection(text: str, start: int) -> str:
    """From `start` through the first heading after it and the text under it, up to the next `##`/`###` heading."""
    heading = HEADING.search(text, start)
    following = HEADING.search(text, heading.end()) if heading else None
    return text[start:following.start() if following else None].lstrip()


def apply(step: Step, root: Path) -> None:
    """Write a file or append to it, as the learner would."""
    target = root / step.target
    target.parent.mkdir(parents=True, exist_ok=True)
    if step.action == "file":
        target.write_text(step.code, encoding="utf-8")
    elif step.action == "append":
        if not target.exists():
            raise ValueError(f"line {step.line}: appends to {step.target}, which no earlier step created")
        with target.open("a", encoding="utf-8") as handle:
            handle.write("\n" + step.code)
