"""Benchmark: how fast a cold run could be if LibCST parsed only the files where a per-file rule reports.

    python benchmarks/ceiling.py --tree ../python-sdk --repeat 5 --flake8 "/path/to/plain/venv/bin/flake8 -j2"
    python benchmarks/ceiling.py --tree ../python-sdk --family "dapr clients"   # one family's files only

The first pass (python/gate.py) spares LibCST the files it proves clean with CPython's `ast`; a file it cannot
prove clean is parsed with LibCST even when no rule reports on it. This measures what a perfect first pass would
save, in whole processes side by side, as benchmarks/cold.py measures a run:
  1. record: in this process, the per-file stage's first look at every Python file of the tree (its result, and
     whether LibCST parsed it). Nothing is written in the tree;
  2. replay: a cold `dapr-lint check . --no-cache` in which each file that LibCST parsed and that got no finding,
     warning or error costs what any first pass costs at least (CPython's `ast.parse`, the `compile()` of DPR001's
     verdict, and the first pass's walk) and gives its recorded result; every other file is checked as usual;
  3. the replayed run must print what the normal run prints (its JSON, and its standard error), or the figures
     would compare two different runs: the script stops there, with exit code 1;
  4. pairs: the replayed run (A) against the normal cold run, and against the `--flake8` command line if given.
A rule moved from LibCST to `ast` costs at least that walk, so the ratio against flake8 is the best that path can
reach on the tree: the figure to weigh the move against. Before the figures, the replayed files are counted by what
keeps them open: where the first pass's walk stops on each (past its text screen, `_surely_open`), with the import
path or attribute it stopped on: the work a finer first pass would have to do, largest first. A first stop does not
say what handling it would save (the next stop may be as near), so each family of names is then sized: how many of
those files the walk closes when it lets the family's names, calls and decorators pass. That is an upper bound: the
text screen would have to learn the family too, and the first pass to build the family's summary facts itself.
With --family, only the files that family closes are replayed (with several, the files they close together):
what moving those families alone could reach.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import os
import pickle
import shlex
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import NamedTuple, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cold import pairs  # noqa: E402  (the same whole-process pairs as the cold benchmark)

RUN = ["check", ".", "--no-cache", "--exit-zero"]


def record(tree: Path) -> tuple[dict[str, bytes], int, int]:
    """The first-look results to replay, by display path (pickled), the Python files looked at, and how many
    of them LibCST parsed."""
    from dapr_lint import cli
    from dapr_lint.engine import python_stage, workers
    from dapr_lint.python import parsing

    replayed: dict[str, bytes] = {}
    looked = parsed = 0
    check, parse, isolate = python_stage.analyze_python, parsing.parse_module, workers._ISOLATE
    seen: list[bool] = []

    def spy(data):
        seen.append(True)
        return parse(data)

    def analyze(path, data, settings, subscribers=(), defer=False):
        nonlocal looked, parsed
        seen.clear()
        result = check(path, data, settings, subscribers, defer=defer)
        if subscribers or not defer:
            return result  # a second look (subscribers, a deferred file completed): always checked in full
        looked += 1
        if seen:
            parsed += 1
            if not result.diagnostics and not result.errors and not result.warnings:
                replayed[path] = pickle.dumps(result, pickle.HIGHEST_PROTOCOL)
        return result

    here = Path.cwd()
    parsing.parse_module, python_stage.analyze_python, workers._ISOLATE = spy, analyze, False
    try:
        os.chdir(tree)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            cli.main([*RUN, "-q"])
    finally:
        os.chdir(here)
        parsing.parse_module, python_stage.analyze_python, workers._ISOLATE = parse, check, isolate
    return replayed, looked, parsed


CLOSES = "closes (the text screen opened it)"


def reasons(tree: Path, paths) -> Counter:
    """Where the first pass's walk stops on each file (`function: import path or attribute`), past its text
    screen; CLOSES when the walk alone would close it."""
    return Counter(_stops(tree, paths).values())


def _stops(tree: Path, paths) -> dict[str, str]:
    """Each path's reason (as `reasons` counts them)."""
    from dapr_lint.python.sdk_releases import unpinned
    from dapr_lint.python.verify import quietly

    found: dict[str, str] = {}
    for path in paths:
        data = (tree / path).read_bytes()
        parsed = quietly(ast.parse, data)
        if parsed is None:
            found[path] = "newer syntax than this Python's"
            continue
        stop = _walk(data, parsed, unpinned())
        if stop is not None:
            while stop.__cause__ is not None:  # a family's reading (python/gate_clients.py) stopped first
                stop = stop.__cause__
            frame = stop.__traceback__
            while frame is not None and frame.tb_next is not None:
                frame = frame.tb_next
            where = frame.tb_frame if frame is not None else None
            what = next(
                (where.f_locals[name] for name in ("path", "attr", "module") if where and isinstance(where.f_locals.get(name), str)),
                "",
            )
            found[path] = f"{where.f_code.co_name if where else type(stop).__name__}: {what}".rstrip(": ")
            continue
        found[path] = CLOSES
    return found


