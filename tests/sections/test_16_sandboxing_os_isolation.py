"""Section 16 · Sandboxing II: OS-Level Isolation: the learner's run_untrusted(code) under real escape attempts.

isolated_sandbox.py is imported by the grader (grader/isolation) inside outer bounds and handed attack code aimed at a
stand-in host: a home folder and a course folder with a .env in a temporary folder, a folder in the host's /tmp, a
listener on 127.0.0.1 and a process with a marker in its command line. What the code reached is read on the host side
(the listener's connections, the files that appeared) and in what it printed; one attempt, run with the grader's own
user, reads the code's uid and capabilities. isolation_probe.py is run against the lesson's sandbox with chosen doors
opened (grader/isolation/leaky.py), once with output that lies, and must report exactly the open doors.
"""

from __future__ import annotations

import re
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from grader import paths
from grader.attacks import AttackReport, attack as section_15_attack
from grader.attacks.catalogue import MEMORY_MIB
from grader.checks import CheckFailed, Evidence, quote, quote_output
from grader.isolation import INSTALL, Attempts, Outcome, attack, missing_tools
from grader.suite import Section
from grader.suite.runs import Source

SECTION = Section("16", missing=missing_tools)
LEAKY = str(paths.ROOT / "grader" / "isolation" / "leaky.py")
FAKE_BIN = paths.ROOT / "grader" / "isolation" / "fake_bin"  # a bwrap that reports version 9.8.7
FAKE_VERSION = "9.8.7"
# The probe's runs keep temporary files outside the home folder, as on a learner's machine, so a stand-in .env put
# in a plain temporary folder is not under the home folder the leaky sandbox shows.
PROBE_TMP = tempfile.gettempdir()

isolated_sandbox = SECTION.file("isolated_sandbox.py", reference="examples/16/isolated_sandbox.py",
                                summary="run_untrusted(code) inside bubblewrap (or a container), with Section 15's limits",
                                see="Build the isolated sandbox", timeout=60)
SECTION.file("isolation_probe.py", reference="examples/16/isolation_probe.py",
             summary="the escape attempts as a suite, one verdict per attempt", see="Your turn: an escape probe",
             compare_with="isolated_sandbox.py", timeout=60)
isolation_check = SECTION.file("isolation_check.py", reference="examples/16/isolation_check.py",
                               summary="challenge 1: which isolation this machine offers", see="Challenges",
                               challenge=True)
isolation_check_no_tools = SECTION.scenario("isolation_check.py", "no_tools", "with no isolation tool on PATH",
                                            env={"PATH": "/nonexistent"})
isolation_check_other_version = SECTION.scenario("isolation_check.py", "other_version",
                                         f"with a bwrap reporting version {FAKE_VERSION} first on PATH",
                                         env={"PATH": f"{FAKE_BIN}:{os.environ.get('PATH', '')}"})
isolation_probe_sealed = SECTION.scenario("isolation_probe.py", "sealed",
                                "against the lesson's sandbox, made to print claims of escape",
                                env={"SANDBOX": LEAKY, "TMPDIR": PROBE_TMP, "COURSE_LEAKS": "lies"})
isolation_probe_network = SECTION.scenario("isolation_probe.py", "network", "against a sandbox that shares the network",
                                 env={"SANDBOX": LEAKY, "TMPDIR": PROBE_TMP, "COURSE_LEAKS": "network"})
isolation_probe_files = SECTION.scenario("isolation_probe.py", "files", "against a sandbox that shows your home read-only",
                               env={"SANDBOX": LEAKY, "TMPDIR": PROBE_TMP, "COURSE_LEAKS": "files"})
isolation_probe_processes = SECTION.scenario("isolation_probe.py", "processes", "against a sandbox that shares the pid namespace",
                                   env={"SANDBOX": LEAKY, "TMPDIR": PROBE_TMP, "COURSE_LEAKS": "processes"})
