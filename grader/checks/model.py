"""The evidence a check judges, and the failure it raises."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..endpoint.session import LoggedRequest
from ..runner import ScriptRun
from .quote import quote_body, quote_output


# a traceback's exception line: "json.decoder.JSONDecodeError: Expecting value: ...", "KeyboardInterrupt"
EXCEPTION_LINE = re.compile(r"(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?::\s|:?$)")
FURTHER = "For further information visit"
RUNAWAY = 25  # requests in one run that no lesson step sends: a loop without a bound  # pydantic's link under each error, which says nothing of the error


class CheckFailed(Exception):
    """A check's verdict: what was expected and what the script actually did."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Evidence:
    """Everything one run of a learner's script left behind."""

    file: str  # as the learner knows it: work/hello.py
    run: ScriptRun
    requests: list[LoggedRequest]
    api_key: str  # the key the run was given
    base_url: str
    related: Evidence | None = None  # the run of the exercise this one is compared with
    source: str = ""  # the script's text, for the rare check that must look at code (a function's name)

    @property
    def output(self) -> str:
        return self.run.stdout

    def to(self, route: str) -> list[LoggedRequest]:
        return [r for r in self.requests if r.route == route]

    def chats(self) -> list[LoggedRequest]:
        return self.to("POST /v1/chat/completions")

    def why_nothing(self) -> str:
        """Why a script sent nothing, in words: crash, hang, blocked network, or just no request."""
        run = self.run
        if run.blocked:
            return (f"it tried to reach {run.blocked[0]} instead of the endpoint in OPENAI_BASE_URL "
                    "(is the URL typed into the script?)")
        if run.elsewhere and not self.requests:
            return (f"it connected to {run.elsewhere[0]}, but while grading OPENAI_BASE_URL is {self.base_url} "
                    "(is the URL typed into the script?)")
        if run.timed_out:
            return "it was still running when the grader stopped it"
        if run.exit_code not in (0, None):
            last = self.last_error()
            if last.startswith("EOFError"):
                return ("it asked for keyboard input (EOFError): while grading, scripts get no keyboard input "
                        "unless the lesson says so")
            return f"it stopped with an error: {last or f'exit code {run.exit_code}'}"
        return "it finished without sending any request"

    def last_doing(self) -> str:
        """What a script the grader had to stop was doing, as the request log shows it."""
        if not self.requests:
            return "It sent no request: is it waiting for keyboard input, or looping before its first call?"
        last = self.requests[-1]
        idle = self.run.started + self.run.duration - (last.finished or last.started)
        if last.status in (429, 503):
            return (f"Its last request was answered {last.status} and it sent nothing in the {idle:.1f} s after: it "
                    "was waiting to retry. Is it sleeping for a Retry-After longer than the time limit, or for a "
                    "backoff that never stops growing? Cap the wait (and the number of tries).")
        if len(self.requests) >= RUNAWAY:
            return (f"It had sent {len(self.requests)} requests by then: is it looping without a bound? A loop that "
                    "calls the model until the model stops asking never ends when the model keeps asking. Bound it "
                    "with a step limit.")
        if last.finished is None:
            return f"It was still waiting for the answer to its last request, {last.route}."
        return (f"Its last request was answered {last.status}, {idle:.1f} s before it was stopped, and it sent "
                "nothing after: is it sleeping, waiting for keyboard input, or looping forever?")

    def last_error(self) -> str:
        """The exception a crashed script stopped with: the traceback's last `SomeError: ...` line with the lines
        of its message under it (pydantic's ValidationError names its fields there), or stderr's last line."""
        if self.run.exit_code in (0, None):
            return ""
        lines = [line.rstrip() for line in self.run.stderr.strip().splitlines() if line.strip()]
        traced = [i for i, line in enumerate(lines) if line.startswith("Traceback (most recent call last)")]
        heads = [i for i, line in enumerate(lines) if traced and i > traced[-1] and EXCEPTION_LINE.match(line)]
        if not heads:
            return lines[-1].strip() if lines else ""
        return " ".join(line.strip() for line in lines[heads[-1]:] if not line.lstrip().startswith(FURTHER))

    def misses(self) -> str:
        """What the recorded endpoint could not answer, if anything."""
        missed = [r for r in self.requests if r.miss]
        if not missed:
            return ""
        return (f" The recorded endpoint has no recording for {missed[0].route} with that body "
                f"({missed[0].miss}).")

    def one(self, route: str, what: str) -> LoggedRequest:
        """The first request to a route, or a failure that says why there was none."""
        found = self.to(route)
        if found:
            return found[0]
        if not self.requests:
            raise CheckFailed(f"expected {what} ({route}); your script sent nothing: {self.why_nothing()}.")
        sent = ", ".join(f"{r.route} (answered {r.status})" for r in self.requests[:4])
        crashed = f" Then {self.why_nothing()}." if self.run.exit_code not in (0, None) else ""
        raise CheckFailed(f"expected {what} ({route}); your script sent {sent}.{crashed}{self.misses()}")

    def body_of(self, request: LoggedRequest) -> dict[str, Any]:
        if not isinstance(request.body, dict):
            raise CheckFailed(f"expected a JSON body; your script sent: {request.raw_body[:200]!r}")
        return request.body

    def printed(self) -> str:
        return quote_output(self.output)

    def sent(self, request: LoggedRequest) -> str:
        return quote_body(request.body if request.body is not None else request.raw_body)
