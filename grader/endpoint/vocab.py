"""Makes the o200k vocabulary available to the harmony library (oss-harmony) without any download."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import os
import tempfile
from pathlib import Path

# The harmony library checks this hash itself; checking it here gives a clearer error.
O200K_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
VOCAB_NAME = "o200k_base.tiktoken"


def bpe_openai_dir() -> Path:
    """bpe-openai's folder, found without importing the package (its wrapper is slow to import)."""
    spec = importlib.util.find_spec("bpe_openai")
    if spec is None or spec.origin is None:
        raise RuntimeError("the bpe-openai package, which ships the o200k vocabulary and encoder, is not installed")
    return Path(spec.origin).parent


def ensure_vocab_dir() -> Path:
    """Unpack bpe-openai's o200k file once and point TIKTOKEN_ENCODINGS_BASE at it."""
    cache = Path(tempfile.gettempdir()) / f"llm-course-vocab-{O200K_SHA256[:12]}"
    target = cache / VOCAB_NAME
    if not target.exists():
        packed = bpe_openai_dir() / "data" / (VOCAB_NAME + ".gz")
        raw = gzip.decompress(packed.read_bytes())
        digest = hashlib.sha256(raw).hexdigest()
        if digest != O200K_SHA256:
            raise RuntimeError(f"{packed} is not the o200k vocabulary (sha256 {digest})")
        cache.mkdir(parents=True, exist_ok=True)
        partial = cache / f"{VOCAB_NAME}.{os.getpid()}.part"
        partial.write_bytes(raw)
        partial.replace(target)
    os.environ["TIKTOKEN_ENCODINGS_BASE"] = str(cache)
    return cache