isolation_probe_open = SECTION.scenario("isolation_probe.py", "open", "against a sandbox with no isolation at all",
                              env={"SANDBOX": LEAKY, "TMPDIR": PROBE_TMP, "COURSE_LEAKS": "all"})

STARTED = "print('attempt started')\n"  # an attack that never got this far proves nothing
# Each attack's code, formatted with the stage (grader.isolation.Stage) and the host process's pid.
ATTACKS = {
    "hello": "open('scratch.txt', 'w').write('kept')\nprint('hello from inside:', open('scratch.txt').read())",
    "network": STARTED + ("import socket\ns = socket.socket()\nprint('socket created')\ns.settimeout(3)\n"
                "s.connect(('127.0.0.1', {stage.port}))\nprint('connected')"),
    "home": STARTED + ("import os\ntry:\n    print(os.listdir('{stage.home}'))\nexcept OSError as e:\n    print(e)\n"
             "try:\n    print(open('{stage.tmp_note}').read())\nexcept OSError as e:\n    print(e)\n"
             "print(open('{stage.secret_note}').read())"),
    "dotenv": STARTED + "print(open('{stage.dotenv}').read())",
    "writes": STARTED + ("for target in {stage.targets!r}:\n    try:\n        open(target, 'w').write('planted')\n"
               "        print('wrote', target)\n    except OSError as e:\n        print(e)"),
    "processes": STARTED + ("import os\nmarker = {stage.marker_reversed!r}[::-1]\n"
                  "for pid in filter(str.isdigit, os.listdir('/proc')):\n    try:\n"
                  "        if marker in open(f'/proc/{{pid}}/cmdline').read():\n            print('seen', pid, marker)\n"
                  "    except OSError:\n        pass"),
}
PRIVILEGES = {"privileges": STARTED + ("print(''.join(line for line in open('/proc/self/status')\n"
                                     "               if line.startswith(('Uid:', 'CapEff:'))))")}
REFUSAL = {"refusal": "open('ran.txt', 'w').write('ran')\nprint(open('{stage.dotenv}').read())"}
_cache: dict[tuple[str, str, str], Attempts] = {}
# Section 15's attacks (grader/attacks), what must stop each (limit names as Section 15 teaches them), and the count it
# printed that must stay under a bound: the same judgement as Section 15's own checks.
SECTION_15 = {"infinite_loop": (("timeout", "cpu"), None), "memory_bomb": (("memory",), ("allocated", MEMORY_MIB)),
              "fork_bomb": (("processes",), ("started", 100)), "disk_filler": (("file_size",), ("wrote", 32)),
              "output_flood": (("output",), None), "environment": ((None,), None)}
OUTPUT_MOST = 2**20
_section_15: dict[str, AttackReport] = {}


def _neighbours(source: Source) -> list[Path]:
    """The learner's other files a sandbox may import (Section 15's sandbox.py beside it in work/)."""
    if source.kind == "examples":
        return []
    return [p for p in sorted(source.path.glob("*.py")) if p.name != "isolated_sandbox.py"]


def _attempts(ev: Evidence, source: Source, kind: str = "escapes") -> Attempts:
    """kind: "escapes" (ATTACKS), "refusal" (no isolation tool on PATH) or "privileges" (run as the grader's user)."""
    key = (source.label, ev.source, kind)
    if key not in _cache:
        codes = {"escapes": ATTACKS, "refusal": REFUSAL, "privileges": PRIVILEGES}[kind]
        _cache[key] = attack(ev.source, _neighbours(source), codes, hide_tools=kind == "refusal",
                             as_caller=kind == "privileges")
    return _cache[key]


@pytest.fixture
def tools() -> None:
    """Skips the check, naming the install line, where no isolation tool is installed: no attack can run."""
    why = missing_tools()
    if why:
        pytest.skip(f"skipped: {why}")


