"""Where each section's suite lives, and loading its declarations outside pytest (report, progress, bench)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from .. import paths
from ..course import COURSE, Entry, entry
from .declare import Section

SUITES = paths.TESTS / "sections"


def suite_path(item: Entry) -> Path:
    return SUITES / f"test_{item.number}_{item.slug.replace('-', '_')}.py"


def load(number: str) -> Section | None:
    """The section's declarations, or None while it is still coming."""
    path = suite_path(entry(number))
    if not path.exists():
        return None
    name = path.stem  # the name pytest gives it too, so both share one module and one SECTION
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return module.SECTION


def written() -> list[Section]:
    return [s for s in (load(e.number) for e in COURSE) if s is not None]
