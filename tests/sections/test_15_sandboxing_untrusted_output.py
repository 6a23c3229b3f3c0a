"""Section 15 · Sandboxing I: Running Untrusted Output: a subprocess sandbox for code a model wrote, and a run_python
tool built on it.

sandbox.py is graded by attacking it for real: grader/attacks imports the learner's file in a separate process, inside
outer bounds of its own, and calls run_untrusted on each escape attempt; the checks read the result dict it returned
(a limit firing is read from "limit", never from the clock). code_tool.py is graded from its requests: the tool result
it sends back must hold the output of the program the model asked for.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

from grader.attacks import AttackReport, attack
from grader.attacks.bounds import CPU_CAP
from grader.attacks.catalogue import DISK_MIB, FORKS, MEMORY_MIB
from grader.checks import CheckFailed, Evidence, quote, quote_output
from grader.checks.common import replies_printed_once, sends_model_from_env
from grader.endpoint.session import LoggedRequest
from grader.suite import Section
from grader.suite.plugin import NOT_HERE, source_of, sources
from grader.suite.runs import Runs, Source
from grader import paths

QUESTION = (paths.EXAMPLES / "15" / "question.txt").read_text(encoding="utf-8")
LOOP_QUESTION = "What happens when a program runs a loop that never ends? Try it.\n"
ENVIRONMENT_QUESTION = "Which environment variables can a program see here? Is OPENAI_API_KEY among them?\n"
ENDLESS_QUESTION = "After each program you run, run one more program.\n"
MOST_STEPS = 10  # "at most a few steps": the lesson's loop makes 5
GARBLED = ("SyntaxError", "NameError", "Syntax error", "unexpected EOF", "unterminated")  # a string whose quotes a shell ate
SIGXCPU = 24  # Linux's number; the kernel sends it at RLIMIT_CPU's soft value
KEYS = {"stdout": str, "stderr": str, "exit_code": (int, type(None)), "limit": (str, type(None))}
OUTPUT_MOST = 2**20  # a capped flood keeps at most this much of stdout: 16 times the lesson's OUTPUT_BYTES, 64 KiB

SECTION = Section("15", workers=4)  # its runs wait on sandbox timeouts as much as they compute

sandbox = SECTION.file("sandbox.py", reference="examples/15/sandbox.py",
                       summary="run_untrusted(code): a child process with limits, and a report of what happened",
                       see="Build the sandbox", timeout=40)
sandbox_text = SECTION.text("sandbox.py")  # the attacks' checks: they import the file, and need no run of it
code_tool = SECTION.file("code_tool.py", reference="examples/15/code_tool.py", stdin=QUESTION,
                         compare_with="sandbox.py",  # graded with its sandbox.py (the reference, where missing)
                         summary="a run_python tool: the model's code runs in your sandbox",
                         see="Your turn: a run_python tool")
code_tool_loop = SECTION.scenario("code_tool.py", "loop", "with a question whose code never ends", stdin=LOOP_QUESTION,
                                  hang="Here the model asks to run `while True: pass`: a tool that runs the code in "
                                       "your own process (exec) or waits without a timeout never returns. Run it "
                                       "with run_untrusted from your sandbox.py.")
code_tool_environment = SECTION.scenario("code_tool.py", "environment",
                                         "with a question whose program prints its environment",
                                         stdin=ENVIRONMENT_QUESTION)
code_tool_endless = SECTION.scenario("code_tool.py", "endless", "with a model that never stops asking for a program",
                                     stdin=ENDLESS_QUESTION,
                                     hang="Here the model asks for one more program after every result: a loop that "
                                          "runs until the model stops asking never ends. Loop at most a few steps.")
code_tool_other_model = SECTION.other_model("code_tool.py", stdin=QUESTION)
code_tool_variant = SECTION.variant("code_tool.py")


# --- attacks ------------------------------------------------------------------------------------------------------

def attacks(*names: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Name the attacks a check reads: the driver runs only those the selected checks need, in one process."""
    def mark(check: Callable[..., None]) -> Callable[..., None]:
        check.attacks = names  # type: ignore[attr-defined]
        return check
    return mark


ATTACKERS = 16  # sandboxes attacked at once (the fixtures' many): most attacks wait on a timeout, so they overlap