@pytest.fixture
def attempts(isolated_sandbox: Evidence, course_source: Source, tools: None) -> Attempts:
    """The attacks' outcomes against the learner's run_untrusted."""
    return _attempts(isolated_sandbox, course_source)


def _outcome(found: Attempts, name: str) -> Outcome:
    if found.failed:
        raise CheckFailed(f"the grader could not run the escape attempts through your run_untrusted: {found.failed}")
    outcome = found.outcomes[name]
    if outcome.raised:
        raise CheckFailed(f"run_untrusted raised {quote(outcome.raised)} on the attempt, where the grader expected "
                          "a result dict (stdout, stderr, exit_code, limit, isolation)")
    if not isinstance(outcome.result, dict) or "stdout" not in outcome.result:
        raise CheckFailed(f"run_untrusted returned {quote(str(outcome.result))}, where the grader expected a dict "
                          "with stdout, stderr, exit_code, limit and isolation")
    if name != "hello" and "attempt started" not in str(outcome.result["stdout"]):
        raise CheckFailed(f"the attempt's code never ran in your sandbox (its first line prints 'attempt started'), "
                          f"so the grader cannot tell whether it was contained: stdout was "
                          f"{quote_output(str(outcome.result['stdout']))}")
    return outcome


def _printed(outcome: Outcome) -> str:
    result = outcome.result or {}
    return f"{result.get('stdout', '')}\n{result.get('stderr', '')}"


def test_runs_code_and_names_its_isolation(isolated_sandbox: Evidence, attempts: Attempts) -> None:
    """runs code in a private temp dir it can write to, and reports which isolation it used"""
    outcome = _outcome(attempts, "hello")
    result = outcome.result or {}
    if "hello from inside: kept" not in result.get("stdout", ""):
        raise CheckFailed("code that writes a file in its working folder and prints it back should print "
                          f"'hello from inside: kept'; stdout was {quote_output(result.get('stdout', ''))}, "
                          f"stderr {quote_output(result.get('stderr', ''))}")
    missing = [key for key in ("stdout", "stderr", "exit_code", "limit", "isolation") if key not in result]
    if missing:
        raise CheckFailed(f"the result dict lacks {', '.join(missing)}: it had {', '.join(result)}")
    isolation = result["isolation"]
    if not isinstance(isolation, str) or isolation.strip().lower() in ("", "none", "process"):
        raise CheckFailed(f"\"isolation\" should name the tool that isolated the code (\"bubblewrap\", \"docker\", "
                          f"\"podman\"); it was {isolation!r}")


def test_network_unreachable(isolated_sandbox: Evidence, attempts: Attempts) -> None:
    """keeps the host's 127.0.0.1 out of reach: a socket opens, its connection fails"""
    outcome = _outcome(attempts, "network")
    if attempts.accepted or "connected" in (outcome.result or {}).get("stdout", "").split():
        raise CheckFailed(f"code inside your sandbox connected to a listener on the host's 127.0.0.1 "
                          f"(port {attempts.stage.port}): the network is shared with the host. Give the sandbox a "
                          "network namespace of its own (--unshare-net, or --network none for a container)")


def test_home_invisible(isolated_sandbox: Evidence, attempts: Attempts) -> None:
    """hides your home folder and the host's /tmp"""
    printed = _printed(_outcome(attempts, "home"))
    if f"/tmp: {attempts.stage.token}" in printed:
        raise CheckFailed(f"code inside your sandbox read a file in the host's /tmp (a stand-in at "
                          f"{attempts.stage.tmp_note}) and printed {quote(f'/tmp: {attempts.stage.token}')}. Give the "
                          "code a private /tmp of its own (--tmpfs /tmp), never the host's")
    if attempts.stage.token in printed or "['notes.txt']" in printed:
        raise CheckFailed(f"code inside your sandbox listed or read a file in your home folder (a stand-in at "
                          f"{attempts.stage.home}): it printed {quote_output(printed)}. Bind only the system's "
                          "folders and Python into the sandbox, never your home or /")


