"""How a file being checked is parsed and held: LibCST's tree without per-node re-validation (python/parsing.py),
and no cyclic garbage collection while one file is checked (engine/workers.py)."""

from __future__ import annotations

import ast
import gc
import weakref
from pathlib import Path

import libcst as cst
import pytest

from dapr_lint.diagnostics import FileResult
from dapr_lint.engine import workers
from dapr_lint.python import parsing, verify
from dapr_lint.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*(ROOT / "tests" / "fixtures").rglob("*.py"), *(ROOT / "examples").rglob("*.py")])


@pytest.mark.slow
def test_the_tree_equals_libcsts_on_every_fixture_and_example():
    compared = 0
    for path in SOURCES:
        data = path.read_bytes()
        try:
            expected = cst.parse_module(data)
        except Exception as exc:
            with pytest.raises(type(exc)):
                parsing.parse_module(data)
            continue
        tree = parsing.parse_module(data)
        assert tree.deep_equals(expected), path
        assert tree.code == expected.code, path
        compared += 1
    assert compared > 100


def test_nodes_built_after_the_parse_are_validated():
    parsing.parse_module(b"x = (1 + 2)\n")
    with pytest.raises(cst.CSTValidationError):
        cst.BinaryOperation(cst.Name("a"), cst.Add(), cst.Name("b"), lpar=[cst.LeftParen()])  # unbalanced


def test_a_refused_file_leaves_validation_on():
    with pytest.raises(cst.ParserSyntaxError):
        parsing.parse_module(b"def (:\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("")


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_no_collection_while_a_file_is_checked_and_its_cycles_freed_after(monkeypatch):
    seen: dict = {}

    def work(task, settings):
        seen["enabled"] = gc.isenabled()
        cycle = _Cycle()
        seen["cycle"] = weakref.ref(cycle)
        del cycle
        return FileResult(task)

    assert gc.isenabled()
    workers.check_all(["a.py"], Settings(frozenset()), None, work)
    assert seen["enabled"] is False
    assert gc.isenabled()
    assert seen["cycle"]() is None  # collected right after the file, not at some later threshold


def test_a_run_with_the_collector_off_leaves_it_off(monkeypatch):
    gc.disable()
    try:
        results = workers.check_all(["a.py"], Settings(frozenset()), None, lambda task, settings: FileResult(task))
        assert [r.path for r in results] == ["a.py"]
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize(
    "text",
    [
        b"return 1\n",  # refused by the compiler, after the parse
        b"break\n",
        b"nonlocal x\n",
        b"def f():\n    x = 1\n    global x\n",
        b"class C:\n    await x\n",
        b"def f(:\n",  # refused by the parser
        b"x = 1\x00\n",
        b"import os\nprint(os.sep)\n",
        b"async def f():\n    return [x async for x in y]\n",
    ],
)
def test_the_compiled_tree_is_there_exactly_when_compile_accepts_the_text(text):
    assert (verify.compiled_tree(text) is not None) == (verify.compile_problem(text) is None)


def test_the_compiled_tree_agrees_with_compile_on_every_fixture_and_example():
    for path in SOURCES:
        data = path.read_bytes()
        assert (verify.compiled_tree(data) is not None) == (verify.compile_problem(data) is None), path


def test_an_open_file_is_parsed_by_cpython_once(monkeypatch):
    """The gate's `ast` of a file it opens is the tree the DPR001 verdict and the positions use: no second
    `ast.parse` of the same text."""
    from dapr_lint.engine.python_stage import analyze_python
    from dapr_lint.python import gate

    data = (
        b"from dapr.clients import DaprClient\n\n"
        b"async def handler():\n"
        b"    with DaprClient() as client:\n"
        b"        client.save_state('statestore', 'k', 'v')\n"
    )
    assert gate.first_pass(data)[0] is None  # the gate opens it
    parsed: list[bytes] = []
    real_parse = ast.parse

    def counting(source, *args, **keywords):
        if source == data:
            parsed.append(source)
        return real_parse(source, *args, **keywords)

    monkeypatch.setattr(ast, "parse", counting)
    settings = Settings(frozenset({"DPR101"}))
    result = analyze_python("app.py", data, settings)
    assert [d.code for d in result.diagnostics] == ["DPR101"]
    assert len(parsed) == 1


def test_the_gates_tree_is_the_tree_the_full_path_would_parse():
    from dapr_lint.python import gate

    compared = 0
    for path in SOURCES:
        data = path.read_bytes()
        closed, tree = gate.first_pass(data)
        if tree is None:
            continue
        assert closed is None, path  # only an opened file hands its tree on
        assert ast.dump(tree, include_attributes=True) == ast.dump(ast.parse(data), include_attributes=True), path
        assert (verify.compiled_tree(data, tree) is not None) == (verify.compiled_tree(data) is not None), path
        compared += 1
    assert compared >= 5  # most opened files open on their text (gate._SURELY_OPEN), before any parse
