"""The lessons and references are written fresh: no prose run of 6+ words and no script taken from the seeds.

The seeds (the course author's draft and a reference article) live beside the repository in
`../shared/seeds/`; they specify facts, file names and structure, never wording. A learner's
clone has no seeds, so these tests skip there.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
LESSONS = sorted((ROOT / "lessons").glob("*.md"))
SCRIPTS = sorted((ROOT / "examples").rglob("*.py"))
RUN = 6  # words in a row shared with a seed that count as copied
MOST = 0.5  # share of a script's code lines found in one seed that counts as following it

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"no seeds at {SEEDS} (a learner's clone): nothing to compare")

WORD = re.compile(r"[a-z0-9]+")
FENCE = re.compile(r"^```.*?^```[ \t]*$", re.S | re.M)
INLINE = re.compile(r"`[^`\n]*`")
COMMENT = re.compile(r"<!--.*?-->", re.S)
LINK_TARGET = re.compile(r"\]\([^)\s]*\)")
HEADING = re.compile(r"^#+ .*$", re.M)
BREAK = "\x00"  # stands for a heading: structure the seeds may share, and no run crosses it


def _words(text: str) -> list[str]:
    """Lower-case words with punctuation and apostrophes dropped ("you’ll" is "youll")."""
    return WORD.findall(text.lower().replace("’", "").replace("'", ""))


def _seed_texts() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


def _blank(match: re.Match[str]) -> str:
    """Replace a match by spaces, keeping its newlines so line numbers survive."""
    return re.sub(r"[^\n]", " ", match.group(0))


def prose_words(markdown: str) -> list[tuple[str, int]]:
    """Each prose word with its line number: code, comments and link targets left out, a heading a break.

    Headings are left out because the seeds specify the course's structure, and a few headings
    are the names the grader's reports point learners to.
    """
    for pattern in (FENCE, COMMENT, INLINE, LINK_TARGET):
        markdown = pattern.sub(_blank, markdown)
    return [(w, number) for number, line in enumerate(markdown.splitlines(), 1)
            for w in ([BREAK] if HEADING.match(line) else _words(line))]


def shared_runs(words: list[tuple[str, int]], seed: str) -> list[tuple[int, int, str]]:
    """Maximal runs of RUN or more words that also appear in the seed: (first line, last line, text)."""
    seed_words = _words(seed)
    grams = {tuple(seed_words[i:i + RUN]) for i in range(len(seed_words) - RUN + 1)}
    hit = [False] * len(words)
    for i in range(len(words) - RUN + 1):
        if tuple(w for w, _ in words[i:i + RUN]) in grams:
            hit[i:i + RUN] = [True] * RUN
    runs, start = [], None
    for i, flag in enumerate([*hit, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append((words[start][1], words[i - 1][1], " ".join(w for w, _ in words[start:i])))
            start = None
    return runs


def _code_line(line: str) -> str:
    """A code line without its comment and whitespace, so layout and comments do not hide a copy."""
    return re.sub(r"\s+", "", re.sub(r"\s#.*$", "", line.replace("’", "'")))


def _boilerplate(code: str) -> bool:
    """Imports, settings read from the environment and the client's constructor: every course script has them."""
    return code.startswith(("import", "from")) or "os.environ" in code or code.startswith("client=OpenAI(")


def script_lines(source: str) -> list[str]:
    """A script's significant code lines: comments, docstrings, boilerplate and bare punctuation left out."""
    kept = []
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    skip = {t.start[0] for t in tokens if t.type == tokenize.STRING and t.line.strip().startswith(('"""', "'''"))}
    for number, line in enumerate(source.splitlines(), 1):
        code = _code_line(line.split("#")[0] if line.lstrip().startswith("#") else line)
        if number not in skip and re.search(r"\w", code) and len(code) > 6 and not _boilerplate(code):
            kept.append(code)
    return kept


def borrowed_share(source: str, seed: str) -> tuple[float, list[str]]:
    """The share of a script's significant lines that occur as lines of the seed, and those lines."""
    seed_lines = {_code_line(line) for line in seed.splitlines()}
    lines = script_lines(source)
    same = [line for line in lines if line in seed_lines]
    return (len(same) / len(lines) if lines else 0.0), same


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.name[:2])
def test_lesson_prose_shares_no_run_of_words_with_a_seed(lesson: Path) -> None:
    words = prose_words(lesson.read_text(encoding="utf-8"))
    found = [f"{lesson.name}:{first}-{last} (as in {name}): {text}"
             for name, seed in _seed_texts().items() for first, last, text in shared_runs(words, seed)]
    assert not found, f"{len(found)} runs of {RUN}+ words shared with a seed; say it fresh:\n" + "\n".join(found)


def _python_blocks(lesson: Path) -> list[tuple[str, str]]:
    text = lesson.read_text(encoding="utf-8")
    return [(f"{lesson.name}:{text.count(chr(10), 0, m.start()) + 1}", m.group(1))
            for m in re.finditer(r"^```python\n(.*?)^```", text, re.S | re.M)]


CODE = [*((str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in SCRIPTS),
        *(block for lesson in LESSONS for block in _python_blocks(lesson))]


def test_no_script_or_lesson_code_follows_a_seed() -> None:
    found = []
    for where, source in CODE:
        for name, seed in _seed_texts().items():
            share, same = borrowed_share(source, seed)
            if share > MOST and len(same) >= 4:
                found.append(f"{where} (as in {name}): {len(same)} of {len(script_lines(source))} code lines, "
                             f"e.g. {same[:3]}")
    assert not found, "code that follows a seed line for line; write it fresh:\n" + "\n".join(found)


def test_the_scan_sees_a_copied_run_and_a_copied_script() -> None:
    seed = "Ours runs vLLM, a fast serving engine, and serves gpt-oss-120b.\nx = compute(a, b)\nprint(x, flush=True)"
    words = prose_words("Intro.\n\nOurs runs [vLLM](https://x), a quick `y` serving engine; it is fine.\n")
    assert shared_runs(words, seed) == []
    words = prose_words("Intro.\n\nOURS runs [vLLM](https://x), a fast\nserving engine!\n```\nours runs vllm a fast serving\n```\n")
    assert shared_runs(words, seed) == [(3, 4, "ours runs vllm a fast serving engine")]
    assert borrowed_share('"""Doc."""\nimport os\nx  =  compute(a, b)  # mine\nprint(x, flush=True)\n', seed)[0] == 1.0
