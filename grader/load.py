"""Waits that guard against hangs, stretched on a busy machine so they never stop work that only waits for a CPU."""

from __future__ import annotations

import os

from . import paths

STRETCH = 5.0  # at most: a hang is still stopped within minutes however busy the machine


def stretched(declared: float) -> float:
    """`declared` seconds, multiplied by how many runnable tasks share each core (the load average), up to STRETCH."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return declared * min(STRETCH, max(1.0, load / paths.cores()))
