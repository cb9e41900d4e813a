"""Mutation testing of the gate and the rules with cosmic-ray, in a scratch copy of the project.

    python scripts/mutation.py                   # every group below
    python scripts/mutation.py gate disclosure   # some groups
    python scripts/mutation.py gate --budget 600 --max-survivors 0   # the CI subset: fail on a survivor

Why cosmic-ray and not mutmut: mutmut 3 does not mutate decorated functions, and every rule is a
function decorated with `@rule(...)`, so it would leave the rules themselves untouched.

Each mutant is applied to a copy of the source in a temporary folder (never to the working tree),
and the group's tests run against it; a mutant the tests do not notice survives. Two families of
operators are left out because their mutants cannot change behaviour here: `|` replaced by another
operator (in this code `|` is the union in type annotations, never evaluated under
`from __future__ import annotations`), and `==`/`!=` swapped with `is`/`is not` (string and None
comparisons that behave the same). Prints killed/total per module and every survivor with its line.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
RULE_TESTS = ["tests/test_rule_mutants.py", "tests/test_rules.py::test_example_breaks_the_rule"]
GROUPS = {
    "gate": (["src/disclose/gate.py", "src/disclose/visibility.py"], ["tests/test_rule_mutants.py"]),
    "disclosure": (["src/disclose/rules/disclosure.py"], RULE_TESTS),
    "pairing": (["src/disclose/rules/pairing.py"], RULE_TESTS),
    "service": (["src/disclose/pagefind_service.py"], ["tests/test_pagefind_service.py"]),
    "ahead": (["src/disclose/index_ahead.py"], ["tests/test_index_ahead.py"]),
}
EXCLUDED = [
    r"core/ReplaceBinaryOperator_BitOr_.*",
    r"core/ReplaceComparisonOperator_(Eq|NotEq)_(Is|IsNot)$",
    r"core/ReplaceComparisonOperator_(Is|IsNot)_(Eq|NotEq)$",
]
COPY = ["src", "tests", "templates", "content", "reports", "docs", "site.yaml", "pyproject.toml"]


def scratch_copy(target: Path) -> None:
    for name in COPY:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
        else:
            shutil.copy(source, target / name)


def config(modules: list[str], tests: list[str]) -> str:
    command = f"{PYTHON} -m pytest -x -q -p no:cacheprovider -p no:hypothesispytest " + " ".join(tests)
    return (
        "[cosmic-ray]\n"
        f"module-path = {json.dumps(modules)}\n"
        "timeout = 120.0\n"
        "excluded-modules = []\n"
        f"test-command = {json.dumps(command)}\n\n"
        '[cosmic-ray.distributor]\nname = "local"\n\n'
        "[cosmic-ray.filters.operators-filter]\n"
        f"exclude-operators = {json.dumps(EXCLUDED)}\n"
    )


def tool(name: str) -> str:
    return str(Path(PYTHON).parent / name)


def run_group(name: str, work: Path, budget: float | None) -> list[tuple]:
    modules, tests = GROUPS[name]
    cfg, session = work / f"{name}.toml", work / f"{name}.sqlite"
    cfg.write_text(config(modules, tests), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": "src", "RUST_BACKTRACE": "0"}
    subprocess.run([tool("cosmic-ray"), "init", str(cfg), str(session)], cwd=work, env=env, check=True)
    subprocess.run([tool("cr-filter-operators"), str(session), str(cfg)], cwd=work, env=env, check=True)
    subprocess.run([tool("cr-filter-pragma"), str(session)], cwd=work, env=env, check=True)
    runner = subprocess.Popen(
        [tool("cosmic-ray"), "exec", str(cfg), str(session)], cwd=work, env=env, start_new_session=True
    )
    try:
        runner.wait(timeout=budget)
    except subprocess.TimeoutExpired:
        os.killpg(runner.pid, signal.SIGTERM)
        runner.wait()
        print(f"{name}: time budget of {budget:.0f} s spent; results so far", file=sys.stderr)
    dump = subprocess.run(
        [tool("cosmic-ray"), "dump", str(session)], cwd=work, env=env, check=True, capture_output=True, text=True
    )
    results = []
    for line in dump.stdout.splitlines():
        job, result = json.loads(line)
        mutation = job["mutations"][0]
        outcome = (result or {}).get("test_outcome") if (result or {}).get("worker_outcome") != "skipped" else "skipped"
        results.append((mutation["module_path"], mutation["start_pos"][0], mutation["operator_name"], outcome))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", nargs="*", help=f"some of {', '.join(GROUPS)} (default: all)")
    parser.add_argument("--budget", type=float, help="seconds per group; stop there and report what ran")
    parser.add_argument("--max-survivors", type=int, help="exit 1 when more mutants than this survive")
    parser.add_argument("--json", type=Path, help="write every result here")
    args = parser.parse_args()
    if unknown := set(args.groups) - set(GROUPS):
        parser.error(f"unknown group {', '.join(sorted(unknown))}; groups: {', '.join(GROUPS)}")
    survivors, everything = 0, []
    with tempfile.TemporaryDirectory(prefix="disclose-mutation-") as tmp:
        work = Path(tmp)
        scratch_copy(work)
        for name in args.groups or list(GROUPS):
            started = time.perf_counter()
            results = run_group(name, work, args.budget)
            everything += results
            per_module: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            for module, _, _, outcome in results:
                per_module[module][outcome or "not run"] += 1
            for module, counts in sorted(per_module.items()):
                tested = counts["killed"] + counts["survived"]
                print(
                    f"{module}: killed {counts['killed']} / {tested} "
                    f"({counts['skipped']} left out as equivalent, {counts['not run']} not run) "
                    f"in {time.perf_counter() - started:.0f} s"
                )
            for module, line, operator, outcome in sorted(results, key=lambda r: (r[0], r[1] or 0, r[2] or "")):
                if outcome == "survived":
                    survivors += 1
                    print(f"  survived: {module}:{line} {operator}")
    if args.json:
        args.json.write_text(json.dumps(everything, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.max_survivors is not None and survivors > args.max_survivors:
        print(f"{survivors} mutants survived (at most {args.max_survivors} allowed)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
