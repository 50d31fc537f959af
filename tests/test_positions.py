"""Positions placed from each statement's first line (python/positions.py) are the ones generating the whole
module's code gives: for the nodes the rules and the summary report on every fixture and example, for every
node of every kind there, and for the shapes where a statement's first line is easy to get wrong."""

from __future__ import annotations

import ast
import collections
from pathlib import Path

import libcst as cst
import pytest

from dapr_lint import specs
from dapr_lint.engine import python_stage
from dapr_lint.engine.python_stage import analyze_python
from dapr_lint.python import gate, positions
from dapr_lint.python.walk import preorder
from dapr_lint.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*(ROOT / "tests" / "fixtures").rglob("*.py"), *(ROOT / "examples").rglob("*.py")])


def _generated(module: cst.Module, nodes) -> dict:
    return positions._generated(module, {id(node) for node in nodes})


def _anchored(module: cst.Module, nodes, source: str, hints=None):
    """The statement-anchored placement alone (None: it fell back)."""
    return positions._Anchored(module, {id(node) for node in nodes}, source, None, hints or {}).run()


@pytest.mark.slow
def test_reported_nodes_are_placed_as_generated_code_places_them(monkeypatch):
    """Every position pass of the Python stage (findings, related nodes, expected-failure regions, summary
    items), on every fixture and example, every rule on and every file modelled."""
    monkeypatch.setenv(gate.ENVIRONMENT, "0")
    settings = Settings(frozenset(rule.code for rule in specs.all_rules()), summaries=True)
    calls: list[tuple[str, bool]] = []
    kinds: collections.Counter = collections.Counter()
    real = python_stage.positions

    def compared(module, nodes, source=None, tree=None, statements=None):
        nodes = list(nodes)
        assert source is not None, "the Python stage gives positions the text it parsed"
        expected = _generated(module, nodes)
        anchored = positions._Anchored(module, {id(node) for node in nodes}, source, tree, statements or {}).run()
        assert anchored is None or anchored == expected, path
        kinds.update(type(node).__name__ for node in nodes)
        calls.append((str(path), anchored is not None))
        spans = real(module, nodes, source, tree, statements)
        assert spans == expected, path
        return spans

    monkeypatch.setattr(python_stage, "positions", compared)
    for path in SOURCES:
        analyze_python(str(path), path.read_bytes(), settings)
    assert len(calls) > 100
    fallbacks = [name for name, anchored in calls if not anchored]
    assert len(fallbacks) <= len(calls) // 20, fallbacks  # the anchored way is the one being compared
    for kind in ("Call", "Name", "FunctionDef", "IndentedBlock", "Decorator", "SimpleString", "Attribute"):
        assert kinds[kind], f"no {kind} reported: the comparison misses a kind the summary or the rules report"


@pytest.mark.slow
@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_node_of_every_kind_is_placed_as_generated_code_places_it(path):
    data = path.read_bytes()
    module = cst.parse_module(data)
    source = data.decode("utf-8-sig")
    by_kind: dict[type, list[cst.CSTNode]] = collections.defaultdict(list)
    for node in preorder(module):
        by_kind[type(node)].append(node)
    by_kind.pop(cst.Module)
    # each node's span is its own: placing them all at once gives each the span it has alone
    everything = _generated(module, [node for nodes in by_kind.values() for node in nodes])
    for kind, nodes in by_kind.items():
        assert _anchored(module, nodes, source) == {id(node): everything[id(node)] for node in nodes}, kind.__name__
        # the last of its kind alone: the generation stops early
        assert _anchored(module, nodes[-1:], source) == {id(nodes[-1]): everything[id(nodes[-1])]}, kind.__name__


