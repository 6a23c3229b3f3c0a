"""Loaded into every graded script (the runner puts this folder on PYTHONPATH).

1. Network guard: a connection or DNS lookup for anything but loopback fails
   at once, is written to the grader's log, and is explained on stderr.
2. The learner's .env is never read: python-dotenv's loaders see only the
   settings the grader gave the script, even with override=True.
"""

import ipaddress
import os
import socket
import sys

_SETTINGS = ("OPENAI_BASE_URL", "OPENAI_API_KEY", "MODEL")
# Read when used, not when loaded: a preloaded interpreter forks children with their own environment.


class NetworkBlockedError(ConnectionRefusedError):
    """Raised instead of reaching an address outside this machine."""


def _loopback(host):
    if host is None or host in ("", "localhost", "localhost."):
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _note(line):
    path = os.environ.get("COURSE_GRADER_NET_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(line + "\n")


def _blocked(host, port):
    where = f"{host}:{port}" if port else str(host)
    _note("blocked " + where)
    sys.stderr.write(
        f"[grader] blocked a connection to {where}: while grading, scripts may only reach the "
        "recorded endpoint in OPENAI_BASE_URL.\n"
    )
    sys.stderr.flush()
    return NetworkBlockedError(f"the grader blocks network access outside this machine (tried {where})")


_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _getaddrinfo(host, port, *args, **kwargs):
    if not _loopback(host):
        raise _blocked(host, port)
    return _real_getaddrinfo(host, port, *args, **kwargs)


def _check(sock, address):
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    if not _loopback(address[0]):
        raise _blocked(address[0], address[1])
    port = os.environ.get("COURSE_GRADER_ENDPOINT_PORT")
    if port and str(address[1]) != port:
        _note(f"elsewhere {address[0]}:{address[1]}")  # allowed, but not the endpoint: worth a word later


def _connect(self, address):
    _check(self, address)
    return _real_connect(self, address)


def _connect_ex(self, address):
    _check(self, address)
    return _real_connect_ex(self, address)


socket.getaddrinfo = _getaddrinfo
socket.socket.connect = _connect
socket.socket.connect_ex = _connect_ex


def _guard_dotenv():
    try:
        import dotenv
        import dotenv.main
    except ImportError:
        return

    def load_dotenv(*args, **kwargs):
        return True

    def dotenv_values(*args, **kwargs):
        return {name: os.environ[name] for name in _SETTINGS if name in os.environ}

    def find_dotenv(*args, **kwargs):
        return ""

    for module in (dotenv, dotenv.main):
        module.load_dotenv = load_dotenv
        module.dotenv_values = dotenv_values
        module.find_dotenv = find_dotenv


_guard_dotenv()