def _wanted(items: list[pytest.Item], source: Source) -> list[str]:
    """The attacks the selected checks of one source read."""
    here = sys.modules[__name__]
    return sorted({name for item in items if getattr(item, "module", None) is here and source_of(item) == source
                   for name in getattr(getattr(item, "function", None), "attacks", ())})


@pytest.fixture(scope="session")
def all_attacked(request: pytest.FixtureRequest, course_runs: Runs) -> Iterator[dict[Source, Future[AttackReport]]]:
    """Every graded sandbox.py attacked at once, each with the attacks its selected checks read."""
    items = request.session.items

    def attacked_one(source: Source, names: list[str]) -> AttackReport:
        return attack(course_runs.text(SECTION, SECTION.files["sandbox.py"], source), names)

    with ThreadPoolExecutor(max_workers=ATTACKERS) as pool:
        yield {source: pool.submit(attacked_one, source, names) for source in sources(request.config)
               if (names := _wanted(items, source))}


@pytest.fixture
def attacked(request: pytest.FixtureRequest, course_source: Source, sandbox_text: str,
             all_attacked: dict[Source, Future[AttackReport]]) -> AttackReport:
    """The attacks of every selected check of this sandbox.py (sandbox_text skips them while it does not exist). A
    check whose attack this machine cannot run is skipped, saying why: never a silent pass, and no hold on a learner
    whose machine lacks the case (the root branch, where the grader is not root)."""
    report = all_attacked[course_source].result()
    for name in getattr(request.function, "attacks", ()):
        if name in report.skipped:
            pytest.skip(NOT_HERE + report.skipped[name])
    return report


def brief(result: dict[str, Any]) -> str:
    """A result as the learner reads it: stdout, exit_code, limit and the last line of stderr."""
    shown = {key: result[key] for key in ("stdout", "exit_code", "limit") if key in result}  # only what it returned
    if isinstance(result.get("stderr"), str):
        shown["stderr (last line)"] = (result["stderr"].strip().splitlines()[-1:] or [""])[0]
    return quote(json.dumps(shown), 240)


def result_of(report: AttackReport, name: str, what: str, lesson: str = "") -> dict[str, Any]:
    """The dict run_untrusted returned for one attack, or the failure of its caller told to the learner, with the
    lesson's advice for this attack where the caller never got an answer."""
    if name in report.problems:
        raise CheckFailed(f"{what}: {report.problems[name]}. {lesson}".strip())
    result = report.results.get(name)
    if not isinstance(result, dict):
        raise CheckFailed(f"expected run_untrusted({what}) to return a dict; it returned {quote(repr(result), 120)}.")
    missing = [key for key in KEYS if key not in result]
    if missing:
        raise CheckFailed(f"expected the result dict to hold stdout, stderr, exit_code and limit; for {what} it "
                          f"lacks {', '.join(missing)}: {brief(result)}.")
    wrong = [f"{key}={result[key]!r}" for key, kinds in KEYS.items() if not isinstance(result[key], kinds)]
    if wrong:
        raise CheckFailed(f"expected stdout and stderr as str, exit_code as int or None and limit as str or None; "
                          f"for {what} your result has {quote(', '.join(wrong), 160)}.")
    if any(sign in result["stderr"] for sign in GARBLED):  # every attack is valid Python: it arrived changed
        last = (result["stderr"].strip().splitlines() or [""])[-1]
        raise CheckFailed(f"{what}: the code never ran as written; its stderr ends {quote(last, 160)!r}. Something "
                          "between your sandbox and Python changed it: pass the code unchanged, as one item of a list "
                          "of arguments, never through a shell (shell=True).")
    return result


def limit_fired(report: AttackReport, name: str, what: str, limits: tuple[str, ...], lesson: str) -> dict[str, Any]:
    result = result_of(report, name, what, lesson)
    if result["limit"] not in limits:
        raise CheckFailed(f"expected {what} to be stopped with limit {' or '.join(map(repr, limits))} in the result; "
                          f"your run_untrusted returned limit={result['limit']!r}, exit_code={result['exit_code']!r}, "
                          f"in short {brief(result)}. {lesson}")
    return result