def _walk(data: bytes, tree: ast.Module, sdk) -> Optional[BaseException]:
    """The first pass's walk over a file, as `first_pass` runs it for the file stage (its async calls deferred):
    what stopped it (it opens the file), or None (it closes it)."""
    from dapr_lint.python import gate

    walk = gate._Gate(data)
    walk.defer, walk.sdk = True, sdk
    try:
        walk.run(tree)
    except (gate._Open, RecursionError) as stop:
        return stop
    return None


class Family(NamedTuple):
    """A family of names the first pass opens on, to size a move to `ast` by."""

    roots: tuple[str, ...]  # the import paths (and everything below them)
    calls: Optional[frozenset[str]]  # the registering calls of the family (None: the route, include and mount calls)
    decorators: bool = False  # whether its route or handler decorators open the walk
    bases: bool = False  # whether the actor facts' reading of a class's bases opens on its names (`_base_kind`)


FAMILIES: dict[str, Family] = {
    "Dapr clients (dapr.clients, dapr.aio.clients)": Family(("dapr.clients", "dapr.aio.clients"), frozenset()),
    "web (fastapi, flask, starlette, uvicorn, cloudevents, their Dapr extensions)": Family(
        ("fastapi", "flask", "flask_dapr", "werkzeug", "starlette", "uvicorn", "cloudevents", "dapr.ext.fastapi", "dapr.ext.flask"),
        None,
        decorators=True,
    ),
    "workflows (dapr.ext.workflow)": Family(
        ("dapr.ext.workflow", "durabletask"),
        frozenset({"register_workflow", "register_activity", "register_versioned_workflow"}),
    ),
    "actors (dapr.actor, the web frameworks' actor hosts)": Family(
        ("dapr.actor", "dapr.ext.fastapi.DaprActor", "dapr.ext.fastapi.actor", "dapr.ext.flask.DaprActor", "dapr.ext.flask.actor"),
        frozenset({"register_actor"}),
        bases=True,
    ),
    "gRPC app (dapr.ext.grpc, dapr.proto)": Family(("dapr.ext.grpc", "dapr.proto"), frozenset(), decorators=True),
}


# What `handled` replaces in python/gate.py, by name.
_PATCHED = (
    "ANCHOR_ROOTS", "_related", "_anchored_import", "_check_decorator", "OPENING_CALLS", "_REGISTERING_CALLS",
    "_base_kind",
)


@contextlib.contextmanager
def handled(family: Family):
    """The first pass's walk letting a family's names pass (as if it read them itself), for as long as it lasts."""
    from dapr_lint.python import gate

    saved = {name: getattr(gate, name) for name in _PATCHED}
    prefixes = family.roots + tuple(f"{root}." for root in family.roots)
    related, anchored, base_kind = saved["_related"], saved["_anchored_import"], saved["_base_kind"]
    gate.ANCHOR_ROOTS = frozenset(root for root in saved["ANCHOR_ROOTS"] if root not in family.roots)
    gate._related = lambda path: not path.startswith(prefixes) and related(path)
    gate._anchored_import = lambda path: not path.startswith(prefixes) and anchored(path)
    if family.decorators:
        gate._check_decorator = lambda decorator: False
    if family.calls is None:
        gate.OPENING_CALLS = frozenset()
    else:
        gate._REGISTERING_CALLS = frozenset(call for call in saved["_REGISTERING_CALLS"] if call not in family.calls)
    if family.bases:

        def let_pass(walk, base, scope):
            value = walk.value(base, scope) if isinstance(base, (ast.Name, ast.Attribute)) else None
            if value is not None and value[0] == "ref" and value[1].startswith(prefixes):
                return "other"
            return base_kind(walk, base, scope)

        gate._base_kind = let_pass
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(gate, name, value)


def family_sizes(tree: Path, paths) -> dict[str, int]:
    """For each family of FAMILIES, how many of `paths` the walk closes while it lets the family pass."""
    return {name: len(closed_by(tree, paths, name)) for name in FAMILIES}


def closed_by(tree: Path, paths, *families: str) -> list[str]:
    """The paths the walk closes while it lets the families of FAMILIES named `families` pass, together, and
    closes only then. A path the walk closes with no family let pass was opened by the text screen alone
    (`_surely_open`): no family of names unlocks it, so it counts for none."""
    unlocked = [path for path, reason in _stops(tree, paths).items() if reason != CLOSES]
    with contextlib.ExitStack() as stack:
        for family in families:
            stack.enter_context(handled(FAMILIES[family]))
        return [path for path, reason in _stops(tree, unlocked).items() if reason == CLOSES]


