"""The README's promises: its rule table matches the registry, its test command is what CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dapr_lint.cli import rules_markdown

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("page, link_prefix", [("README.md", "docs/rules/"), ("docs/index.md", "rules/")])
def test_rule_tables_are_generated_from_the_registry(page, link_prefix):
    text = (ROOT / page).read_text(encoding="utf-8")
    table = re.search(r"<!-- rules:start -->\n(.*?)<!-- rules:end -->", text, re.S)
    assert table, f"{page} lost its rule table markers"
    assert table.group(1).strip() == rules_markdown(link_prefix).strip(), "regenerate: python scripts/update_readme_rules.py"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    assert len(blocks) >= 2
    install_and_run, test_command = blocks[0], blocks[1]
    assert "dapr-lint examples/" in install_and_run
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme_tail = test_command.split("&& ", 2)[-1]  # after creating and activating the venv
    assert readme_tail in ci, f"CI must run the README's command: {readme_tail}"


def test_config_reference_covers_every_key():
    from dapr_lint.config import _KNOWN_KEYS

    text = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    missing = [key for key in sorted(_KNOWN_KEYS) if f"`{key}`" not in text]
    assert not missing, f"docs/config.md does not document: {missing}"


def test_docs_index_links_every_rule_page():
    from dapr_lint import registry

    text = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    missing = [code for code in registry.codes() if f"rules/{code}.md" not in text]
    assert not missing, f"docs/index.md does not link: {missing}"