def reached(result: dict[str, Any], label: str) -> int:
    """The count an attack printed after `label` ("started 27 processes"), 0 if it printed none."""
    for line in result["stdout"].splitlines():
        if line.startswith(label + " "):
            return int(line.split()[1])
    return 0


RESULT_SIGNS = ("exit_code", "limit", "None", "null", "timeout", "cpu")  # what a printed result shows, in any form


@pytest.mark.see("Build the sandbox")
def test_sandbox_demo(sandbox: Evidence) -> None:
    """running sandbox.py tries a few snippets and prints each result"""
    if sandbox.run.exit_code != 0 or not any(sign in sandbox.output for sign in RESULT_SIGNS):
        raise CheckFailed(f"expected `python work/sandbox.py` to run a few snippets through run_untrusted and print "
                          f"each result, in any form that shows its exit_code and limit; it exited with "
                          f"{sandbox.run.exit_code} and printed {quote_output(sandbox.output + sandbox.run.stderr, 200)}.")


@attacks("hello", "crash")
def test_sandbox_result(sandbox_text: str, attacked: AttackReport) -> None:
    """returns stdout, stderr, exit_code and limit for code that runs and for code that fails"""
    hello = result_of(attacked, "hello", "print(6 * 7)")
    if hello["stdout"] != "42\n" or hello["exit_code"] != 0 or hello["limit"] is not None:
        raise CheckFailed(f"expected print(6 * 7) to give stdout '42\\n', exit_code 0 and limit None; your result was "
                          f"{brief(hello)}.")
    crash = result_of(attacked, "crash", "code that writes to stderr and exits with status 3")
    if "something broke" not in crash["stderr"] or crash["exit_code"] != 3 or crash["limit"] is not None:
        raise CheckFailed(f"expected code that prints 'something broke' to stderr and calls sys.exit(3) to give that "
                          f"stderr, exit_code 3 and limit None; your result was {brief(crash)}.")


@attacks("where")
def test_sandbox_own_process(sandbox_text: str, attacked: AttackReport) -> None:
    """runs the code in a separate Python process started with -I (isolated mode)"""
    result = result_of(attacked, "where", "code that prints its process id")
    pid = reached(result, "pid")
    if pid == attacked.caller.get("caller"):
        raise CheckFailed("expected the code to run in a child process; it printed the process id of the program that "
                          "called run_untrusted, so it ran inside that program (exec or eval), with its variables, "
                          "keys and files. Start a new interpreter with subprocess.")
    if reached(result, "isolated") != 1:
        raise CheckFailed(f"expected the code to run in `python -I` (sys.flags.isolated is 1); it printed "
                          f"{quote(result['stdout'], 200)!r}. Add -I after sys.executable.")


@attacks("where")
def test_sandbox_fresh_folder(sandbox_text: str, attacked: AttackReport) -> None:
    """runs the code in a fresh, empty working directory"""
    result = result_of(attacked, "where", "code that lists its working directory")
    lines = dict(line.split(" ", 1) for line in result["stdout"].splitlines() if " " in line)
    if lines.get("cwd") == attacked.caller.get("cwd") or lines.get("files") != "[]":
        raise CheckFailed(f"expected the code to start in a new, empty folder (cwd= of a temporary directory); it "
                          f"printed cwd {quote(lines.get('cwd', '?'), 80)!r} holding {quote(lines.get('files', '?'), 120)}"
                          f". Create one with tempfile.TemporaryDirectory() and put the code's file outside it.")


SHELL_TRACES = ("PWD", "OLDPWD", "SHLVL")  # variables a shell exports to what it starts; Python sets none of them


