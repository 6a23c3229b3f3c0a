"""Every fixture names its class, and the grid of class by section is total: wherever a class applies, the section
has a known-wrong fixture of it that names its mistake and a correct-but-different one (tests/test_suites.py proves
the first rejected and the second accepted). `python -m tests.fixture_classes` prints the grid."""

from __future__ import annotations

import fixture_classes as fc


def test_every_fixture_names_a_known_class() -> None:
    unknown = [f"{c.section}/{c.name}: {c.number!r}" for c in fc.cases() if c.number not in fc.CLASSES]
    assert not unknown, f"case.json needs a \"class\" from tests/fixture_classes.py: {unknown}"


def test_every_cell_where_a_class_applies_has_its_fixtures() -> None:
    missing = fc.gaps()
    assert not missing, "\n".join(missing) + "\n\n" + fc.table()


def test_the_exceptions_hold() -> None:
    """A cell marked as not applying holds no fixture of that half, and a cell listed as missing is still missing."""
    have = fc.counts()
    for (number, section), (kind, _) in fc.EXCEPTIONS.items():
        extra = {k for k in ("wrong", "right") if have[number, section, k]} - fc.needs(number, section)
        assert not extra, f"class {number} in {section} is marked {kind!r} yet has {extra} fixtures"
    filled = [cell for cell in fc.MISSING if all(have[cell[0], cell[1], k] for k in fc.needs(*cell))]
    assert not filled, f"remove these cells from MISSING, they have their fixtures now: {filled}"
