"""Say which isolation this machine offers: bubblewrap with its version, or none (exit status 1)."""

import shutil
import subprocess
import sys

bwrap = shutil.which("bwrap")
if bwrap is None:
    print("no isolation tool found: install bubblewrap (Debian, Ubuntu: sudo apt-get install bubblewrap)")
    sys.exit(1)
version = subprocess.run([bwrap, "--version"], capture_output=True, text=True).stdout.strip()
trial = subprocess.run([bwrap, "--ro-bind", "/", "/", "--unshare-all", "true"], capture_output=True, text=True)
print(f"{version} at {bwrap}")
print("namespaces: work" if trial.returncode == 0 else f"namespaces: refused ({trial.stderr.strip()})")
