"""make examples-NN: run a section's reference solutions, live when .env says so, offline otherwise."""

from __future__ import annotations

import os
import subprocess
import sys

from dotenv import dotenv_values

from . import paths
from .endpoint import Endpoint, config, load_recordings
from .endpoint.recordings import RecordingError
from .suite import Section

SETTINGS = ("OPENAI_BASE_URL", "OPENAI_API_KEY", "MODEL")
PLACEHOLDERS = ("your-host.example", "replace-with-your-key")  # .env.example's values, never a real endpoint


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


def run_examples(section: Section) -> int:
    settings = live_settings()
    endpoint = None
    if len(settings) < len(SETTINGS):
        try:
            files = load_recordings([paths.ROOT / section.entry.recording])
        except RecordingError as exc:
            print(f"Cannot start the offline endpoint: {exc}", file=sys.stderr)
            return 2
        endpoint = Endpoint(files, grading=False, pace=1.0).start()
        session = endpoint.new_session()
        settings = {"OPENAI_BASE_URL": endpoint.base_url, "OPENAI_API_KEY": session.api_key,
                    "MODEL": config.SERVED_MODEL}
        print("No live endpoint configured (OPENAI_BASE_URL, OPENAI_API_KEY and MODEL in your shell or .env),")
        print("so these run against the course's recorded endpoint: replies are recordings, not a live model.\n")
    else:
        print(f"Running against {settings['OPENAI_BASE_URL']} as {settings['MODEL']}.\n")
    failures = 0
    try:
        for script, stdin in scripts(section):
            if endpoint is not None:  # each script starts with fresh recorded sequences, as in grading
                endpoint.new_session(settings["OPENAI_API_KEY"])
            print(f"$ python {script}", flush=True)
            done = subprocess.run([sys.executable, script], cwd=paths.ROOT, env={**os.environ, **settings},
                                  input=stdin if stdin is not None else "", text=True, check=False)
            failures += done.returncode != 0
            print()
    finally:
        if endpoint is not None:
            endpoint.stop()
    if failures:
        print(f"{failures} script(s) exited with an error; some lessons' examples do so on purpose (the lesson says).")
    return 1 if failures else 0
