"""The recorded endpoint: a replay of the course's vLLM server on loopback."""

from .server import Endpoint, load_recordings

__all__ = ["Endpoint", "load_recordings"]
