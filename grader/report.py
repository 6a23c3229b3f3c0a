"""Renders grading results for a learner's terminal, or as JSON for tools."""

from __future__ import annotations

import json
import os
import sys
from typing import TextIO

from .course import COURSE
from .grading import DONE, CheckResult, SectionResult


class Style:
    """Colour and symbols only on a terminal that can show them; NO_COLOR is honoured."""

    def __init__(self, stream: TextIO) -> None:
        self.colour = stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
        encoding = (getattr(stream, "encoding", None) or "ascii").lower()
        unicode_ok = "utf" in encoding
        self.marks = {"passed": "✓", "failed": "✗", "missing": "·", "error": "!", "skipped": "~"} if unicode_ok else \
            {"passed": "ok", "failed": "X", "missing": "-", "error": "!", "skipped": "~"}

    def paint(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.colour else text

    def mark(self, status: str) -> str:
        colours = {"passed": "32", "failed": "31", "missing": "2", "error": "33", "skipped": "2"}
        return self.paint(self.marks[status], colours[status])


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def render(result: SectionResult, stream: TextIO = sys.stdout, *, solutions: bool = False, partial: bool = False) -> None:
    style = Style(stream)
    section = result.section
    write = stream.write
    write(style.paint(f"Section {section.number} · {section.title}", "1") + "\n")
    by_file: dict[str, list[CheckResult]] = {}
    for item in result.checks:
        by_file.setdefault(item.file, []).append(item)
    for file, items in by_file.items():
        summary = next((f.summary for f in section.files.values() if file in (f.work_path, f.reference)), "")
        write("\n" + style.paint(file, "1") + (f"  ({summary})" if summary else "") + "\n")
        if all(i.status == "missing" for i in items):
            said = items[0].message  # a check skipped on this machine says so itself
            write(f"  {style.mark('missing')} {said if said.startswith('skipped: ') else 'not started: ' + said}\n")
            write(f"    see: {items[0].see}\n")
            continue
        shown: set[str] = set()
        for item in items:
            write(f"  {style.mark(item.status)} {item.name}\n")
            if item.status == "passed":
                continue
            if item.message in shown:  # one cause, many checks: say it once
                write(style.paint("      (same reason as above)", "2") + "\n")
                continue
            shown.add(item.message)
            write(_indent(item.message, "      ") + "\n")
            write(style.paint(f"      see: {item.see}", "2") + "\n")
    if any(c.status == "error" for c in result.checks):
        write(f"\n{style.mark('error')} marks a check that could not be judged, because the script did not finish.\n")
    passed = sum(1 for c in result.checks if c.status == "passed")
    files_done = sum(1 for items in by_file.values() if all(i.status in DONE for i in items))
    write(f"\n{files_done} of {len(by_file)} files done, {passed} of {len(result.checks)} checks passed "
          f"({result.duration:.1f} s).\n")
    if partial:
        write(f"Only the files you named were graded; run make check-{section.number} for the whole section.\n")
    elif result.passed and not solutions:
        nxt = next((e for e in COURSE if e.number > section.number), None)
        write(style.paint(f"Section {section.number} done!", "32;1") +
              f" Compare your files with examples/{section.number}/.\n")
        if nxt is not None:
            write(f"Next: {nxt.lesson}\n")


def render_json(result: SectionResult, stream: TextIO = sys.stdout) -> None:
    stream.write(json.dumps(result.as_json(), ensure_ascii=False) + "\n")
