"""Try to escape a sandbox and print one verdict per attempt: contained or ESCAPED."""

import importlib.util
import os
import secrets
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load_sandbox(path: str):
    """Import run_untrusted from the sandbox file at `path`."""
    spec = importlib.util.spec_from_file_location("sandbox_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.run_untrusted


def try_network(run_untrusted) -> bool:
    """A listener on the host's 127.0.0.1: did the sandboxed code reach it?"""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    run_untrusted(f"import socket\ns = socket.socket()\ns.settimeout(2)\ns.connect(('127.0.0.1', {port}))")
    listener.setblocking(False)  # a connection that got through waits in the backlog
    try:
        listener.accept()
        return True
    except BlockingIOError:
        return False
    finally:
        listener.close()


def try_reading(run_untrusted, folder: Path) -> bool:
    """A stand-in .env in a folder under the home directory: could the sandboxed code print its token?"""
    token = secrets.token_hex(8)
    (folder / ".env").write_text(f"OPENAI_API_KEY=sk-{token}\n")
    result = run_untrusted(f"print(open({str(folder / '.env')!r}).read())")
    return token in result["stdout"]


def try_writing(run_untrusted, folder: Path) -> bool:
    """Could the sandboxed code leave a file in a folder outside its own temp dir?"""
    target = folder / "planted.txt"
    run_untrusted(f"open({str(target)!r}, 'w').write('planted')")
    return target.exists()


def try_processes(run_untrusted) -> bool:
    """A process on the host: could the sandboxed code see it?"""
    marker = secrets.token_hex(8)
    host = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", marker])
    try:
        result = run_untrusted(
            "import os\n"
            f"marker = {marker[::-1]!r}[::-1]\n"  # reversed, so the code's own command line never holds the marker
            "for pid in filter(str.isdigit, os.listdir('/proc')):\n"
            "    try:\n"
            "        if marker in open(f'/proc/{pid}/cmdline').read():\n"
            "            print(marker)\n"
            "    except OSError:\n"
            "        pass\n")
    finally:
        host.kill()
        host.wait()
    return marker in result["stdout"]


def main() -> None:
    run_untrusted = load_sandbox(os.environ.get("SANDBOX", str(HERE / "isolated_sandbox.py")))
    with tempfile.TemporaryDirectory(dir=Path.home()) as stand_in:
        folder = Path(stand_in)
        escapes = {
            "network (connect to the host's 127.0.0.1)": try_network(run_untrusted),
            "files (read a .env under your home directory)": try_reading(run_untrusted, folder),
            "writes (plant a file outside the sandbox's temp dir)": try_writing(run_untrusted, folder),
            "processes (see a process of the host)": try_processes(run_untrusted),
        }
    for attempt, escaped in escapes.items():
        print(f"{attempt}: {'ESCAPED' if escaped else 'contained'}")


if __name__ == "__main__":
    main()
