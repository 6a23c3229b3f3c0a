"""The check vocabulary: a check is a sentence for the learner and a function that may fail."""

from .model import Check, CheckFailed, Evidence, check
from .quote import quote, quote_body, quote_output

__all__ = ["Check", "CheckFailed", "Evidence", "check", "quote", "quote_body", "quote_output"]