@attacks("quotes", "environment")
def test_sandbox_code_unchanged(sandbox_text: str, attacked: AttackReport) -> None:
    """passes the code to Python unchanged, with no shell in between: quotes, $ and backticks stay as written"""
    result = result_of(attacked, "quotes", "code whose string holds quotes, $HOME and backticks")
    expected = "it's $HOME, `echo hi` and \"quoted\"\n"
    if result["stdout"] != expected:
        raise CheckFailed(f"expected stdout {expected!r}; your sandbox gave {quote(result['stdout'], 120)!r} and "
                          f"in short {brief(result)}. A shell read the code: pass a list of "
                          "arguments to subprocess, never a command string with shell=True.")
    seen = result_of(attacked, "environment", "code that prints os.environ")["stdout"].splitlines()[:1]
    traces = [name for name in SHELL_TRACES if seen and repr(name) in seen[0]]
    if traces:
        raise CheckFailed(f"expected no shell between your sandbox and the code; the code found {', '.join(traces)} in "
                          "its environment, which only a shell sets, though you passed env=. A shell parses the "
                          "command line it gets, even one built with shlex.join: pass the list of arguments to "
                          "subprocess, never shell=True.")


@attacks("environment")
def test_sandbox_no_key(sandbox_text: str, attacked: AttackReport) -> None:
    """keeps OPENAI_API_KEY and the rest of your environment from the code"""
    result = result_of(attacked, "environment", "code that prints os.environ")
    if attacked.secret in result["stdout"] + result["stderr"] or "OPENAI_API_KEY" in result["stdout"]:
        raise CheckFailed(f"expected the code to find no OPENAI_API_KEY; it printed {quote(result['stdout'], 200)!r}, "
                          "the caller's key among it. Pass env={} (or a few harmless settings) to subprocess.")


@attacks("infinite_loop")
def test_sandbox_infinite_loop(sandbox_text: str, attacked: AttackReport) -> None:
    """stops an infinite loop and reports limit "timeout" or "cpu\""""
    result = result_of(attacked, "infinite_loop", "`while True: pass`")
    if result["limit"] is None and result["exit_code"] in (128 + SIGXCPU, -SIGXCPU):
        raise CheckFailed(f"expected limit 'cpu' for code that SIGXCPU stopped; your result was {brief(result)}: "
                          f"exit_code {result['exit_code']} is RLIMIT_CPU firing (signal {SIGXCPU}). Report that "
                          "status as 'cpu'.")
    limit_fired(attacked, "infinite_loop", "`while True: pass`", ("timeout", "cpu"),
                "Wait with a timeout, kill the process group when it passes, and set RLIMIT_CPU.")


@attacks("sleeper")
def test_sandbox_sleeper(sandbox_text: str, attacked: AttackReport) -> None:
    """stops code that sleeps, which uses no CPU, reports limit "timeout" and leaves none of it running"""
    result = limit_fired(attacked, "sleeper", "`time.sleep(600)`", ("timeout",),
                         "A sleep uses no CPU, so only a wall-clock timeout ends it: process.wait(timeout=...), then "
                         "kill the process group.")
    if result["exit_code"] is not None:
        raise CheckFailed(f"expected exit_code None for code your sandbox killed at the timeout (the lesson's result "
                          f"table); your result was {brief(result)}. Set it to None when the wait timed out.")
    not_dead(attacked, "sleeper", "Start the code with start_new_session=True and end it with "
                                  "os.killpg(process.pid, signal.SIGKILL), not only process.kill().")


def not_dead(report: AttackReport, name: str, lesson: str) -> None:
    """Fail where the attack's code was still running after run_untrusted returned."""
    alive = report.survivors.get(name, 0)
    if alive:
        raise CheckFailed(f"expected the code to be gone once run_untrusted returned; {alive} of its processes still "
                          f"ran (each held a connection to the grader open, and it stayed open). {lesson}")


def rlimits(result: dict[str, Any]) -> dict[str, int]:
    """The soft limits the limits attack printed, by name ("RLIMIT_CPU 2 3"): -1 means none."""
    words = [line.split() for line in result["stdout"].splitlines()]
    return {w[0]: int(w[1]) for w in words if len(w) == 3 and w[0].startswith("RLIMIT_") and w[1].lstrip("-").isdigit()}


@attacks("limits")
def test_sandbox_cpu_limit(sandbox_text: str, attacked: AttackReport) -> None:
    """limits the code's processor time with RLIMIT_CPU"""
    result = result_of(attacked, "limits", "code that prints its resource.getrlimit(RLIMIT_CPU)")
    cpu = rlimits(result).get("RLIMIT_CPU")
    if cpu is None or cpu < 0 or cpu >= CPU_CAP:
        found = "no CPU limit of yours" if cpu is not None else f"no limits: {brief(result)}"
        raise CheckFailed(f"expected the code to run under RLIMIT_CPU of a few seconds (the lesson's CPU_S); it found "
                          f"{found}. Set RLIMIT_CPU in the child, so a busy loop ends with 'cpu' before the timeout.")