def test_dotenv_invisible(isolated_sandbox: Evidence, attempts: Attempts) -> None:
    """hides the course's .env"""
    printed = _printed(_outcome(attempts, "dotenv"))
    if attempts.stage.token in printed:
        raise CheckFailed(f"code inside your sandbox read the course's .env (a stand-in at {attempts.stage.dotenv}) "
                          f"and printed its key: {quote_output(printed)}. The folder you run from must stay outside "
                          "the sandbox")


def test_writes_stay_inside(isolated_sandbox: Evidence, attempts: Attempts) -> None:
    """refuses writes outside its private temp dir"""
    _outcome(attempts, "writes")
    if attempts.planted:
        raise CheckFailed(f"code inside your sandbox left files on the host: {', '.join(attempts.planted)}. Bind the "
                          "host's folders read-only (or not at all) and give the code a private /tmp (--tmpfs /tmp), "
                          "not the host's")


def test_host_processes_invisible(isolated_sandbox: Evidence, attempts: Attempts) -> None:
    """hides the host's processes"""
    printed = _printed(_outcome(attempts, "processes"))
    if attempts.stage.marker in printed:
        raise CheckFailed(f"code inside your sandbox listed /proc and saw a host process (pid {attempts.host_pid}): "
                          "it shares the host's pid namespace. Use --unshare-pid with a fresh --proc /proc")


def test_runs_without_privileges(isolated_sandbox: Evidence, course_source: Source, tools: None) -> None:
    """gives the code no privileges, even when you run as root: not uid 0, no capabilities"""
    outcome = _outcome(_attempts(isolated_sandbox, course_source, "privileges"), "privileges")
    printed = str((outcome.result or {}).get("stdout", ""))
    fields = {line.split(":")[0]: line.split()[1:] for line in printed.splitlines()
              if line.startswith(("Uid:", "CapEff:"))}
    uid, caps = (fields.get("Uid") or ["?"])[0], (fields.get("CapEff") or ["?"])[0]
    if uid == "0" or caps.strip("0") != "":
        raise CheckFailed(f"run as {'root' if os.geteuid() == 0 else 'your user'}, code inside your sandbox ran as uid "
                          f"{uid} with effective capabilities {caps} (from its /proc/self/status): it kept "
                          "privileges. Run it as nobody with none (--uid 65534 --gid 65534 --cap-drop ALL)")


def test_refuses_without_isolation(isolated_sandbox: Evidence, course_source: Source) -> None:
    """refuses to run code when no isolation tool is on PATH, instead of running it unisolated"""
    found = _attempts(isolated_sandbox, course_source, "refusal")
    if found.failed:
        raise CheckFailed(f"the grader could not call your run_untrusted with PATH holding no isolation tool: "
                          f"{found.failed}")
    outcome = found.outcomes["refusal"]
    if found.planted or found.stage.token in _printed(outcome):
        raise CheckFailed("with no bwrap (nor docker or podman) on PATH, your run_untrusted still ran the code, "
                          f"outside any isolation: it printed {quote_output(_printed(outcome))}. Raise an error (or "
                          "return a refusal) when no isolation tool is found, and run nothing")