def family_named(text: str) -> str:
    """The family of FAMILIES whose name starts with `text` (case ignored)."""
    matches = [name for name in FAMILIES if name.lower().startswith(text.lower())]
    if len(matches) != 1:
        raise ValueError(f"{text!r} names {'no' if not matches else 'more than one'} family of: {', '.join(FAMILIES)}")
    return matches[0]


def replaying(replayed: dict[str, bytes]) -> None:
    """Make this process's per-file stage replay `replayed` at the cost of CPython's parse, compile and the
    first pass's walk (the workers it forks inherit it)."""
    from dapr_lint.engine import python_stage
    from dapr_lint.python.sdk_releases import unpinned
    from dapr_lint.python.verify import quietly

    check = python_stage.analyze_python

    def analyze(path, data, settings, subscribers=(), defer=False):
        result = replayed.get(path)
        if result is None or subscribers or not defer:
            return check(path, data, settings, subscribers, defer=defer)
        tree = quietly(ast.parse, data)
        if tree is None:  # newer syntax than this Python's: as checked
            return check(path, data, settings, subscribers, defer=defer)
        quietly(compile, tree, "<dapr-lint>", "exec", dont_inherit=True)
        _walk(data, tree, settings.sdk_at(path) or unpinned())
        return pickle.loads(result)

    python_stage.analyze_python = analyze


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, required=True, help="the tree to lint (nothing is written in it)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--flake8", help='a flake8 command line, e.g. "/venv/bin/flake8 -j2"')
    parser.add_argument("--reasons", type=int, default=15, help="how many reasons to list (largest first)")
    parser.add_argument(
        "--family",
        action="append",
        help="replay only the files the walk closes when it lets this family pass (the start of its name, e.g. "
        '"dapr clients"; repeat it for several, let pass together): what moving them to `ast` could reach',
    )
    options = parser.parse_args(argv)
    tree = options.tree.resolve()
    if not tree.is_dir():
        parser.error(f"{tree} is not a directory")
    try:
        families = [family_named(text) for text in options.family or ()]
    except ValueError as error:
        parser.error(str(error))
    replayed, looked, parsed = record(tree)
    print(f"{tree}: {looked} Python files, {parsed} parsed with LibCST, {len(replayed)} of them with no finding")
    print("what keeps those files open (where the first pass's walk stops):")
    for reason, count in reasons(tree, replayed).most_common(options.reasons):
        print(f"  {count:5d}  {reason}")
    print("how many of them the walk closes when it lets a family of names pass (an upper bound):")
    for name, count in family_sizes(tree, replayed).items():
        print(f"  {count:5d}  {name}")
    if families:
        replayed = {path: replayed[path] for path in closed_by(tree, replayed, *families)}
    print(f"replayed: {len(replayed)} files" + (f" (those closed by letting pass: {'; '.join(families)})" if families else ""))
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the .pyc files a user's install has
    with tempfile.TemporaryDirectory() as folder:
        recording = Path(folder) / "replayed.pickle"
        recording.write_bytes(pickle.dumps(replayed, pickle.HIGHEST_PROTOCOL))
        normal = [sys.executable, "-m", "dapr_lint", *RUN]
        ceiling = [sys.executable, str(Path(__file__).resolve()), "--replay", str(recording), *RUN]
        outputs = [
            subprocess.run([*command, "--output-format", "json"], cwd=tree, env=env, capture_output=True, check=False)
            for command in (normal, ceiling)
        ]
        if (outputs[0].stdout, outputs[0].stderr) != (outputs[1].stdout, outputs[1].stderr):
            print("the replayed run does not print what the normal run prints: no figures", file=sys.stderr)
            return 1
        references = {"cold dapr-lint": [*normal, "-q"]}
        if options.flake8:
            references["flake8"] = [*shlex.split(options.flake8), "--exit-zero", "."]
        for name, command in references.items():
            figures = pairs([*ceiling, "-q"], command, tree, env, options.repeat)
            print(f"replayed run (A) vs {name} (B): " + ", ".join(f"{k} {v:.3f}" for k, v in figures.items()))
    return 0


def replay(argv: list[str]) -> None:
    """`ceiling.py --replay RECORDING <dapr-lint arguments>`: the replayed run, as the `dapr-lint` command."""
    replaying(pickle.loads(Path(argv[0]).read_bytes()))
    from dapr_lint.cli import console

    sys.argv = ["dapr-lint", *argv[1:]]
    console()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--replay"]:
        replay(sys.argv[2:])
    raise SystemExit(main())