@attacks("memory_bomb")
def test_sandbox_memory_bomb(sandbox_text: str, attacked: AttackReport) -> None:
    """stops a memory bomb with a memory limit and reports limit "memory\""""
    result = limit_fired(attacked, "memory_bomb", f"code that allocates {MEMORY_MIB} MiB", ("memory",),
                         "Set RLIMIT_AS in the child and report MemoryError as 'memory'.")
    if f"allocated {MEMORY_MIB}" in result["stdout"]:
        raise CheckFailed(f"expected a memory limit well under {MEMORY_MIB} MiB; the code allocated all of it.")


@attacks("fork_bomb")
def test_sandbox_fork_bomb(sandbox_text: str, attacked: AttackReport) -> None:
    """stops a fork bomb with a process limit and reports limit "processes\""""
    result = limit_fired(attacked, "fork_bomb", f"code that starts up to {FORKS} processes", ("processes",),
                         "Set RLIMIT_NPROC in the child and report BlockingIOError as 'processes'.")
    if reached(result, "started") >= 100:
        raise CheckFailed(f"expected a process limit under 100; the code started {reached(result, 'started')} "
                          "processes before the grader's own cap stopped it.")


@attacks("fork_bomb_as_root")
def test_sandbox_fork_bomb_as_root(sandbox_text: str, attacked: AttackReport) -> None:
    """stops a fork bomb when your sandbox runs as root too, where the kernel ignores RLIMIT_NPROC"""
    what = f"code that starts up to {FORKS} processes, run by your sandbox as root"
    lesson = ("As root, run the code as an unprivileged user: os.setgroups([]), os.setgid and os.setuid in the "
              "preexec_fn, after the limits, so RLIMIT_NPROC binds it.")
    result = limit_fired(attacked, "fork_bomb_as_root", what, ("processes",), lesson)
    if reached(result, "started") >= 100:
        raise CheckFailed(f"expected a process limit under 100 when your sandbox runs as root; the code started "
                          f"{reached(result, 'started')} processes before the grader's own cap stopped it. A pid "
                          f"namespace caps nothing, and root ignores RLIMIT_NPROC. {lesson}")


@attacks("escaper_as_root")
def test_sandbox_escaper_as_root(sandbox_text: str, attacked: AttackReport) -> None:
    """ends the code's processes at the timeout when your sandbox runs as root, even one in a new session"""
    limit_fired(attacked, "escaper_as_root", "code run as root that sleeps, with a child in a session of its own",
                ("timeout",), "A sleep uses no CPU: wait with a timeout.")
    not_dead(attacked, "escaper_as_root", "A child that called os.setsid() is out of reach of os.killpg. As root, "
                                          "run the supervisor under `unshare --pid --fork --kill-child`: when it "
                                          "dies, the kernel ends every process of its pid namespace.")


@attacks("disk_filler")
def test_sandbox_disk_filler(sandbox_text: str, attacked: AttackReport) -> None:
    """stops a disk filler with a file-size limit and reports limit "file_size\""""
    result = limit_fired(attacked, "disk_filler", f"code that writes a {DISK_MIB} MiB file", ("file_size",),
                         "Set RLIMIT_FSIZE in the child and report 'File too large' as 'file_size'.")
    if reached(result, "wrote") >= 32:
        raise CheckFailed(f"expected a file-size limit under 32 MiB; the code wrote {reached(result, 'wrote')} MiB.")


@attacks("output_flood")
def test_sandbox_output_flood(sandbox_text: str, attacked: AttackReport) -> None:
    """caps a flood of output and reports limit "output\""""
    result = result_of(attacked, "output_flood", "code that prints 20 MB")
    if len(result["stdout"]) > OUTPUT_MOST or result["limit"] != "output":
        raise CheckFailed(f"expected stdout cut to OUTPUT_BYTES (64 KiB in the lesson; the grader allows up to 1 MiB) "
                          f"and limit 'output'; your result kept {len(result['stdout']):,} characters with "
                          f"limit={result['limit']!r}. Keep only the first OUTPUT_BYTES of each stream and say the cap "
                          "fired.")