def test_section_15_still_contained(isolated_sandbox: Evidence, attempts: Attempts) -> None:
    """still stops everything Section 15 stopped: a loop, a memory bomb, a fork bomb, a disk filler, a flood, the key"""
    if isolated_sandbox.source not in _section_15:
        _section_15[isolated_sandbox.source] = section_15_attack(isolated_sandbox.source, list(SECTION_15))
    report = _section_15[isolated_sandbox.source]
    failures = []
    for name, (limits, bound) in SECTION_15.items():
        result = report.results.get(name)
        if name in report.problems or not isinstance(result, dict):
            failures.append(f"{name}: {report.problems.get(name) or f'returned {quote(repr(result), 80)}'}")
            continue
        printed = f"{result.get('stdout', '')}{result.get('stderr', '')}"
        counts = [int(line.split()[1]) for line in str(result.get("stdout", "")).splitlines()
                  if bound and line.startswith(bound[0] + " ") and line.split()[1].isdigit()]
        if result.get("limit") not in limits:
            failures.append(f"{name}: limit was {result.get('limit')!r}, expected {' or '.join(map(repr, limits))}")
        elif bound and counts and counts[-1] >= bound[1]:
            failures.append(f"{name}: it {bound[0]} {counts[-1]} before anything stopped it")
        elif name == "output_flood" and len(str(result.get("stdout", ""))) > OUTPUT_MOST:
            failures.append(f"{name}: {len(str(result['stdout'])):,} characters of stdout came back")
        elif name == "environment" and report.secret in printed:
            failures.append(f"{name}: the caller's OPENAI_API_KEY reached the code")
    if failures:
        raise CheckFailed("Section 15's attacks got through your isolated sandbox: " + "; ".join(failures) +
                          ". Keep Section 15's limits (timeout, RLIMIT_CPU, RLIMIT_AS, RLIMIT_FSIZE, RLIMIT_NPROC, an "
                          "output cap, an empty environment) around the isolation tool")


VERDICT_ESCAPED = re.compile(r"escap|leak|breach|expos|reached|vulnerable|\bnot (contained|blocked|safe)\b", re.I)
VERDICT_CONTAINED = re.compile(r"contain|block|held|safe|denied|refused|hidden|invisible|closed|\bok\b|✓", re.I)
ATTEMPT_WORDS = {  # tried in order: a line about writes may also say "file"
    "writes": re.compile(r"writ|plant|creat", re.I),
    "processes": re.compile(r"process|\bpids?\b", re.I),
    "network": re.compile(r"network|connect|socket|127\.0\.0\.1|loopback|port", re.I),
    "files": re.compile(r"file|home|\.env|read|secret", re.I),
}


def _verdicts(ev: Evidence) -> dict[str, str]:
    """Each attempt's verdict, from the line that names it: 'escaped' or 'contained'."""
    found: dict[str, set[str]] = {}
    for line in ev.output.splitlines():
        attempt = next((name for name, words in ATTEMPT_WORDS.items() if words.search(line)), None)
        verdict = "escaped" if VERDICT_ESCAPED.search(line) else "contained" if VERDICT_CONTAINED.search(line) else None
        if attempt and verdict:
            found.setdefault(attempt, set()).add(verdict)
    missing = [name for name in ATTEMPT_WORDS if name not in found]
    if missing:
        raise CheckFailed(f"the grader expected one line per attempt (network, files, writes, processes) naming it "
                          f"and its verdict (contained or ESCAPED); it found none for {', '.join(missing)} in your "
                          f"output: {quote_output(ev.output)}")
    torn = [name for name, seen in found.items() if len(seen) > 1]
    if torn:
        raise CheckFailed(f"your output gives {', '.join(torn)} both verdicts: {quote_output(ev.output)}")
    return {name: seen.pop() for name, seen in found.items()}


def _reports(ev: Evidence, escaped: set[str]) -> None:
    """Any exit status is accepted (a probe may exit 1 when a door is open); the verdicts must be right."""
    if ev.run.crashed:
        raise CheckFailed(f"your probe crashed (exit code {ev.run.exit_code}) after printing "
                          f"{quote_output(ev.output)}: {quote_output(ev.run.stderr)}")
    verdicts = _verdicts(ev)
    wrong = {name: verdict for name, verdict in verdicts.items() if (verdict == "escaped") != (name in escaped)}
    if wrong:
        said = "; ".join(f"{name}: you reported {verdict}, it was "
                         f"{'escaped' if name in escaped else 'contained'}" for name, verdict in wrong.items())
        raise CheckFailed(f"against this sandbox the doors open were: {', '.join(sorted(escaped)) or 'none'}. {said}. "
                          "Judge each attempt by what reached the host (the listener's connections, the file on disk, "
                          "the secret or the marker in the output), not by what the sandbox says" +
                          (". Is the marker written whole in the code you send? That code's own command line then "
                           "holds it: build it from a reversed copy, as the lesson's hint says"
                           if wrong.get("processes") == "escaped" else ""))


