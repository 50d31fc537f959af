"""The package's import structure: every module of src/dapr_lint imports alone, in a fresh interpreter, and no
module reaches itself through imports, whether at module level or inside a function (a lazy import placed to
dodge a circle is still a circle), counting that importing a submodule runs its package's __init__ first."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted((SRC / "dapr_lint").rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _runtime_nodes(tree: ast.AST):
    """Every node, except those under `if TYPE_CHECKING:` (annotations only: never imported at run time)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                stack.extend(child.orelse)
                continue
            stack.append(child)


def import_graph() -> dict[str, set[str]]:
    """module -> the package modules it imports (anywhere in its code)."""
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    target = alias.name
                    while target and target not in known:
                        target = target.rpartition(".")[0]
                    if target:
                        targets.add(target)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
                if not base.startswith("dapr_lint"):
                    continue
                for alias in node.names:
                    submodule = f"{base}.{alias.name}"
                    targets.add(submodule if submodule in known else base)
        graph[name] = {t for t in targets if t in known and t != name}
    # the catalog imports every module of python/rules/ by listing the package, dapr_lint.resources every module
    # of resources/rules/
    graph["dapr_lint.catalog"] |= {m for m in known if m.startswith("dapr_lint.python.rules.")}
    graph["dapr_lint.resources"] |= {m for m in known if m.startswith("dapr_lint.resources.rules.")}
    return with_parent_packages(graph)


def with_parent_packages(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Importing `a.b.c` runs `a/__init__` and `a/b/__init__` first: an import of a submodule from outside its
    package is also an edge to each package above it (a module inside the package is run by it: no circle)."""
    result = {}
    for name, targets in graph.items():
        parents = set()
        for target in targets:
            parts = target.split(".")
            for depth in range(1, len(parts)):
                package = ".".join(parts[:depth])
                if package in graph and package != name and not name.startswith(package + "."):
                    parents.add(package)
        result[name] = targets | parents
    return result


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


# Circles that exist today and are being taken apart (issue #10). This list may only shrink: a new circle, or a
# module joining one, fails; a circle that is gone must be removed from here. It is empty: keep it so.
KNOWN_CIRCLES: list[frozenset[str]] = []


def _within(circle: frozenset[str], known: frozenset[str]) -> bool:
    """Every module of the circle is listed, or falls under a listed `package.*` (a rule family module)."""
    patterns = [k[:-1] for k in known if k.endswith(".*")]
    return all(m in known or any(m.startswith(p) for p in patterns) for m in circle)


@pytest.mark.slow
def test_no_import_circle():
    found = [frozenset(c) for c in circles(import_graph())]
    new = [sorted(c) for c in found if not any(_within(c, known) for known in KNOWN_CIRCLES)]
    assert not new, f"import circles (lazy imports count): {new}"
    gone = [sorted(k) for k in KNOWN_CIRCLES if not any(_within(c, k) and len(c) > 1 for c in found)]
    assert not gone, f"these circles are gone: remove them from KNOWN_CIRCLES: {gone}"


@pytest.mark.slow
def test_no_circle_between_packages():
    """Taken as wholes, the packages and top-level modules import each other in layers too: python/, resources/
    and project/ hold models and rules, the engine runs them, a leaf (roots, reading) holds what
    several need."""
    def unit(name: str) -> str:
        return ".".join(name.split(".")[:2])

    graph: dict[str, set[str]] = {}
    for name, targets in import_graph().items():
        graph.setdefault(unit(name), set()).update(unit(t) for t in targets if unit(t) != unit(name))
    assert circles(graph) == []


def test_the_circle_finder_finds_a_circle_and_nothing_else():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert circles(graph) == [["a", "b", "c"]]


def test_importing_a_submodule_runs_its_package():
    # `x` imports `p.sub` (which runs `p` first), and the package `p` imports `x`: a circle through the package
    graph = {"p": {"x"}, "p.sub": set(), "x": {"p.sub"}}
    assert circles(graph) == []
    assert circles(with_parent_packages(graph)) == [["p", "x"]]
    # a package importing its own submodules is no circle
    assert circles(with_parent_packages({"p": {"p.sub"}, "p.sub": {"p.other"}, "p.other": set()})) == []


_IMPORT_EACH = r"""
import importlib, json, os, sys, traceback
import libcst, yaml  # third-party: loaded once, before the fork; our modules are not
failures = {}
for name in json.loads(sys.argv[1]):
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except BaseException:
            sys.stderr.write(f"@@{name}@@" + traceback.format_exc())
            sys.stderr.flush()
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        failures[name] = status
print(json.dumps(failures))
"""


@pytest.mark.slow
def test_every_module_imports_alone():
    names = sorted(name for name in modules() if name != "dapr_lint.__main__")  # importing it runs the CLI
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_EACH, json.dumps(names)], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    failures = json.loads(done.stdout.strip().splitlines()[-1])
    assert not failures, f"modules that do not import alone: {sorted(failures)}\n{done.stderr}"
