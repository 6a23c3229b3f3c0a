"""A differently configured vLLM 0.33.0: the grading server of a second run, whose printed values differ from the
lessons' sample output, so a script can only pass by printing what this run's response holds."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from . import config

DAY = 86_400
ANSWERS = ("chat.completion", "chat.completion.chunk", "text_completion")


@dataclass(frozen=True)
class Variant:
    """What differs from the endpoint's usual configuration; every field is a vLLM 0.33.0 setting or the host's clock."""

    model: str = "course/oss-120b-variant"  # --served-model-name
    clock_shift_s: float = -(417 * DAY + 5 * 3600 + 23 * 60 + 11)  # the server's clock, far from the machine's
    start_date: str = "2025-09-30"  # VLLM_SYSTEM_START_DATE: the date harmony's system message carries
    alternatives: bool = True  # recorded replies with a `variant` answer in its other wording
    # --fingerprint-mode full hashes the configuration, so another configuration has another hash
    fingerprint: str = f"vllm-{config.VLLM_VERSION}-tp2-9d41b3e6"

    def now(self) -> float:
        return time.time() + self.clock_shift_s

    def served(self, obj: Any) -> Any:
        """A response body or chunk as this server names its model."""
        if isinstance(obj, dict) and obj.get("object") in ANSWERS:
            obj = {**obj, "model": self.model}
            if "system_fingerprint" in obj:
                obj["system_fingerprint"] = self.fingerprint
            return obj
        if isinstance(obj, dict) and obj.get("object") == "list":
            return {**obj, "data": [{**m, "id": self.model, "root": self.model} for m in obj.get("data") or []]}
        return obj
