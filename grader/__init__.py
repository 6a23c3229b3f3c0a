"""The course's grader: a recorded endpoint, a hermetic runner, wire-level checks and their report."""
