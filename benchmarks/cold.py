"""Benchmark: a cold `dapr-lint check` of a real tree against references run side by side, whole processes.

    python benchmarks/cold.py --tree ../python-sdk --repeat 5 --flake8 "/path/to/plain/venv/bin/flake8 -j2"

Each pair runs A (a cold `dapr-lint check . --no-cache`) then B (a reference) in the tree, alternating, and
records what the OS accounts for each finished command, as `/usr/bin/time` reports it: wall seconds and CPU
seconds (user + system, child processes included: dapr-lint's workers). References:
  * bare:   one process running `libcst.parse_module` over every `*.py` of the tree (the floor of a LibCST linter);
  * flake8: the `--flake8` command line, if given (use a flake8 without the dapr-lint plugin, or the ratio
            measures the plugin too).
Figures are medians over --repeat pairs; the ratios A/B are what to compare across machines, not the seconds.
The first run of each command is a warm-up (it writes `.pyc` files) and is not counted.
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

BARE = (
    "import pathlib, libcst\n"
    "for p in sorted(pathlib.Path('.').rglob('*.py')):\n"
    "    try:\n"
    "        libcst.parse_module(p.read_bytes())\n"
    "    except Exception:\n"
    "        pass\n"
)


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall, cpu) seconds of one finished command; cpu = user + sys of it and every child it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def pairs(a: list[str], b: list[str], cwd: Path, env: dict[str, str], repeat: int) -> dict[str, float]:
    timed(a, cwd, env)
    timed(b, cwd, env)
    rows = []
    for _ in range(repeat):
        rows.append((*timed(a, cwd, env), *timed(b, cwd, env)))
    a_wall, a_cpu, b_wall, b_cpu = (statistics.median(column) for column in zip(*rows))
    return {
        "A wall": a_wall,
        "A cpu": a_cpu,
        "B wall": b_wall,
        "B cpu": b_cpu,
        "A/B wall": statistics.median(r[0] / r[2] for r in rows),
        "A/B cpu": statistics.median(r[1] / r[3] for r in rows),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, required=True, help="the tree to lint (nothing is written in it)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dapr-lint", default=f"{sys.executable} -m dapr_lint", help="how to start dapr-lint")
    parser.add_argument("--flake8", help='a flake8 command line, e.g. "/venv/bin/flake8 -j2"')
    options = parser.parse_args(argv)
    tree = options.tree.resolve()
    if not tree.is_dir():
        parser.error(f"{tree} is not a directory")
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the .pyc files a user's install has
    cold = [*shlex.split(options.dapr_lint), "check", ".", "--no-cache", "-q", "--exit-zero"]
    references = {"bare LibCST loop": [sys.executable, "-c", BARE]}
    if options.flake8:
        references["flake8"] = [*shlex.split(options.flake8), "--exit-zero", "."]
    files = sum(1 for _ in tree.rglob("*.py"))
    print(f"{tree}: {files} .py files, {options.repeat} pairs each, medians")
    for name, command in references.items():
        figures = pairs(cold, command, tree, env, options.repeat)
        print(f"cold dapr-lint (A) vs {name} (B): " + ", ".join(f"{k} {v:.3f}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
