"""The two YAML composers (libyaml's and PyYAML's pure-Python one) give the same nodes and the same errors, and a
large templated file is composed by libyaml in a fraction of the pure-Python time."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from conftest import best_of
from dapr_lint.resources import analyze_yaml, loader
from dapr_lint.resources.loader import DEFAULT_LIMITS, LoadLimits, ResourceParseError, load_documents
from dapr_lint.resources.summary import resource_summary
from dapr_lint.resources.templates import strip_templates
from dapr_lint.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
needs_libyaml = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML built without libyaml")


def _shape(node, seen: dict[int, int]):
    """Everything a reader of a node sees: kind, tag, value, style, marks, and which nodes are one (aliases)."""
    if id(node) in seen:
        return ("alias", seen[id(node)])
    seen[id(node)] = len(seen)
    marks = (node.start_mark.line, node.start_mark.column, node.end_mark.line, node.end_mark.column)
    if isinstance(node, ScalarNode):
        return ("scalar", node.tag, node.value, node.style, marks)
    if isinstance(node, SequenceNode):
        return ("sequence", node.tag, node.flow_style, marks, [_shape(child, seen) for child in node.value])
    assert isinstance(node, MappingNode)
    pairs = [(_shape(key, seen), _shape(value, seen)) for key, value in node.value]
    return ("mapping", node.tag, node.flow_style, marks, pairs)


def _composed(compose, text: str, limits: LoadLimits = DEFAULT_LIMITS):
    try:
        seen: dict[int, int] = {}
        return [_shape(document, seen) for document in compose(text, limits)]
    except ResourceParseError as exc:
        return ("error", exc.message, exc.line, exc.column)


def _both(text: str, limits: LoadLimits = DEFAULT_LIMITS):
    return _composed(load_documents, text, limits), _composed(loader._compose_in_python, text, limits)


ODD_TEXTS = [
    "a: 1\r\nb: 2\r\n", "a: 1\rb: 2\r", "a: 1\x85b: 2\n", "a: 'x\u2028y'\nb: 1\n", "a: '😀\n  x'\n",
    # a tab inside a plain scalar (libyaml takes it, PyYAML does not), a byte-order mark inside the text
    "a: é😀\tb\n", "a:\n\tb: 1\n", "a: \ufeffb\nc: 1\n",
    # a comment right after a block scalar's header: libyaml takes it, PyYAML does not
    "a: >#c\n  x\n", "a: |-#\n  x\n", "a: |2#\n   x\n", ">#x", "a: > #c\n  x\n",
    # no line break at the end: libyaml ends on an extra line
    "a: |\n  x\n  y", "a: >\n  x", "---", "a:", "- ", "a: [1,\n 2]", 'a: "x\n\n  y"', "k: v # c",
    "%YAML 1.1\n---\na: 1\n", "%YAML 1.2\n---\na: 1\n", "a: [a:b, http://x, {c:d}]\n", "{a:b}\n", "[a: b]\n",
    "? [a]\n: b\n", "&a a: *a\n", "a: &x [1]\nb: *x\nc: *y\n", "a: &x 1\nb: &x 2\n", "a: &r [*r]\n",
    'a: "\\x41\\u263A\\U0001F600\\/"\n', 'a: "\\q"\n', "a: -foo\nb: :x\nc: ?y\n", "--- a\n--- |\n  b\n...\n",
    "a: !!binary aGk=\nb: !custom x\nc: ! y\n", "- - a\n  - b\n- c\n", "key:    value   # c\n  more\n",
    "a: b\n c\n", "a:\n- 1\n- 2\nb: 3\n", "- a:\n  - x\n", "? a\n: - x\n", "a: 'it''s'\n", "a: @x\n", "a: `x\n",
    "%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n", "a: 1\n  b: 2\n", "x" * 1100 + ": 1\n", "a: |2\n   x\n",
    "a: |-\n  x\n\n", "a: >+\n  x\n\n\n", "'a\n\n b': 1\n", "a: b: c\n", "---\n---\n", "", "# only\n", "...\n",
    "a: 1\n...\n---\nb\n", "a: [\n]\n", "a: [1,,2]\n", "- !!str\n- &a\n- *a\n", "<<: {a: 1}\nb: 2\n",
    "'<<': {a: 1}\n", "a: 1\na: 2\n", "[a, b]: c\n", "a: *\n", "a: &\n", "a: 1\u2029", "[" * 70 + "]" * 70,
    "[" * 2000 + "]" * 2000, "a: b\x00\n", "a: b\x07\n",
    # a `?` inside a flow collection: a key indicator to PyYAML, part of a plain scalar to libyaml
    "a: {b |?  c}\n", "a: [b ?c]\n", "a: {b?  c}\n", "a: {b, ? c}\n", "a: [b, ? c]\n", "a: {b ?}\n",
    # the non-specific tag on an empty value: null in pure Python, a string in libyaml
    "version: 1\ncommon:\n ! ", "a: !\n", "a: !<!>", "- !", "a: !!str\n", "a: ! 1\n", "a: !local\n",
]


@needs_libyaml
@pytest.mark.parametrize("text", ODD_TEXTS, ids=range(len(ODD_TEXTS)))
def test_libyaml_and_pure_python_compose_the_same_nodes(text):
    with_libyaml, pure_python = _both(text)
    assert with_libyaml == pure_python


@needs_libyaml
def test_every_yaml_file_of_the_repository_composes_the_same():
    paths = sorted(p for folder in ("tests", "examples", "docs") for p in (ROOT / folder).rglob("*.y*ml"))
    assert len(paths) > 30
    for path in paths:
        text = path.read_text(encoding="utf-8-sig")
        for variant in {text, strip_templates(text)}:
            with_libyaml, pure_python = _both(variant)
            assert with_libyaml == pure_python, path


@needs_libyaml
@pytest.mark.parametrize(
    "text, limits",
    [
        ("a: &a [1, 2, 3]\nb: [*a, *a, *a, *a]\n", LoadLimits(max_expanded_nodes=15)),  # an alias bomb, in small
        ("a: [[[[x]]]]\n", LoadLimits(max_depth=4)),
        ("a: &a [[x]]\nb: [[*a]]\n", LoadLimits(max_depth=4)),  # deep only through the alias
        ("a: 1\n---\nb: 2\n---\nc: 3\n", LoadLimits(max_documents=2)),
    ],
)
def test_a_limit_libyaml_crosses_is_the_pure_python_composers_error(text, limits):
    with_libyaml, pure_python = _both(text, limits)
    assert with_libyaml == pure_python and with_libyaml[0] == "error"


@pytest.mark.slow
@needs_libyaml
def test_a_large_templated_file_composes_at_libyaml_speed():
    # a Helm chart's values rendered into 8,000 lines: its checks and its summary read the template-stripped text
    head = "apiVersion: dapr.io/v2alpha1\nkind: Subscription\nmetadata:\n  name: s\nspec:\n  topic: t\n"
    data = (head + "".join(f"  k{i}: {{{{- .Values.x{i} }}}}\n" for i in range(7994))).encode()
    stripped = strip_templates(data.decode())
    settings = Settings(enabled=frozenset({"DPR001", "DPR501", "DPR502"}))

    def lint():
        analyze_yaml("big.yaml", data, settings)
        resource_summary("/charts/big.yaml", data)

    # alternately, so that a busy machine slows both alike; the shortest of each. The reference is PyYAML's
    # pure-Python composer on the same text: the whole lint (its checks, the load, the weighing, the summary) takes a
    # fraction of it with libyaml (0.15-0.35), all of it and more without
    pure_python = lint_time = float("inf")
    for _ in range(5):
        pure_python = min(pure_python, best_of(1, lambda: loader._compose_in_python(stripped, DEFAULT_LIMITS)))
        lint_time = min(lint_time, best_of(1, lint))
    assert lint_time / pure_python < 0.6, lint_time / pure_python
