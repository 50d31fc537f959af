"""The shape of the code itself: no class in src/ grows past 400 lines (a class that large answers several
families of questions, and each family belongs in a class of its own: the model's facets, the summary's drafts,
the walk's layers), and no comment or docstring sends the reader to a document the repository does not hold."""

from __future__ import annotations

import ast
import contextlib
import io
import re
import sys

import pytest
from pathlib import Path

pytestmark = pytest.mark.slow  # the project's own code, read whole

SRC = Path(__file__).resolve().parents[1] / "src" / "dapr_lint"
LIMIT = 400


def class_sizes() -> list[tuple[int, str]]:
    """(lines, "path:Class") for every class in src/, nested ones included, from `class` to its last line."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                assert node.end_lineno is not None
                start = min([d.lineno for d in node.decorator_list] + [node.lineno])
                found.append((node.end_lineno - start + 1, f"{path.relative_to(SRC.parent)}:{node.name}"))
    return found


def test_the_measure_sees_every_module_class():
    sizes = dict((name, lines) for lines, name in class_sizes())
    assert sizes["dapr_lint/python/model/__init__.py:ModuleModel"] > 100
    assert any(name.startswith("dapr_lint/python/model/builder.py:") for name in sizes)


def test_no_class_over_400_lines():
    too_long = sorted((lines, name) for lines, name in class_sizes() if lines > LIMIT)
    assert not too_long, f"classes over {LIMIT} lines (split them by what their methods do): {too_long}"


def test_code_names_no_document_outside_the_repository():
    # the fact sheets and the rule catalog the project was written from are not in the repository
    outside = re.compile(r"\b(sdk-facts|yaml-facts|models-facts|sdk-versions|RULES\.md|ARCHITECTURE\.md)\b|catalog\.load\(")
    roots = [SRC, SRC.parents[1] / "scripts", SRC.parents[1] / "benchmarks"]
    found = [
        f"{path.relative_to(SRC.parents[1])}:{number}: {line.strip()}"
        for root in roots
        for path in sorted(root.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if outside.search(line)
    ]
    assert not found, found


# -- every Python the project declares (requires-python) ---------------------------------------------------------

_RE_FUNCTIONS = {"compile", "search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split"}


def regex_literals() -> list[tuple[str, str | bytes]]:
    """("path:line", pattern) for every literal pattern given to a `re` function in src/."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "re"
                and node.func.attr in _RE_FUNCTIONS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, (str, bytes))
            ):
                found.append((f"{path.relative_to(SRC.parent)}:{node.lineno}", node.args[0].value))
    return found


def _newer_syntax(pattern: str | bytes) -> list[str]:
    """The constructs of `pattern` Python 3.10's `re` refuses (possessive quantifiers and atomic groups, 3.11),
    read from the pattern's parse as this Python's `re` dumps it (without or with re.VERBOSE: whichever parses)."""
    parser = getattr(re, "_parser", None)
    if parser is None:
        return []  # a Python whose `re` has neither: compiling the module was the test
    for flags in (0, re.VERBOSE):
        dump = io.StringIO()
        try:
            with contextlib.redirect_stdout(dump):
                parser.parse(pattern, flags).dump()
        except re.error:
            continue
        return sorted({word for word in ("POSSESSIVE_REPEAT", "ATOMIC_GROUP") if word in dump.getvalue()})
    return ["unparsable"]


def test_every_regex_parses_on_the_oldest_python_the_project_supports():
    # pyproject says requires-python >= 3.10; a possessive quantifier (`*+`) made `import dapr_lint.catalog` fail
    # there with "multiple repeat" while every test here, on 3.11, passed
    literals = regex_literals()
    assert len(literals) > 50
    newer = [(where, found) for where, pattern in literals if (found := _newer_syntax(pattern))]
    assert not newer, f"regex syntax Python 3.10 does not have: {newer}"


@pytest.mark.skipif(sys.version_info < (3, 11), reason="a Python whose `re` has neither construct")
def test_the_newer_syntax_check_sees_possessive_quantifiers_and_atomic_groups():
    assert _newer_syntax(rb"'(?:[^'\\]++|\\.)*+'") == ["POSSESSIVE_REPEAT"]
    assert _newer_syntax(r"a|(?>bc)") == ["ATOMIC_GROUP"]
    assert _newer_syntax(r"(x(?:y|z*+))") == ["POSSESSIVE_REPEAT"]
    assert _newer_syntax(r"  a++  # spaced out") == ["POSSESSIVE_REPEAT"]
    assert not _newer_syntax(r"'(?:[^'\\]+|\\.)*'?(?=(?P<a>b*))(?P=a)\++")
