"""What `make serve` prints: the banner once it listens, a refused port, and one line per request."""

from __future__ import annotations

import errno
import sys
import time
from collections.abc import Iterable

from . import matcher
from .session import LoggedRequest, Session

IN_USE = {errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", errno.EADDRINUSE)}


def port_taken(host: str, port: int, exc: OSError) -> str:
    """Why the server did not start, and how to start it on another port."""
    if exc.errno in IN_USE:
        why = (f"Port {port} on {host} is already in use, so the offline endpoint did not start.\n"
               "Another `make serve` may still be running in another terminal: use that one, or stop it with Ctrl+C.")
    else:
        why = f"The offline endpoint cannot listen on {host}:{port} ({exc.strerror}), so it did not start."
    other = port + 1 if 0 < port < 65535 else 8766
    return f"{why}\nTo use another port:\n  make serve PORT={other}\n  python -m grader serve --port {other}"


def banner(host: str, port: int, api_key: str, model: str, stand_ins: bool) -> str:
    settings = {"OPENAI_BASE_URL": f"http://{host}:{port}/v1", "OPENAI_API_KEY": api_key, "MODEL": model}
    others = ("any other\nquestion gets a stand-in reply that says so" if stand_ins
              else "any other\nquestion gets this section's reply for any question, as in grading")
    lines = [
        f"The course's offline endpoint is listening on {host}:{port}. It replays recorded replies: no key,",
        f"no cost, and no model. The lessons' own prompts get their recorded replies; {others}.",
        "",
        "Paste these three lines into the terminal where you run your scripts:",
        "",
        *(f"export {name}={value}" for name, value in settings.items()),
        "",
        "(PowerShell: " + "; ".join(f'$env:{n}="{v}"' for n, v in settings.items()) + ")",
        "",
        "Each request appears below with the recording that answered it. A drill or other sequence (a 429",
        "then the answer; a stream that breaks, drops, then completes) starts over once it has played to its",
        "end, after 5 s of silence, or when you press Enter here. Ctrl+C stops the server.",
        "",
    ]
    return "\n".join(lines)


def _asked(entry: LoggedRequest) -> str:
    request = matcher.Request(entry.method, entry.path, entry.body)
    text = request.last_user or (request.body.get("prompt") if isinstance(request.body.get("prompt"), str) else "")
    text = " ".join(text.split())
    return repr(text if len(text) <= 50 else text[:49] + "…") if text else ""


def describe(entry: LoggedRequest) -> str:
    """One line: when, what was asked, and which recording answered (or that none did)."""
    name = f"{entry.recording}/{entry.interaction}" if entry.interaction else None
    if entry.stand_in:
        what = "STAND-IN reply: no recording was made for this question"
        if name:
            what += f" ({name} answers any question, with a reply recorded for another one)"
    elif name:
        what = f"recording {name}" + (f", reply {entry.step[0]} of {entry.step[1]}" if entry.step else "")
    elif entry.status >= 400:
        what = "refused, as vLLM refuses it"
    else:
        what = "answered by the endpoint itself"
    asked = _asked(entry)
    return f"{time.strftime('%H:%M:%S')}  {entry.route}  {asked + '  ' if asked else ''}-> {what}  [{entry.status}]"


def show(entry: LoggedRequest) -> None:
    print(describe(entry), flush=True)


def restart_on_enter(session: Session, lines: Iterable[str] | None = None) -> None:
    """Each line typed on the server's terminal starts every sequence over."""
    for _ in lines if lines is not None else (sys.stdin or ()):
        session.restart_sequences()
        print("Every drill and sequence starts over from its first reply.", flush=True)
