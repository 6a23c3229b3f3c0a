"""python -m grader record NN: run a section's references through the proxy and update its recordings."""

from __future__ import annotations

import statistics
import sys
import threading
import time
from datetime import date
from pathlib import Path

import httpx
import uvicorn

from .. import paths
from ..endpoint import config, matcher, recordings
from ..endpoint.recordings import Interaction, Match, Pacing, Provenance, RecordingFile, Response
from ..examples import SETTINGS, live_settings
from ..runner import run_script
from ..suite import Section
from . import redact
from .proxy import Capture, RecordingProxy

PLACEHOLDER_KEY = "recorder-placeholder"  # what the examples see; the real key stays in this process


def _response(capture: Capture, secrets: list[str]) -> Response:
    kept = redact.headers(capture.headers)
    kept.pop("content-type", None)  # the endpoint sets it as vLLM does
    if isinstance(capture.response, list):
        gaps = capture.event_gaps_ms
        pacing = Pacing(first_ms=round(gaps[0]) if gaps else 0,
                        per_event_ms=round(statistics.median(gaps[1:])) if len(gaps) > 1 else 0)
        return Response(status=capture.status, headers=kept, events=redact.body(capture.response, secrets),
                        pacing=pacing)
    if capture.raw is not None:
        return Response(status=capture.status, headers=kept, text=redact.text(capture.raw, secrets))
    return Response(status=capture.status, headers=kept, body=redact.body(capture.response, secrets))


def _new_match(capture: Capture) -> Match:
    request = matcher.Request(capture.method, capture.path, capture.body)
    return Match(route=request.route, stream=bool(request.body.get("stream")) if "messages" in request.body else None,
                 roles=request.roles or None, last_user_contains=request.last_user or None)


def merge(existing: RecordingFile, captures: list[Capture], provenance: Provenance, secrets: list[str]) -> RecordingFile:
    """Captured responses replace the interactions they match; unmatched ones become new interactions."""
    interactions = list(existing.interactions)
    replaced: set[str] = set()
    for capture in captures:
        if capture.path in ("/v1/models", "/version", "/health"):
            continue  # the endpoint generates these itself
        found = matcher.find(interactions, matcher.Request(capture.method, capture.path, capture.body))
        if isinstance(found, Interaction):
            if found.name in replaced or found.responses is not None:
                continue  # first capture wins; scripted sequences (429 then 200) stay as authored
            index = interactions.index(found)
            interactions[index] = found.model_copy(update={"response": _response(capture, secrets),
                                                           "provenance": provenance})
            replaced.add(found.name)
        else:
            name = f"recorded-{len(interactions) + 1}"
            interactions.append(Interaction(name=name, description=f"captured {capture.method} {capture.path}",
                                            match=_new_match(capture), response=_response(capture, secrets),
                                            provenance=provenance))
            replaced.add(name)
    everything_recorded = all(i.provenance is not None and i.provenance.kind == "recorded" for i in interactions)
    if everything_recorded:
        interactions = [i.model_copy(update={"provenance": None}) for i in interactions]
    return RecordingFile(section=existing.section, provenance=provenance if everything_recorded else existing.provenance,
                         interactions=interactions)


def record(section: Section, settings: dict[str, str], out: Path) -> RecordingFile:
    """Run the section's references against the live endpoint in `settings` and write `out`."""
    root = settings["OPENAI_BASE_URL"].rstrip("/").removesuffix("/v1")
    version = httpx.get(root + "/version", headers={"authorization": f"Bearer {settings['OPENAI_API_KEY']}"},
                        timeout=30).json().get("version", "unknown")
    provenance = Provenance(kind="recorded", vllm_version=version, model=settings["MODEL"],
                            recorded_on=date.today().isoformat(), server_flags=config.SERVER_FLAGS,
                            note=f"Captured from a live vLLM {version} server by `python -m grader record`; the "
                                 "server is assumed to run with the flags above (grader/endpoint/config.py).")
    proxy = RecordingProxy(root, settings["OPENAI_API_KEY"])
    server = uvicorn.Server(uvicorn.Config(proxy, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        for reference in dict.fromkeys(e.reference for e in section.files.values()):
            declared = next(f for f in section.files.values() if f.reference == reference)
            run = run_script(reference, paths.ROOT, {"OPENAI_BASE_URL": f"http://127.0.0.1:{port}/v1",
                                                     "OPENAI_API_KEY": PLACEHOLDER_KEY, "MODEL": settings["MODEL"]},
                             timeout=600, stdin=declared.stdin)
            print(f"  {reference}: exit {run.exit_code}, {run.duration:.1f} s")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    existing = recordings.load(out) if out.exists() else RecordingFile(section=section.number, provenance=provenance,
                                                                       interactions=[])
    merged = merge(existing, proxy.captures, provenance, [settings["OPENAI_API_KEY"], PLACEHOLDER_KEY])
    text = recordings.dumps(merged)
    for secret in (settings["OPENAI_API_KEY"], PLACEHOLDER_KEY):
        if secret and secret in text:
            raise RuntimeError("refusing to write a recording that still contains a credential")
    out.write_text(text, encoding="utf-8")
    return merged


def record_section(section: Section) -> int:
    settings = live_settings()
    missing = [name for name in SETTINGS if name not in settings]
    if missing:
        print(f"Recording needs a live endpoint: set {', '.join(missing)} in your shell or .env.", file=sys.stderr)
        return 2
    out = paths.ROOT / section.entry.recording
    print(f"Recording section {section.number} from {settings['OPENAI_BASE_URL']} into {out.relative_to(paths.ROOT)}")
    merged = record(section, settings, out)
    kinds = [i.provenance.kind if i.provenance else merged.provenance.kind for i in merged.interactions]
    print(f"{kinds.count('recorded')} of {len(kinds)} interactions are now recorded. Review `git diff` before committing.")
    return 0