@attacks("kill_parent")
def test_sandbox_kill_parent(sandbox_text: str, attacked: AttackReport) -> None:
    """survives code that kills its parent process: the parent is a throwaway supervisor"""
    result_of(attacked, "kill_parent", "code that runs os.kill(os.getppid(), signal.SIGKILL)")


# --- code_tool.py ---------------------------------------------------------------------------------------------------

PROGRAM_OUTPUT = {"range(1000)": "76127", "range(2000)": "277050"}  # the recorded programs and what they print


def _tool_calls(request: LoggedRequest) -> list[dict[str, Any]]:
    response = request.response if isinstance(request.response, dict) else {}
    choices = response.get("choices") or [{}]
    return choices[0].get("message", {}).get("tool_calls") or []


def _tool_results(ev: Evidence) -> tuple[dict[str, Any], dict[str, Any]]:
    """The model's run_python call and the tool message the script sent back for it."""
    chats = ev.chats()
    asked = next((r for r in chats if _tool_calls(r)), None)
    if asked is None:
        ev.one("POST /v1/chat/completions", "a request that offers the run_python tool")
        raise CheckFailed("expected the model to ask for run_python; no request your script sent got a tool call back "
                          "(did it send the tool in tools=[...]?).")
    call = _tool_calls(asked)[0]
    answer = next((m for r in chats[chats.index(asked) + 1:] for m in r.messages()
                   if m.get("role") == "tool" and m.get("tool_call_id") == call.get("id")), None)
    if answer is None:
        raise CheckFailed(f"expected a request after the tool call with a message of role 'tool' and tool_call_id "
                          f"{call.get('id')!r}; your script sent {len(chats) - chats.index(asked) - 1} more request(s) "
                          "and none held it. Append the result with the call's id and ask again.")
    return call, answer


def test_code_tool_offers_tool(code_tool: Evidence) -> None:
    """offers the model a run_python tool with a code parameter"""
    request = code_tool.one("POST /v1/chat/completions", "a chat request")
    tools = request.json_field("tools") or []
    spec = next((t.get("function", {}) for t in tools if isinstance(t, dict)
                 and t.get("function", {}).get("name") == "run_python"), None)
    if spec is None or "code" not in (spec.get("parameters", {}).get("properties") or {}):
        raise CheckFailed(f"expected tools=[...] with a function named run_python taking a string `code`; your first "
                          f"request offered {quote(json.dumps(tools), 200)}.")


def _runs_model_code(ev: Evidence) -> None:
    call, answer = _tool_results(ev)
    code = json.loads(call["function"]["arguments"])["code"]
    expected = next(out for marker, out in PROGRAM_OUTPUT.items() if marker in code)
    content = answer.get("content")
    text = content if isinstance(content, str) else json.dumps(content)
    if expected not in text:
        raise CheckFailed(f"expected the tool result to hold what the model's program printed, {expected}; your script "
                          f"sent back {quote(text, 200)!r}. Run the `code` argument with run_untrusted.")


def test_code_tool_runs_code(code_tool: Evidence) -> None:
    """runs the code the model asked for in the sandbox and sends back what it printed"""
    _runs_model_code(code_tool)


