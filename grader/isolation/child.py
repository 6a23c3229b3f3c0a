"""Inside the outer bounds: import the learner's module, run each attack's code through run_untrusted, and write
a JSON report to the file named by the second argument (never stdout, which the learner's module may take over)."""

import importlib.util
import json
import sys


def write(report: dict) -> None:
    with open(sys.argv[2], "w", encoding="utf-8") as sink:
        json.dump(report, sink)


def main() -> None:
    codes = json.loads(sys.stdin.read())
    report: dict = {"outcomes": {}}
    try:
        spec = importlib.util.spec_from_file_location("isolated_sandbox", sys.argv[1])
        module = importlib.util.module_from_spec(spec)
        sys.path.insert(0, "work")  # a sandbox may import its neighbours, such as Section 15's sandbox.py
        spec.loader.exec_module(module)
        run_untrusted = module.run_untrusted
    except BaseException as exc:  # the learner's module: anything may go wrong on import
        report["failed"] = f"importing your file failed: {type(exc).__name__}: {exc}"
        write(report)
        return
    for name, code in codes.items():
        try:
            result = run_untrusted(code)
            shown = result if isinstance(result, dict) else {"returned": repr(result)[:300]}
            report["outcomes"][name] = {"result": json.loads(json.dumps(shown, default=repr))}
        except BaseException as exc:
            report["outcomes"][name] = {"raised": f"{type(exc).__name__}: {exc}"[:500]}
    write(report)


if __name__ == "__main__":
    main()
