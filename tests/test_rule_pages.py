"""Every rule page is generated whole from its rule (scripts/gen_rule_docs.py), and every example does what its
page says: an invalid one produces its rule (nothing else, and it parses), a valid one nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import lint, load_script, long_messages, write
from dapr_lint import registry
from dapr_lint.cli import main

gen_rule_docs = load_script("scripts/gen_rule_docs.py")

EXAMPLES = [(rule, index, example) for rule in registry.all_rules() for index, example in enumerate(rule.examples)]


def test_every_page_is_generated_from_its_rule():
    stale = gen_rule_docs.stale_pages()
    assert not stale, f"stale rule pages: {stale}; run python scripts/gen_rule_docs.py"


def test_every_rule_has_an_invalid_and_a_valid_example():
    missing = {
        rule.code
        for rule in registry.all_rules()
        if not any(not e.valid for e in rule.examples) or not any(e.valid for e in rule.examples)
    }
    assert not missing, f"rules without an invalid and a valid example: {sorted(missing)}"


@pytest.mark.parametrize(
    "rule, index, example",
    EXAMPLES,
    ids=[f"{r.code}-{'valid' if e.valid else 'invalid'}-{i}" for r, i, e in EXAMPLES],
)
def test_example_does_what_its_page_says(rule, index, example, tmp_path, monkeypatch, capsys):
    name = example.filename or ("example.py" if example.language == "python" else "resource.yaml")
    if example.files or rule.target == "project":
        findings = _lint_repository(tmp_path, name, example, rule.code, monkeypatch, capsys)
    else:
        path = write(tmp_path, name, example.source)
        result = lint(path, frozenset({rule.code, "DPR001"}))
        assert not result.errors, [f"{e.where}: {e.message}" for e in result.errors]
        findings = result.diagnostics
    produced = sorted({f["code"] if isinstance(f, dict) else f.code for f in findings})
    assert not long_messages(findings), long_messages(findings)
    if example.valid:
        assert produced == [], f"the valid example {index} of {rule.code} produces {produced}"
    else:
        assert produced == [rule.code], f"the invalid example {index} of {rule.code} produces {produced}"


def _lint_repository(root: Path, name: str, example, code: str, monkeypatch, capsys) -> list[dict]:
    """The findings (JSON) `dapr-lint check .` reports (only the rule and DPR001 selected) in a repository made of the
    example's files; its own pyproject.toml makes the folder the repository's root."""
    write(root, "pyproject.toml", "[tool.dapr-lint]\n")
    write(root, name, example.source)
    for other, text in example.files:
        write(root, other, text)
    monkeypatch.chdir(root)
    status = main(["check", ".", "--select", f"{code},DPR001", "--format", "json", "--jobs", "1", "--no-cache"])
    out, err = capsys.readouterr()
    assert not err, err
    assert status in (0, 1), (status, out)
    return json.loads(out)


def test_a_page_is_generated_whole_from_its_rule():
    # the written sections in order, Example and Use instead after "Why is this bad?", an example's words around
    # its block and its repository's other files folded after it
    rule = registry.RuleSpec(
        code="DPR999",
        name="demo",
        category="practice",
        summary="",
        target="project",
        prose=registry.page(("What it does", "Flags."), ("Why is this bad?", "It fails."), ("Fix safety", "None.")),
        examples=(
            registry.invalid("call()\n", filename="app.py", files={"components/store.yaml": "kind: Component\n"}),
            registry.valid("x = 1\n", before="First:"),
            registry.valid(
                """
                y = 2
                """,
                before="""
                Or, on two
                lines:
                """,
                after="Kept.",
            ),
        ),
    )
    assert gen_rule_docs.whole_page(rule) == (
        "# DPR999: demo\n\nCategory: practice · Default: on · Fix: none\n\n## What it does\n\nFlags.\n\n"
        "## Why is this bad?\n\nIt fails.\n\n## Example\n\n```python\ncall()\n```\n\n"
        "<details><summary>The repository beside <code>app.py</code>: <code>components/store.yaml</code></summary>\n\n"
        "`components/store.yaml`:\n\n```yaml\nkind: Component\n```\n\n</details>\n\n"
        "## Use instead\n\nFirst:\n\n```python\nx = 1\n```\n\nOr, on two\nlines:\n\n```python\ny = 2\n```\n\nKept.\n\n"
        "## Fix safety\n\nNone.\n"
    )


def test_a_page_without_prose_or_without_a_rule_is_stale(tmp_path, monkeypatch):
    written = registry.RuleSpec("DPR998", "written", "bug", "", "python", prose=registry.page(("What it does", "Flags.")))
    bare = registry.RuleSpec("DPR999", "bare", "bug", "", "python")
    monkeypatch.setattr(gen_rule_docs, "DOCS", tmp_path)
    (tmp_path / "DPR998.md").write_text(gen_rule_docs.whole_page(written), encoding="utf-8")
    assert gen_rule_docs.stale_pages([written]) == []
    (tmp_path / "DPR997.md").write_text("# DPR997: gone\n", encoding="utf-8")
    stale = gen_rule_docs.stale_pages([written, bare])
    assert stale[0].startswith("DPR999 (DPR999 has no prose") and stale[1:] == ["DPR997 (no such rule)"]
    (tmp_path / "DPR998.md").write_text(gen_rule_docs.whole_page(written) + "A line by hand.\n", encoding="utf-8")
    assert gen_rule_docs.stale_pages([written])[0] == "DPR998"