def _as_json(text: str) -> dict[str, Any] | None:
    """The tool result as the JSON object the lesson asks for, None if it is not one."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def test_code_tool_result_fields(code_tool: Evidence) -> None:
    """sends the whole result back as JSON: stdout, stderr, exit_code and limit"""
    _, answer = _tool_results(code_tool)
    content = answer.get("content")
    text = content if isinstance(content, str) else json.dumps(content)
    missing = [key for key in KEYS if key not in text]
    if missing:
        raise CheckFailed(f"expected the tool result to name stdout, stderr, exit_code and limit, so the model can "
                          f"tell a crash or a limit from an answer; it lacks {', '.join(missing)}: {quote(text, 200)!r}."
                          " Send json.dumps(result).")
    if _as_json(text) is None:
        raise CheckFailed(f"expected the tool result to be the result dict as JSON; your script sent "
                          f"{quote(text, 160)!r}, which is not JSON (str() of a dict gives Python's quotes and None). "
                          "Send json.dumps(result).")


def test_code_tool_prints_each_call(code_tool: Evidence) -> None:
    """prints one line per tool call with its exit_code and limit"""
    lines = [line for line in code_tool.output.splitlines() if "exit" in line.lower() and "limit" in line.lower()]
    if not lines:
        raise CheckFailed(f"expected a line per run_python call naming its exit_code and limit, so you can follow what "
                          f"ran; your script printed {quote_output(code_tool.output, 200)}, with no line naming both.")


def test_code_tool_prints_answer(code_tool: Evidence) -> None:
    """prints the model's final answer"""
    replies_printed_once(code_tool, code_tool.chats()[-1:])


def test_code_tool_loop(code_tool_loop: Evidence) -> None:
    """tells the model which limit stopped its endless loop"""
    _, answer = _tool_results(code_tool_loop)
    text = answer.get("content") if isinstance(answer.get("content"), str) else json.dumps(answer.get("content"))
    sent = _as_json(text)
    if sent is None and ("timeout" in text or "cpu" in text):
        raise CheckFailed(f"expected the tool result of `while True: pass` as JSON with limit \"timeout\" or \"cpu\"; "
                          f"your script sent {quote(text, 160)!r}, which names the limit but is not JSON. Send "
                          "json.dumps(result).")
    if '"timeout"' not in text and '"cpu"' not in text:
        raise CheckFailed(f"expected the tool result of `while True: pass` to report limit \"timeout\" or \"cpu\"; "
                          f"your script sent back {quote(text, 200)!r}.")


def test_code_tool_environment(code_tool_environment: Evidence) -> None:
    """runs the model's code without your environment: its key never reaches the code, nor the model"""
    _, answer = _tool_results(code_tool_environment)
    text = answer.get("content") if isinstance(answer.get("content"), str) else json.dumps(answer.get("content"))
    if code_tool_environment.api_key in text or "OPENAI_API_KEY" in text:
        raise CheckFailed(f"expected the program that prints os.environ to find no OPENAI_API_KEY; the tool result "
                          f"your script sent the model was {quote(text, 200)!r}, your key among it. Run the model's "
                          "code with run_untrusted from your sandbox.py, which passes an empty environment.")


def test_code_tool_endless(code_tool_endless: Evidence) -> None:
    """stops after a few steps when the model keeps asking for programs"""
    asked = len(code_tool_endless.chats())
    if asked > MOST_STEPS:
        raise CheckFailed(f"expected at most {MOST_STEPS} requests when the model asks for one more program after "
                          f"every result; your script sent {asked}. Loop a few steps at most (for step in range(5)), "
                          "as in Section 14.")
    if asked < 2:  # how it ends after its last step (a message, an exit status) is the learner's choice
        raise CheckFailed(f"expected the script to run the program the model asked for and ask again; it sent {asked} "
                          f"request(s) and exited with {code_tool_endless.run.exit_code}. "
                          f"{code_tool_endless.last_error()}".strip())


def test_code_tool_model(code_tool_other_model: Evidence) -> None:
    """asks for the model named in MODEL"""
    sends_model_from_env(code_tool_other_model)


def test_code_tool_variant_prints_answer(code_tool_variant: Evidence) -> None:
    """prints the model's final answer"""
    replies_printed_once(code_tool_variant, code_tool_variant.chats()[-1:])


# --- challenges: per-call limits ------------------------------------------------------------------------------------

@pytest.fixture
def started(request: pytest.FixtureRequest, attacked: AttackReport) -> AttackReport:
    """The attacks of a challenge, skipped at setup (listed as not started) while run_untrusted lacks its keyword."""
    for name in getattr(request.function, "attacks", ()):
        if name in attacked.missing_options:
            pytest.skip(f"not started: run_untrusted takes no {attacked.missing_options[name]}= keyword yet")
    return attacked


