"""The hermetic runner: runs a learner's script the way the learner would."""

from .run import ScriptRun, prepare, run_script

__all__ = ["ScriptRun", "prepare", "run_script"]