SHAPES = {
    "decorated": (
        "import functools\n\n\n# a comment before\n\n@functools.cache  # trailing\n# between\n@functools.wraps(\n"
        "    print,\n)\n\ndef f(a, b=(1,\n        2)):\n    '''doc\n    string'''\n    return a  # done\n"
        "    # a comment kept by the block\n\n# after\nx = 1\n"
    ),
    "classes": (
        "class A:\n    x = 1\n\n    class B(object):\n        def g(self):\n            pass\n        # footer\n"
        "\n    @property\n    def h(self): return 1\n\n\nclass C: pass\n"
    ),
    "branches": (
        "if a:\n    b()\nelif c:\n    d()\n    # end of elif\nelse:\n    e()\n"
        "for i in x:\n    continue\nelse:\n    f()\n"
        "while y:\n    break\nelse: g()\n"
        "try:\n    h()\nexcept (A, B) as err:\n    i()\nexcept C:\n    pass\nelse:\n    j()\nfinally:\n    k()\n"
        "with m() as n, o():\n    p()\n"
        "async def q():\n    async with r() as s:\n        await s.t()\n    async for u in v():\n        w(u)\n"
    ),
    "one_line": "a = 1; b = 2; c(3)\nif a: b(); c()\nclass D: x = 1; y = 2\ndef e(): return f(\n    1)\n",
    "continuations": "x = 1 + \\\n    2\ny = (3,\n     4)\nz = '''a\nb'''\nif x and \\\n        y:\n    z()\n",
    "no_trailing_newline": "def f():\n    return g()",
    "crlf": "def f():\r\n    return g()\r\n\r\nx = [\r\n    1,\r\n]\r\n",
    "unicode": "s = 'caf\u00e9 \u2603'; t = len(s)\n\u00e9t\u00e9 = {'\u00e0': s}\ndef \u00fc(): return \u00e9t\u00e9\n",
    "match": "match x:\n    case 1:\n        y()\n    case _:\n        z()\nw()\n",
    "empty_lines_in_blocks": "def f():\n\n    # lead\n\n    a()\n\n\n    b()\n\n    # tail\n\n\nc()\n",
    "nested_deep": "".join("    " * i + f"if x{i}:\n" for i in range(20)) + "    " * 20 + "y()\n" + "z()\n",
    "tabs": "def f():\n\tif a:\n\t\treturn b()\n\treturn c()\n",
    "semicolon_and_comment_only": "# only a comment\n\n\nx = 1;  # semicolon\n",
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_shapes_where_a_first_line_is_easy_to_get_wrong(name):
    source = SHAPES[name]
    module = cst.parse_module(source)
    nodes = list(preorder(module))[1:]
    assert _anchored(module, nodes, source) == _generated(module, nodes)
    for node in nodes:
        placed = _anchored(module, [node], source)
        assert placed == _generated(module, [node]), (type(node).__name__, module.code_for_node(node)[:40])
        assert positions.positions(module, [node], source) == placed


def test_the_anchored_way_is_taken_where_it_applies():
    """Not a fallback in disguise: a finding deep in a long module is placed without generating the module."""
    source = "".join(f"def f{i}():\n    return {i}\n\n" for i in range(200)) + "def g():\n    h()\n"
    module = cst.parse_module(source)
    statement = module.body[-1].body.body[0]
    call = statement.body[0].value
    generated: list[cst.CSTNode] = []
    original = cst.SimpleStatementLine._codegen_impl

    def counting(self, state):
        generated.append(self)
        return original(self, state)

    cst.SimpleStatementLine._codegen_impl = counting
    try:
        assert positions.positions(module, [call], source) == {id(call): (201 * 3 - 1, 5, 201 * 3 - 1, 8)}
    finally:
        cst.SimpleStatementLine._codegen_impl = original
    assert generated == [statement]


def test_text_that_is_not_the_module_falls_back_to_generated_code():
    module = cst.parse_module("def f():\n    return g()\n")
    call = module.body[0].body.body[0].body[0].value
    expected = _generated(module, [call])
    for source in ("def f():\n    return h()\n", "def f():\r    return g()\r", "def f(:\n"):
        assert _anchored(module, [call], source) is None
        assert positions.positions(module, [call], source) == expected
    # a node of another module is absent, as the generated code would have it
    other = cst.parse_module("x = 1\n").body[0]
    assert positions.positions(module, [call, other], module.code) == _generated(module, [call, other])


def test_a_wrong_hint_falls_back():
    module = cst.parse_module("a()\nb()\n")
    first, second = (statement.body[0].value for statement in module.body)
    hints = {id(second): module.body[0]}
    assert _anchored(module, [second], module.code, hints) is None
    assert positions.positions(module, [second], module.code, statements=hints) == {id(second): (2, 1, 2, 4)}
    assert positions.positions(module, [first], module.code, statements={id(first): module.body[0]}) == {
        id(first): (1, 1, 1, 4)
    }


def test_a_given_tree_is_used():
    source = "x = 1\ny = f()\n"
    module = cst.parse_module(source)
    call = module.body[1].body[0].value
    assert positions.positions(module, [call], source, tree=ast.parse(source)) == {id(call): (2, 5, 2, 8)}
    # a tree of other code: the anchors disagree with the text, and the generated code decides
    assert positions.positions(module, [call], source, tree=ast.parse("\n\nx = 1\ny = f()\n")) == {id(call): (2, 5, 2, 8)}
