"""make examples-NN: run a section's reference solutions, live when .env says so, offline otherwise."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
from dotenv import dotenv_values

from . import paths
from .endpoint import Endpoint, config, load_recordings
from .endpoint.recordings import RecordingError
from .suite import Section

SETTINGS = ("OPENAI_BASE_URL", "OPENAI_API_KEY", "MODEL")
PLACEHOLDERS = ("your-host.example", "replace-with-your-key")  # .env.example's values, never a real endpoint
ON_PURPOSE = {  # references whose lesson has them end with an error status against the recorded endpoint
    "examples/06/stream_error.py": "the recorded stream breaks and the script stops with the server's message",
    "examples/08/timeouts.py": "drill:stall outlasts the 1 s read timeout and the script gives up",
}


def live_settings() -> dict[str, str]:
    """The learner's endpoint: the shell's variables, else those in .env."""
    found = {k: v for k, v in dotenv_values(paths.ROOT / ".env").items() if v}
    found.update({k: os.environ[k] for k in SETTINGS if os.environ.get(k)})
    settings = {k: found[k] for k in SETTINGS if k in found}
    if any(p in value for value in settings.values() for p in PLACEHOLDERS):
        print("Your .env still holds the placeholders from .env.example, so it is not used.\n")
        return {}
    return settings


def scripts(section: Section) -> list[tuple[str, str | None]]:
    """Every reference script of the section: the exercises' first, in lesson order, then the rest."""
    listed = {e.reference: e.stdin for e in section.files.values() if e.reference.startswith(f"examples/{section.number}/")}
    others = sorted(str(p.relative_to(paths.ROOT)) for p in (paths.EXAMPLES / section.number).glob("*.py"))
    return list(listed.items()) + [(path, None) for path in others if path not in listed]


def unreachable(settings: dict[str, str]) -> str | None:
    """Why the live endpoint cannot run the examples, in one sentence; None when it lists MODEL."""
    url = settings["OPENAI_BASE_URL"].rstrip("/") + "/models"
    try:
        answer = httpx.get(url, headers={"Authorization": f"Bearer {settings['OPENAI_API_KEY']}"}, timeout=10)
    except httpx.HTTPError as exc:
        return f"nothing answered at {url} ({str(exc).rstrip('.') or type(exc).__name__})"
    if answer.status_code == 401:
        return f"{url} refused OPENAI_API_KEY (401 Unauthorized)"
    if answer.status_code == 404:
        return f"{url} does not exist (404): OPENAI_BASE_URL should end in /v1"
    if answer.status_code != 200:
        return f"{url} answered {answer.status_code} instead of the list of models"
    try:
        served = [m.get("id") for m in answer.json().get("data", [])]
    except (ValueError, AttributeError):
        return f"{url} did not answer with a list of models"
    if settings["MODEL"] not in served:
        return f"the server does not serve MODEL={settings['MODEL']}; it serves {', '.join(map(str, served)) or 'nothing'}"
    return None


def run_examples(section: Section) -> int:
    settings = live_settings()
    endpoint = None
    if len(settings) < len(SETTINGS):
        try:
            files = load_recordings([f for f in [paths.ROOT / section.entry.recording] if f.exists()])
        except RecordingError as exc:
            print(f"Cannot start the offline endpoint: {exc}", file=sys.stderr)
            return 2
        endpoint = Endpoint(files, grading=False, pace=1.0).start()
        session = endpoint.new_session()
        settings = {"OPENAI_BASE_URL": endpoint.base_url, "OPENAI_API_KEY": session.api_key,
                    "MODEL": config.SERVED_MODEL}
        print("No live endpoint configured (OPENAI_BASE_URL, OPENAI_API_KEY and MODEL in your shell or .env),")
        print("so these run against the course's recorded endpoint: replies are recordings, not a live model.\n")
    elif (problem := unreachable(settings)) is not None:
        print(f"Your endpoint cannot run the examples: {problem}.", file=sys.stderr)
        print("Check OPENAI_BASE_URL, OPENAI_API_KEY and MODEL in .env (or your shell), or start the server.\n"
              "To run them offline instead, leave OPENAI_BASE_URL unset in both.", file=sys.stderr)
        return 2
    else:
        print(f"Running against {settings['OPENAI_BASE_URL']} as {settings['MODEL']}.\n")
    surprises = []
    try:
        for script, stdin in scripts(section):
            if endpoint is not None:  # each script starts with fresh recorded sequences, as in grading
                endpoint.new_session(settings["OPENAI_API_KEY"])
            print(f"$ python {script}", flush=True)
            done = subprocess.run([sys.executable, script], cwd=paths.ROOT, env={**os.environ, **settings},
                                  input=stdin if stdin is not None else "", text=True, check=False)
            surprise = unexpected_exit(script, done.returncode, offline=endpoint is not None)
            if surprise:
                surprises.append(f"{script} {surprise}")
            print()
    finally:
        if endpoint is not None:
            endpoint.stop()
    if surprises:
        print(f"{len(surprises)} script(s) did not behave as the lesson says:", *surprises, sep="\n  ")
        return 1
    print("Every script behaved as the lesson says.")
    return 0


def unexpected_exit(script: str, code: int, *, offline: bool) -> str | None:
    """What was unexpected about a script's exit status, after saying so for a failure the lesson intends."""
    why = ON_PURPOSE.get(script)
    if why is None:
        return f"exited with status {code}" if code else None
    if not offline:
        return None  # a live server has no drills: whether it fails is up to the server
    if code:
        print(f"(exit status {code} on purpose: {why}, as the lesson says)")
        return None
    return f"exited with status 0, but the lesson has it fail ({why})"
