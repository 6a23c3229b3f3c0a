"""python -m grader: check, progress, watch, serve, examples, record."""

from __future__ import annotations

import argparse
import os
import sys

from . import paths, progress, report
from .course import COURSE, entry
from .grading import GradingError, grade
from .suite import Section, catalog


def _section(number: str) -> Section:
    try:
        item = entry(number)
    except KeyError:
        raise SystemExit(f"There is no section {number!r}: the course has sections 01 to {COURSE[-1].number}.") from None
    section = catalog.load(item.number)
    if section is None:
        raise SystemExit(f"Section {item.number} ({item.title}) is coming soon: it has no exercises to grade yet.")
    return section


def cmd_check(args: argparse.Namespace) -> int:
    section = _section(args.section)
    only = [name.removeprefix("work/") for name in args.only] if args.only else None
    try:
        result = grade(section, what="examples" if args.solutions else "work", only=only)
    except GradingError as exc:
        print(f"The grader cannot run section {section.number}: {exc}", file=sys.stderr)
        return 2
    if args.json:
        report.render_json(result)
    else:
        report.render(result, solutions=args.solutions, partial=only is not None)
    if not args.solutions and only is None:
        progress.save(result)
    return 0 if result.passed else 1


def cmd_progress(args: argparse.Namespace) -> int:
    progress.render()
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from .watch import watch

    return watch(_section(args.section))


def cmd_serve(args: argparse.Namespace) -> int:
    from .endpoint.recordings import RecordingError
    from .endpoint.server import serve_forever, load_recordings

    every = sorted(paths.RECORDINGS.glob("*.json"))
    files = [p for p in every if p.name.startswith(f"{args.section}-")] if args.section else every
    if not files:
        print(f"No recordings for section {args.section!r}.", file=sys.stderr)
        return 2
    try:
        loaded = load_recordings(files)
    except RecordingError as exc:
        print(f"Cannot start the offline endpoint: {exc}", file=sys.stderr)
        return 2
    return serve_forever(loaded, args.port, args.key, stand_ins=args.section is None)


def cmd_examples(args: argparse.Namespace) -> int:
    from .examples import run_examples

    return run_examples(_section(args.section))


def cmd_record(args: argparse.Namespace) -> int:
    from .recorder.record import record_section

    return record_section(_section(args.section))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader", description="Grade and run the course's exercises.")
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check", help="grade one section's files in work/")
    check.add_argument("section", help="section number, e.g. 01")
    check.add_argument("--solutions", action="store_true", help="grade the reference solutions in examples/ instead")
    check.add_argument("--json", action="store_true", help="print the results as JSON and nothing else")
    check.add_argument("--only", action="append", metavar="FILE", help="grade only this work file (repeatable)")
    check.set_defaults(func=cmd_check)

    sub.add_parser("progress", help="show every section's last result").set_defaults(func=cmd_progress)

    watch = sub.add_parser("watch", help="re-grade a section every time you save a file in work/")
    watch.add_argument("section")
    watch.set_defaults(func=cmd_watch)

    serve = sub.add_parser("serve", help="run the offline (recorded) endpoint for your own scripts",
                           description="Run the offline (recorded) endpoint on 127.0.0.1 until Ctrl+C. "
                                       "If the port is taken, pick another: --port 8766 (or: make serve PORT=8766).")
    serve.add_argument("--port", type=int, default=8765,
                       help="the port to listen on (default 8765; 0 picks a free one)")
    serve.add_argument("--key", default="offline-course-key", help="the API key the offline endpoint accepts")
    serve.add_argument("--section", type=lambda n: n.zfill(2),
                       help="answer from one section's recordings only (the replies its grading gives; the README "
                            "lists what still differs)")
    serve.set_defaults(func=cmd_serve)

    examples = sub.add_parser("examples", help="run a section's reference solutions (live endpoint from .env, else offline)")
    examples.add_argument("section")
    examples.set_defaults(func=cmd_examples)

    record = sub.add_parser("record", help="instructors: re-record a section from the live endpoint in .env")
    record.add_argument("section")
    record.set_defaults(func=cmd_record)

    args = parser.parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()
        return code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `make progress | head`: the reader had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's own flush stays quiet
        return 0 if args.command == "progress" else 1
