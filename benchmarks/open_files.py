"""Benchmark: where the per-file Python stage spends its CPU, by what the first pass decided for each file.

    python benchmarks/open_files.py --tree ../python-sdk --repeat 3

In this one process, every `*.py` file of the tree (in path order) goes through the per-file Python stage
(`analyze_python`, the rules that are on by default, summaries built, as the file stage runs it for a file on
disk), timed in CPU seconds with the collector off as in a worker; each file's figure is its best of --repeat.
What the stage did with each file is observed, not guessed:
  * not parsed: no Dapr or web text, nothing for the first pass either (CPython's `compile` alone);
  * closed: the first pass (CPython's `ast`) gave its summary, and LibCST never ran;
  * closed, async calls deferred: the same, its async calls left to the project stage (which checks the file
    again only when another module of the run may make one of them a finding);
  * opened, with a finding: LibCST ran and a rule reported;
  * opened, no finding: LibCST ran and no rule reported. A finer first pass could spare these files LibCST.
The bound is the stage's CPU had every file of the last group cost only CPython's `ast.parse` and `compile` (the
first pass's walk over them is left out, so it is a little low). The last table groups those files by the summary
facts they carry: what a first pass would have to build itself to close them.
"""

from __future__ import annotations

import argparse
import ast
import functools
import gc
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Callable

# Summary facts beyond the names, imports and definitions every module has.
FACTS = (
    "entry", "subscribed_routes", "objects", "routes", "includes", "handlers", "components", "async_calls",
    "actors", "unguarded_calls", "catches_dapr_errors", "workflows", "wiring",
)


GROUPS = ("not parsed", "closed", "closed, async calls deferred", "opened, with a finding", "opened, no finding")


def cpu(function: Callable[[], object], repeat: int) -> tuple[float, object]:
    """The best CPU time of `repeat` calls, and the last call's result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.process_time()
        result = function()
        best = min(best, time.process_time() - start)
        gc.collect(0)
    return best, result


def compiled(data: bytes) -> object:
    """What a closed file costs in CPython: its `ast` and the `compile()` of it (DPR001's verdict)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compile(ast.parse(data), "<survey>", "exec", dont_inherit=True)


def facts_of(summary: object) -> tuple[str, ...]:
    carried = []
    for name in FACTS:
        value = getattr(summary, name)
        if value != type(value)():
            carried.append(name)
    return tuple(carried)


def survey(tree: Path, repeat: int) -> dict:
    from dapr_lint import specs
    from dapr_lint.engine import python_stage
    from dapr_lint.settings import Settings

    settings = Settings(frozenset(spec.code for spec in specs.all_rules() if spec.default_enabled), summaries=True)
    groups: dict[str, list[float]] = defaultdict(list)
    bound = 0.0
    by_facts: dict[tuple[str, ...], list[float]] = defaultdict(list)
    seen: dict[str, object] = {}
    first_pass, parse = python_stage.gate.first_pass, python_stage.parsing.parse_module

    def gated(*args, **options):  # what the first pass said
        seen["gate"] = found = first_pass(*args, **options)
        return found

    def parsed(data):  # whether LibCST ran
        seen["libcst"] = True
        return parse(data)

    python_stage.gate.first_pass, python_stage.parsing.parse_module = gated, parsed  # type: ignore[assignment]
    try:
        for path in sorted(tree.rglob("*.py")):
            data = path.read_bytes()
            seen.clear()
            spent, result = cpu(functools.partial(python_stage.analyze_python, str(path), data, settings, defer=True), repeat)
            closed = seen.get("gate", (None, None))[0]  # type: ignore[index]
            if "libcst" not in seen and "gate" not in seen:
                group = "not parsed"
            elif closed is not None and "libcst" not in seen:
                deferred = closed.async_calls_deferred is not None  # type: ignore[attr-defined]
                group = "closed, async calls deferred" if deferred else "closed"
            elif result.diagnostics:  # type: ignore[attr-defined]
                group = "opened, with a finding"
            else:
                group = "opened, no finding"
            groups[group].append(spent)
            if group != "opened, no finding":
                bound += spent
                continue
            try:
                bound += cpu(functools.partial(compiled, data), repeat)[0]
            except (SyntaxError, ValueError):  # newer syntax than this Python's (LibCST reads it): no first pass
                bound += spent
            summary = result.summary  # type: ignore[attr-defined]
            by_facts[facts_of(summary) if summary is not None else ()].append(spent)
    finally:
        python_stage.gate.first_pass, python_stage.parsing.parse_module = first_pass, parse  # type: ignore[assignment]
    return {"groups": groups, "bound": bound, "by_facts": by_facts}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--tree", type=Path, required=True, help="the folder to survey (every *.py below it)")
    parser.add_argument("--repeat", type=int, default=1, help="times each file is run; its best is kept")
    args = parser.parse_args(argv)
    if not args.tree.is_dir():
        print(f"open_files.py: {args.tree} is not a folder", file=sys.stderr)
        return 2
    collecting = gc.isenabled()
    gc.disable()
    try:
        found = survey(args.tree, max(1, args.repeat))
    finally:
        if collecting:
            gc.enable()
    groups = found["groups"]
    total = sum(sum(times) for times in groups.values())
    files = sum(len(times) for times in groups.values())
    print(f"{args.tree}: {files} .py files; per-file Python stage {total:.2f} s CPU (best of {args.repeat})")
    for group in GROUPS:
        times = groups.get(group, [])
        print(f"  {group:<30} {len(times):5d} files {sum(times):7.2f} s")
    bound = found["bound"]
    print(f"bound, every 'opened, no finding' file closed: {bound:.2f} s ({bound / total if total else 0:.2f}x)")
    rows = sorted(found["by_facts"].items(), key=lambda item: -sum(item[1]))
    if rows:
        print("'opened, no finding' by the summary facts they carry:")
    for facts, times in rows:
        print(f"  {sum(times):7.2f} s {len(times):5d} files  {' + '.join(facts) or '(no fact beyond names)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
