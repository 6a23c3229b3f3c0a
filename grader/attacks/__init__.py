"""Real escape attempts against a learner's `run_untrusted`, run inside outer bounds the learner's sandbox cannot lift."""

from .bounds import AttackReport, attack

__all__ = ["AttackReport", "attack"]
