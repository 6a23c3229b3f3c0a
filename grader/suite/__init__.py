"""Per-section pytest suites: what a suite declares, how its learner files run, and how results reach a learner."""

from .declare import LearnerFile, Scenario, Section

__all__ = ["LearnerFile", "Scenario", "Section"]
