"""Benchmark of the result cache: the `dapr-lint check` command, cold and warm, over a corpus and one file.

    python benchmarks/cache.py --modules 200 --repeat 3

Each figure is the median wall time of --repeat runs of the real command (`python -m dapr_lint check`, a new
process each time, as a user or pre-commit runs it), with the cache in a temporary folder:
  * cold:          corpus, empty cache (every file parsed, modelled, checked; the cache written);
  * warm:          corpus again, nothing changed (every file from the cache);
  * one-file cold: one module of the corpus with --no-cache;
  * one-file warm: the same module, its cache entry present;
  * startup:       `python -c pass`, the floor of any Python command on this machine.
The ratios (warm/cold) are what to compare across machines; the targets of issue 13 are warm <= 0.1 x cold,
a warm one-file run <= 120 ms and a cold one <= 250 ms on the machine the figures were taken on.

    python benchmarks/cache.py --tree ../python-sdk --file dapr/clients/grpc/client.py --repeat 3

measures a real tree instead (copied to a temporary folder first: nothing is written in it), as pairs run in
turn (A B A B ...), whole processes, wall and CPU seconds (the children's user + system time, as
`/usr/bin/time` gives them), the median of each and of the per-pair ratios (issue 20's targets):
  * warm `check .` vs cold `check . --no-cache` (target: <= 0.05);
  * one file warm vs `python -c "import ast; ast.parse(open(FILE).read())"` on the same file (target: <= 7).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import generate  # noqa: E402


def timed(command: list[str], env: dict, cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def measured(command: list[str], env: dict, cwd: Path) -> tuple[float, float]:
    """(wall, cpu) seconds of one whole process, its children's user and system time included."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def pairs(a: list[str], b: list[str], env: dict, cwd: Path, repeat: int) -> str:
    """A and B in turn, `repeat` times each: medians of each, and of the per-pair ratios A/B."""
    runs = [(measured(a, env, cwd), measured(b, env, cwd)) for _ in range(repeat)]
    line = []
    for index, name in ((0, "wall"), (1, "cpu")):
        a_median = statistics.median(pa[index] for pa, _ in runs)
        b_median = statistics.median(pb[index] for _, pb in runs)
        ratio = statistics.median(pa[index] / pb[index] for pa, pb in runs)
        line.append(f"{name} A {a_median:.3f} s, B {b_median:.3f} s, A/B {ratio:.3f}")
    return "; ".join(line)


def tree(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="dapr-lint-bench-tree-"))
    copy = work / "tree"
    shutil.copytree(args.tree, copy, symlinks=True, ignore=shutil.ignore_patterns(".git", ".dapr-lint_cache"))
    env = dict(os.environ)
    env.pop("DAPR_LINT_CACHE_DIR", None)
    check = [sys.executable, "-m", "dapr_lint", "check", "--quiet"]
    try:
        for command in ([*check, "."], [*check, args.file]):
            subprocess.run(command, cwd=copy, env=env, capture_output=True, check=False)  # fills the cache
        print(f"tree: {args.tree} ({sum(1 for _ in copy.rglob('*.py'))} .py files); pairs in turn, median of {args.repeat}")
        print("  warm `check .` (A) vs cold `check . --no-cache` (B):")
        print("    " + pairs([*check, "."], [*check, "--no-cache", "."], env, copy, args.repeat))
        parse = [sys.executable, "-c", f"import ast; ast.parse(open({args.file!r}).read())"]
        print(f"  one file warm (A) vs ast.parse of it (B), {args.file}:")
        print("    " + pairs([*check, args.file], parse, env, copy, max(args.repeat, 5)))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modules", type=int, default=200)
    parser.add_argument("--blocks", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--tree", type=Path, help="a real tree to measure (copied first) instead of a generated corpus")
    parser.add_argument("--file", default="", help="with --tree: the one file of the one-file pair, relative to the tree")
    args = parser.parse_args()
    if args.tree is not None:
        if not args.file:
            parser.error("--tree needs --file")
        tree(args)
        return

    # outside the repository: its .gitignore leaves benchmarks/corpus out of a folder walk
    work = Path(tempfile.mkdtemp(prefix="dapr-lint-bench-"))
    corpus = work / "corpus"
    paths = generate(corpus, args.modules, args.blocks)
    one = paths[0].relative_to(corpus).as_posix()
    env = dict(os.environ)
    env.pop("DAPR_LINT_CACHE_DIR", None)
    check = [sys.executable, "-m", "dapr_lint", "check", "--quiet", "--jobs", str(args.jobs)]
    cache = Path(tempfile.mkdtemp(prefix="dapr-lint-bench-cache-"))
    cached = [*check, "--cache-dir", str(cache)]
    figures: dict[str, list[float]] = {k: [] for k in ("startup", "cold", "warm", "one-file cold", "one-file warm")}
    try:
        for _ in range(args.repeat):
            figures["startup"].append(timed([sys.executable, "-c", "pass"], env, corpus))
            shutil.rmtree(cache, ignore_errors=True)
            figures["cold"].append(timed([*cached, "."], env, corpus))
            figures["warm"].append(timed([*cached, "."], env, corpus))
            figures["one-file cold"].append(timed([*check, "--no-cache", one], env, corpus))
            timed([*cached, one], env, corpus)  # the one-file run's own entry (the project differs from the corpus run)
            figures["one-file warm"].append(timed([*cached, one], env, corpus))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        lines = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in paths)
        shutil.rmtree(work, ignore_errors=True)
    median = {k: statistics.median(v) for k, v in figures.items()}
    print(f"corpus: {len(paths)} modules, {lines} lines; jobs={args.jobs}; median of {args.repeat} runs")
    for name, seconds in median.items():
        print(f"  {name:<14} {seconds * 1000:8.0f} ms")
    print(f"  warm / cold    {median['warm'] / median['cold']:8.3f}")
    print(f"  one-file warm / one-file cold {median['one-file warm'] / median['one-file cold']:.3f}")


if __name__ == "__main__":
    main()
