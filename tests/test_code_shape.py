"""The shape of the code itself: no class in src/ grows past 400 lines (a class that large answers several
families of questions, and each family belongs in a class of its own: the model's facets, the summary's drafts,
the walk's layers), and no comment or docstring sends the reader to a document the repository does not hold."""

from __future__ import annotations

import ast
import re
from pathlib import Path

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
