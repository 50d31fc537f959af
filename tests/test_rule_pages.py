"""Every rule page's header and code examples come from the rule (scripts/gen_rule_docs.py), and every example
does what its page says: an invalid one produces its rule (nothing else, and it parses), a valid one nothing."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from conftest import lint, long_messages, write
from dapr_lint import registry
from dapr_lint.cli import main

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("gen_rule_docs", ROOT / "scripts" / "gen_rule_docs.py")
assert _spec is not None and _spec.loader is not None
gen_rule_docs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen_rule_docs)

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


def test_an_example_with_files_is_one_unit_on_its_page():
    example = registry.invalid("call()\n", filename="app.py", files={"components/store.yaml": "kind: Component\n"})
    rule = registry.RuleSpec(code="DPR999", name="demo", category="bug", summary="", target="project", examples=(example,))
    page = "# DPR999: demo\n\n## Example\n\n```python\nold\n```\n\n## Fix safety\n\nNone.\n"
    out = gen_rule_docs.render(rule, page)
    assert out == (
        "# DPR999: demo\n\nCategory: bug · Default: on · Fix: none\n\n## Example\n\n```python\ncall()\n```\n\n"
        "<details><summary>The repository beside <code>app.py</code>: <code>components/store.yaml</code></summary>\n\n"
        "`components/store.yaml`:\n\n```yaml\nkind: Component\n```\n\n</details>\n\n## Fix safety\n\nNone.\n"
    )
    assert gen_rule_docs.render(rule, out) == out


def test_the_generator_keeps_prose_and_replaces_only_blocks():
    rule = registry.RuleSpec(
        code="DPR999",
        name="demo",
        category="practice",
        summary="",
        target="python",
        examples=(registry.invalid("x = 1\n"), registry.valid("y = 2\n"), registry.valid("z = 3\n")),
    )
    page = (
        "# DPR999: demo\n\nCategory: bug · Default: off · Fix: none\n\n## What it does\n\nProse.\n\n"
        "## Example\n\n```python\nold\n```\n\n## Use instead\n\nFirst:\n\n```python\nold\n```\n\nKept.\n\n"
        "## Fix safety\n\nNone.\n"
    )
    out = gen_rule_docs.render(rule, page)
    assert out == (
        "# DPR999: demo\n\nCategory: practice · Default: on · Fix: none\n\n## What it does\n\nProse.\n\n"
        "## Example\n\n```python\nx = 1\n```\n\n## Use instead\n\nFirst:\n\n```python\ny = 2\n```\n\nKept.\n\n"
        "```python\nz = 3\n```\n\n## Fix safety\n\nNone.\n"
    )
    assert gen_rule_docs.render(rule, out) == out
    with pytest.raises(gen_rule_docs.PageError):
        gen_rule_docs.render(rule, page.replace("## Example\n\n```python\nold\n```\n", "## Example\n\n```python\na\n```\n\n```python\nb\n```\n"))


def test_a_yaml_rule_s_whole_page_comes_from_its_spec():
    # the written sections live in the spec (RuleSpec.prose) beside the examples: nothing on the page is by hand
    for rule in registry.all_rules():
        if rule.target != "yaml":
            continue
        assert [title for title, _ in rule.prose][:2] == ["What it does", "Why is this bad?"], rule.code
        page = ROOT / "docs" / "rules" / f"{rule.code}.md"
        assert page.read_text(encoding="utf-8") == gen_rule_docs.whole_page(rule), rule.code
