"""The classes of the fixtures in tests/fixtures: every case.json names one (`"class": N`), and the grid of class by
section shows where each class has its known-wrong and its correct-but-different fixtures.

Classes 1-8 are the misgradings of issue 15: a fixture of one of them is a script that such a grader would
misgrade (a wrong one it used to accept, a right one it used to reject). Classes 9-12 are the steps' ordinary
mistakes, which no grader misgraded but every fixture still needs a class for. `python -m tests.fixture_classes`
prints the grid.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from grader.suite import catalog

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SECTIONS = tuple(section.number for section in catalog.written())  # a new section joins the grid when written


@dataclass(frozen=True)
class FixtureClass:
    name: str
    wrong: str  # what a known-wrong fixture of the class does
    right: str  # what a correct-but-different one does


CLASSES = {
    1: FixtureClass("output copied from the lesson",
                    "prints a value that did not come from this run's response (canned, made up, counted locally)",
                    "prints the response's values in its own form, so they follow a differently configured server"),
    2: FixtureClass("presence instead of correspondence",
                    "prints the reply wrapped in the whole response, with None, cut, reasoning, or not once per call",
                    "prints each reply once, in a form of its own (quoted, as a JSON field, pieces joined)"),
    3: FixtureClass("numbers read from the wrong place",
                    "prints a number under the wrong label or unit, or another number where the asked one belongs",
                    "prints the numbers with other labels, units, layouts or separators"),
    4: FixtureClass("order assumed",
                    "breaks an order the lesson does require",
                    "measures, sorts or prints in another order where the lesson leaves it open"),
    5: FixtureClass("behaviour never exercised",
                    "fails a behaviour only a dedicated run shows (a cap, a fresh id, a model from MODEL, timing)",
                    "has that behaviour, written its own way"),
    6: FixtureClass("identity by accident",
                    "sends the step's requests with another client than the step asks for",
                    "is the asked client with another face (a requests.Session with its own User-Agent)"),
    7: FixtureClass("ambiguity decided silently",
                    "takes another form where the lesson says which form it requires",
                    "takes another form where the lesson leaves the form open"),
    8: FixtureClass("messages that mislead",
                    "is rejected with a message that must name its real mistake (its says words)",
                    "(none: a correct script is shown no failure message)"),
    9: FixtureClass("wrong request",
                    "sends other calls than the step asks for: missing, extra, to another route, other messages or "
                    "settings, or the step's logic (trim, retry, summary) wrong",
                    "makes the step's calls written differently (other prompts, helpers, a Session, spellings)"),
    10: FixtureClass("hard-coded setting",
                     "types the key or the URL into the script instead of reading the environment (a typed-in "
                     "model is class 5, as issue 15 lists it)",
                     "reads the settings another way (OpenAI() defaults, load_dotenv, os.getenv, a helper)"),
    11: FixtureClass("wrong printout",
                     "leaves out a value the step asks it to print, or prints it in a form the step rules out",
                     "prints every asked value in a layout of its own (a table, JSON, stderr for the extras)"),
    12: FixtureClass("crashes on an error",
                     "crashes, hides or ignores an error (an error status, content None, a broken stream, EOF)",
                     "handles the error its own way (its own exception, message, exit code)"),
}

# A cell (class, section) needs a known-wrong fixture that names its mistake ("says") and a correct-but-different
# one, unless it is listed here: "wrong" or "right" (only that half applies) or "n/a", with the reason.
NO_RIGHT = "a correct script is shown no failure message, so only known-wrong fixtures can pin a message"
EXCEPTIONS: dict[tuple[int, str], tuple[str, str]] = {
    (3, "07"): ("n/a", "no Section 07 check reads a number from the output: its scripts print replies"),
    (3, "15"): ("n/a", "no Section 15 check reads a number from the learner's output: the attacks' counts come from "
                       "the result dicts run_untrusted returned"),
    (8, "15"): ("wrong", NO_RIGHT),
    (1, "15"): ("n/a", "no Section 15 check reads a value the lesson shows: the attacks' results come from "
                       "run_untrusted, and the tool result must hold what the model's program printed (class 2)"),
    (4, "15"): ("n/a", "no Section 15 step requires an order: each attack is its own call, and the demo's snippets "
                       "may run in any order"),
    (6, "15"): ("n/a", "no Section 15 step asks for a particular client: requests and the SDK both pass"),
    (12, "15"): ("n/a", "no Section 15 step handles a server error; errors of the code it runs are results"),
    (3, "11"): ("n/a", "no Section 11 check reads a number from the output: its scripts print replies and labels "
                       "(few_shot.py's prompt_tokens shows what examples cost and is not graded)"),
    (4, "02"): ("right", "the choices may come in any order; budget_ladder.py's calls depend on each other, so its "
                         "order cannot be broken by a script that works"),
    (4, "03"): ("right", "no step requires an order: the token table and the costs may be in any order"),
    (4, "04"): ("right", "no step requires an order: the answers may be printed in any order"),
    (4, "05"): ("right", "no step requires an order: the efforts may be asked and printed in any order"),
    (4, "06"): ("right", "no step requires an order of printing: the times may come in any order"),
    (4, "07"): ("wrong", "a conversation's order is the lesson's point: no other order is correct"),
    (4, "08"): ("right", "no step requires an order: the batch's answers may be printed as they finish"),
    (4, "09"): ("right", "the reviews may be classified in any order; retry_invalid.py's second request holds the "
                         "first answer, so its order cannot be broken by a script that works"),
    (6, "03"): ("n/a", "no Section 03 step asks for a particular client: requests and the SDK both pass"),
    (6, "04"): ("n/a", "no Section 04 step asks for a particular client: requests and the SDK both pass"),
    (6, "07"): ("n/a", "no Section 07 step asks for a particular client: requests and the SDK both pass"),
    (6, "11"): ("right", "no Section 11 step asks for a particular client, so none can be the wrong one; a client "
                         "with another face (a requests.Session with its own User-Agent) still passes"),
    (6, "13"): ("right", "no Section 13 step asks for a particular client, so none can be the wrong one; a client "
                         "with another face (a requests.Session with its own User-Agent) still passes"),
    (7, "01"): ("right", "the lesson asks for a pirate's style, not the word 'pirate': nothing to reject"),
    (7, "02"): ("n/a", "issue 15's trial found no form left open in Section 02 that a check decided"),
    (7, "03"): ("right", "the earlier answer may be written in or generated: nothing to reject"),
    (7, "05"): ("right", "the assistant's answer may be written in or generated: nothing to reject"),
    (7, "06"): ("n/a", "issue 15's trial found no form left open in Section 06 that a check decided"),
    (7, "07"): ("n/a", "issue 15's trial found no form left open in Section 07 that a check decided"),
    (7, "08"): ("n/a", "issue 15's trial found no form left open in Section 08 that a check decided"),
    (8, "01"): ("n/a", "issue 15's trial found no misleading message in Section 01; the says of its other cells "
                       "pin its messages"),
    (8, "02"): ("wrong", NO_RIGHT),
    (8, "03"): ("wrong", NO_RIGHT),
    (8, "04"): ("n/a", "issue 15's trial found no misleading message in Section 04; the says of its other cells "
                       "pin its messages"),
    (8, "05"): ("n/a", "issue 15's trial found no misleading message in Section 05; the says of its other cells "
                       "pin its messages"),
    (8, "06"): ("wrong", NO_RIGHT),
    (8, "07"): ("wrong", NO_RIGHT),
    (8, "08"): ("wrong", NO_RIGHT),
    (8, "09"): ("wrong", NO_RIGHT),
    (8, "11"): ("wrong", NO_RIGHT),
    (8, "13"): ("wrong", NO_RIGHT),
    (10, "03"): ("right", "Section 03 has no key check of its own (Sections 01-02 teach reading the settings): a "
                          "typed-in key is refused with 401 and fails the checks that read a response"),
    (11, "01"): ("n/a", "Section 01 prints only the reply (class 2), token counts (class 3) and model ids (class 1)"),
    (11, "07"): ("n/a", "Section 07's scripts print only replies (class 2)"),
    (11, "08"): ("n/a", "Section 08 prints replies (class 2), remaining counts (class 3) and errors (class 12)"),
    (12, "04"): ("n/a", "no Section 04 step handles an error"),
    (4, "10"): ("right", "no step requires an order: versions and tickets may be sent and printed in any order"),
    (6, "10"): ("right", "no Section 10 step asks for a particular client: a Session with its own User-Agent passes "
                         "like the SDK"),
    (8, "10"): ("wrong", NO_RIGHT),
    (12, "10"): ("wrong", "no Section 10 step handles a server error; a template that crashes on a ticket holding "
                          "braces is the one crash its steps meet"),
    (4, "12"): ("right", "no step requires an order of its own: the round trip's calls depend on each other, and the "
                         "special tokens, prompt and verdict may be printed in any order"),
    (8, "12"): ("wrong", NO_RIGHT),
    (6, "14"): ("n/a", "no Section 14 step asks for a particular client: requests and the SDK both pass"),
    (8, "14"): ("wrong", NO_RIGHT),
    (2, "16"): ("n/a", "Section 16 prints no model reply: its files print sandbox results, verdicts and a version"),
    (3, "16"): ("n/a", "no Section 16 check reads a number from the output: the version is matched as bwrap prints it"),
    (4, "16"): ("n/a", "no Section 16 step requires an order, and none is checked: the probe's attempts may come in "
                       "any order (probe_table_right prints processes first)"),
    (6, "16"): ("n/a", "no Section 16 step calls the model, so none asks for a particular client"),
    (7, "16"): ("right", "the lesson leaves the forms open (a refusal raised or returned, the probe's wording), and "
                         "no check requires one of them"),
    (8, "16"): ("wrong", NO_RIGHT),
    (10, "16"): ("n/a", "no Section 16 script reads OPENAI_* settings: none calls the model"),
}
# Cells that apply but still lack a fixture: listed, so the grid stays total and the gap stays visible.
MISSING: dict[tuple[int, str], str] = {}


@dataclass(frozen=True)
class Case:
    section: str
    name: str
    kind: str
    number: int | None
    says: bool


def cases() -> list[Case]:
    """Every fixture of the written sections, as its case.json describes it."""
    found = []
    for section in SECTIONS:
        for path in sorted((FIXTURES / section).glob("*/case.json")):
            spec = json.loads(path.read_text(encoding="utf-8"))
            found.append(Case(section, path.parent.name, spec["kind"], spec.get("class"), bool(spec.get("says"))))
    return found


def needs(number: int, section: str) -> set[str]:
    """The kinds of fixture a cell needs: {"wrong", "right"}, one of them, or none."""
    kind = EXCEPTIONS.get((number, section), ("both", ""))[0]
    return {"both": {"wrong", "right"}, "wrong": {"wrong"}, "right": {"right"}, "n/a": set()}[kind]


def counts() -> Counter[tuple[int, str, str]]:
    """(class, section, kind) -> how many fixtures; a wrong one counts only if it names its mistake (says)."""
    return Counter((c.number, c.section, c.kind) for c in cases() if c.kind == "right" or c.says)


def gaps() -> list[str]:
    """Every cell that needs a fixture it does not have and is not listed in MISSING."""
    have = counts()
    return [f"class {n} ({CLASSES[n].name}) in {s}: no {kind} fixture"
            + (" that says what is wrong" if kind == "wrong" else "")
            for n in CLASSES for s in SECTIONS for kind in sorted(needs(n, s))
            if not have[n, s, kind] and (n, s) not in MISSING]


def table() -> str:
    """The classes, then the grid: wrong/right counts per section ('-' where a half does not apply)."""
    have = counts()
    lines = ["| class | wrong: the fixture | right: the fixture |", "|---|---|---|"]
    lines += [f"| {n} {c.name} | {c.wrong} | {c.right} |" for n, c in CLASSES.items()]
    lines += ["", "wrong/right fixtures by section (wrong ones counted if they name their mistake):", "",
              "| class | " + " | ".join(SECTIONS) + " |", "|---" * (len(SECTIONS) + 1) + "|"]
    for n in CLASSES:
        cells = []
        for s in SECTIONS:
            kinds = needs(n, s)
            cells.append("n/a" if not kinds else "/".join(
                str(have[n, s, k]) if k in kinds else "-" for k in ("wrong", "right")))
        lines.append(f"| {n} | " + " | ".join(cells) + " |")
    lines += ["", "Where a class or half does not apply:", ""]
    lines += [f"- class {n} in {s} ({kind}): {why}" for (n, s), (kind, why) in sorted(EXCEPTIONS.items())]
    lines += [f"- class {n} in {s}: MISSING, {why}" for (n, s), why in sorted(MISSING.items())]
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