@pytest.mark.see("Challenges")
@attacks("short_timeout", "sleeper")
def test_sandbox_shorter_timeout(sandbox_text: str, started: AttackReport) -> None:
    """challenge: run_untrusted(code, timeout=1) stops a program that sleeps 3 seconds, reported as "timeout\""""
    result = result_of(started, "short_timeout", "run_untrusted(code that sleeps 3 s, timeout=1)")
    if result["limit"] != "timeout" or "woke up" in result["stdout"]:
        sleeper = started.results.get("sleeper")
        if not isinstance(sleeper, dict):
            fix = ("Your sandbox has no wall-clock timeout at all (time.sleep(600) never came back): wait with "
                   "process.wait(timeout=min(timeout, TIMEOUT_S)).")
        elif sleeper.get("limit") != "timeout":
            fix = (f"Without timeout=, time.sleep(600) came back as {brief(sleeper)}, not as a timeout: wait with "
                   "process.wait(timeout=min(timeout, TIMEOUT_S)).")
        else:
            fix = "Wait with the caller's timeout (at most TIMEOUT_S)."
        raise CheckFailed(f"expected timeout=1 to stop a 3-second sleep with limit 'timeout'; your result was "
                          f"{brief(result)}. {fix}")


@pytest.mark.see("Challenges")
@attacks("long_timeout")
def test_sandbox_longer_timeout(sandbox_text: str, started: AttackReport) -> None:
    """challenge: run_untrusted(code, timeout=3600) still stops a sleeping program at TIMEOUT_S"""
    advice = "A caller may ask for less time, never more: min(timeout, TIMEOUT_S)."
    result = result_of(started, "long_timeout", "run_untrusted(code that sleeps 600 s, timeout=3600)", advice)
    if result["limit"] != "timeout":
        raise CheckFailed(f"expected timeout=3600 to be cut to TIMEOUT_S, so a 600-second sleep still ends with "
                          f"limit 'timeout'; your result was {brief(result)}. {advice}")


@pytest.mark.see("Challenges")
@attacks("small_memory", "default_memory")
def test_sandbox_smaller_memory(sandbox_text: str, started: AttackReport) -> None:
    """challenge: run_untrusted(code, memory_mb=64) stops a 100 MiB allocation that the default limit allows"""
    small = result_of(started, "small_memory", "run_untrusted(code allocating 100 MiB, memory_mb=64)")
    default = result_of(started, "default_memory", "code allocating 100 MiB")
    if small["limit"] != "memory":
        raise CheckFailed(f"expected memory_mb=64 to stop a 100 MiB allocation with limit 'memory'; your result was "
                          f"{brief(small)}. Lower RLIMIT_AS for that call.")
    if default["limit"] is not None or "allocated 100 MiB" not in default["stdout"]:
        raise CheckFailed(f"expected the default limits to allow 100 MiB; your result was "
                          f"{brief(default)}. Change the limit for one call, not for all.")


@pytest.mark.see("Challenges")
@attacks("limits", "more_memory", "small_memory", "then_limits")
def test_sandbox_memory_one_call(sandbox_text: str, started: AttackReport) -> None:
    """challenge: memory_mb never raises the default limit, and changes it for one call only"""
    default = rlimits(result_of(started, "limits", "code that prints its RLIMIT_AS")).get("RLIMIT_AS")
    more = result_of(started, "more_memory", "run_untrusted(code that prints its RLIMIT_AS, memory_mb=1024)")
    after = result_of(started, "then_limits", "code that prints its RLIMIT_AS, after a call with memory_mb=")
    asked, later = rlimits(more).get("RLIMIT_AS"), rlimits(after).get("RLIMIT_AS")
    if asked is None or default is None or asked < 0 or 0 <= default < asked:
        raise CheckFailed(f"expected memory_mb=1024 to leave RLIMIT_AS at most the default ({default}); the code "
                          f"found {asked}, in short {brief(more)}. A caller may lower the limit, never raise it: "
                          "min(memory_mb * 2**20, MEMORY_BYTES).")
    if later != default:
        raise CheckFailed(f"expected a call without memory_mb, after calls with it, to run under the default RLIMIT_AS "
                          f"({default}); the code found {later}. Change the limit for one call: keep it in a "
                          "local variable or a copy (dict(LIMITS)), and never change the module's defaults "
                          "(MEMORY_BYTES, LIMITS) in place.")
