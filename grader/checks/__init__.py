"""The check vocabulary: the evidence of one run, the failure a check raises, and quotes of what a script did."""

from .model import CheckFailed, Evidence
from .quote import quote, quote_body, quote_exact, quote_output

__all__ = ["CheckFailed", "Evidence", "quote", "quote_body", "quote_exact", "quote_output"]
