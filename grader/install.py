"""`make setup` without make: `python -m grader.install` creates .venv with the course and the tested versions.

Plain syntax on purpose (no f-strings, no annotations): an old Python must reach the version check and say
what it needs instead of failing on a syntax error.
"""

import os
import subprocess
import sys

OLDEST = (3, 10)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".venv")
MARKER = os.path.join(VENV, ".installed")  # the Makefile's target: make skips setup while it is newer than the pins
LOG = os.path.join(VENV, "install.log")


def say(text):
    """Progress goes to stderr, so `make progress | head` reads only progress's own table."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def venv_python():
    if os.name == "nt":
        return os.path.join(VENV, "Scripts", "python.exe")
    return os.path.join(VENV, "bin", "python")


def check_version():
    """Stop early, and say what is needed, on a Python the pinned packages do not support."""
    found = "%d.%d.%d" % sys.version_info[:3]
    if sys.version_info[:2] >= OLDEST:
        return True
    say("The course needs Python %d.%d or newer; %s is Python %s." % (OLDEST + (sys.executable, found)))
    say("Install a newer Python (python.org, or your system's packages), then run, for example:")
    say("  make setup PYTHON=python3.12")
    say("  (without make: python3.12 -m grader.install)")
    return False


def venv_version():
    """The Python version an existing .venv was made with ("3.11.7"), or None."""
    try:
        with open(os.path.join(VENV, "pyvenv.cfg")) as cfg:
            for line in cfg:
                key, _, value = line.partition("=")
                if key.strip() == "version":
                    return value.strip()
    except (IOError, OSError):
        return None
    return None


def make_venv():
    """A .venv made with this Python: kept if it is one, made anew otherwise."""
    current = "%d.%d.%d" % sys.version_info[:3]
    if os.path.exists(venv_python()) and venv_version() in (None, current):
        return True
    say("Creating .venv with Python %s (%s)..." % (current, sys.executable))
    if subprocess.call([sys.executable, "-m", "venv", "--clear", VENV]) != 0:
        say("Python could not create the virtual environment in .venv (see the lines above).")
        say("On Debian or Ubuntu the venv module is a separate package: sudo apt install python3-venv")
        return False
    return True


def install():
    """pip's whole output goes to .venv/install.log; on a failure its last lines are shown, so nothing is hidden.

    oss-harmony installs the same `openai_harmony` module as openai-harmony, which older pins used: an existing
    .venv loses the old package first, so the two never share (and one day delete) the same files."""
    say("Installing the course and the exact package versions CI tested (about a minute)...")
    replaced = [venv_python(), "-m", "pip", "uninstall", "--disable-pip-version-check", "-y", "openai-harmony"]
    command = [venv_python(), "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "off",
               "-c", os.path.join(ROOT, "constraints.txt"), "-e", ROOT]
    with open(LOG, "w") as log:
        subprocess.call(replaced, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)  # "not installed" is fine
        code = subprocess.call(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    if code == 0:
        return True
    with open(LOG) as log:
        lines = [line.rstrip("\n") for line in log]
    say("pip could not install the course. Its last lines (the whole output is in .venv/install.log):\n")
    say("\n".join(lines[-30:]))
    return False


def main():
    if not (check_version() and make_venv() and install()):
        return 1
    open(MARKER, "w").close()
    say("")
    say("Ready. Next:")
    say("  make test       the course's own test suite: proves your machine is ready (a few minutes)")
    say("  make check-01   once you have read lessons/01-hello-world.md and written work/hello.py")
    say("Without make: the README's table \"Without make\" gives each command (in the activated .venv).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
