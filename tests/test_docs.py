"""The lessons keep the course's shape, and every link between them and from the README resolves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader.suite import Section, catalog
from grader.course import COURSE

ROOT = Path(__file__).resolve().parent.parent
WRITTEN = catalog.written()


@pytest.mark.parametrize("section", WRITTEN, ids=lambda s: s.number)
def test_lesson_shape(section: Section) -> None:
    text = (ROOT / section.entry.lesson).read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings[-4].startswith("Security") and headings[-3:] == ["Challenges", "Recap", "Next"], headings
    challenges = text.split("## Challenges")[1].split("## Recap")[0]
    items = re.findall(r"^\d+\. ", challenges, re.M)
    assert items and challenges.count("Success:") == len(items), "every challenge needs a Success: line"
    nxt = COURSE[COURSE.index(section.entry) + 1] if section.entry != COURSE[-1] else None
    if nxt is not None:
        assert f"{nxt.number}-{nxt.slug}.md" in text.split("## Next")[1]


@pytest.mark.parametrize("page", ["README.md", *(str(p.relative_to(ROOT)) for p in sorted((ROOT / "lessons").glob("*.md")))])
def test_relative_links_resolve(page: str) -> None:
    path = ROOT / page
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
        if not target.startswith(("http://", "https://")):
            assert (path.parent / target).exists(), f"{page} links to {target}, which does not exist"


def test_every_written_section_is_in_the_readme_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for section in WRITTEN:
        assert f"[{section.title}]({section.entry.lesson})" in readme
