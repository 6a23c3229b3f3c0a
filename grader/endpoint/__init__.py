"""The recorded endpoint: a replay of the course's vLLM server on loopback."""

from .server import Endpoint, load_recordings
from .variant import Variant

__all__ = ["Endpoint", "Variant", "load_recordings"]