def test_probe_sealed(isolation_probe_sealed: Evidence, tools: None) -> None:
    """reports every attempt contained"""
    _reports(isolation_probe_sealed, set())


def test_probe_network(isolation_probe_network: Evidence, tools: None) -> None:
    """reports the network escape, and only it"""
    _reports(isolation_probe_network, {"network"})


def test_probe_files(isolation_probe_files: Evidence, tools: None) -> None:
    """reports reading your home folder, and nothing else"""
    _reports(isolation_probe_files, {"files"})


def test_probe_processes(isolation_probe_processes: Evidence, tools: None) -> None:
    """reports seeing the host's processes, and nothing else"""
    _reports(isolation_probe_processes, {"processes"})


def test_probe_open(isolation_probe_open: Evidence, tools: None) -> None:
    """reports every attempt escaped"""
    _reports(isolation_probe_open, {"network", "files", "writes", "processes"})


@pytest.fixture
def bwrap() -> str:
    """The bwrap on PATH; skips the check where there is none, naming the install line."""
    found = shutil.which("bwrap")
    if found is None:
        pytest.skip(f"skipped: bubblewrap is not installed on this machine, so its version cannot be compared: "
                    f"install it ({INSTALL})")
    return found


def test_check_names_version(isolation_check: Evidence, bwrap: str) -> None:
    """prints bubblewrap's version as `bwrap --version` reports it"""
    version = subprocess.run([bwrap, "--version"], capture_output=True, text=True, check=False).stdout.split()[-1]
    if isolation_check.run.exit_code != 0 or not re.search(rf"\bbubblewrap\b.*{re.escape(version)}\b",
                                                          isolation_check.output, re.I | re.S):
        raise CheckFailed(f"with bwrap on PATH, the script should print bubblewrap and its version ({version}, from "
                          f"`bwrap --version`) and exit 0; it exited {isolation_check.run.exit_code} and printed "
                          f"{quote_output(isolation_check.output + isolation_check.run.stderr)}")


def test_check_refuses_without_tools(isolation_check_no_tools: Evidence) -> None:
    """says that no isolation tool was found, and exits with status 1"""
    ev = isolation_check_no_tools
    if ev.run.crashed:
        last = ev.run.stderr.strip().splitlines()[-1]
        raise CheckFailed(f"with no bwrap on PATH, the script crashed with {quote(last)}. Look the tool "
                          "up with shutil.which first, and say that none was found")
    said = ev.output + ev.run.stderr
    if ev.run.exit_code != 1 or not re.search(r"\bno\b|not (found|installed|available)|missing|none", said, re.I):
        raise CheckFailed(f"with no bwrap on PATH, the script should say no isolation tool was found and exit with "
                          f"status 1; it exited {ev.run.exit_code} and printed {quote_output(said)}")


def test_check_asks_bwrap(isolation_check_other_version: Evidence) -> None:
    """prints the version of the bwrap first on PATH, whatever it is"""
    ev = isolation_check_other_version
    if ev.run.exit_code != 0 or not re.search(rf"\bbubblewrap\b.*{re.escape(FAKE_VERSION)}\b", ev.output, re.I | re.S):
        raise CheckFailed(f"with a bwrap first on PATH whose `bwrap --version` says bubblewrap {FAKE_VERSION}, the "
                          f"script should print that version and exit 0; it exited {ev.run.exit_code} and printed "
                          f"{quote_output(ev.output + ev.run.stderr)}. Ask the bwrap you found, never type a "
                          "version in")
