"""The README's promises: its rule table matches the registry, its test command is what CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dapr_lint import registry

pytestmark = pytest.mark.slow  # `pytest -m "not slow"` leaves it out of the fast loop

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("page", ["README.md", "docs/index.md"])
def test_the_family_table_covers_every_rule(page):
    """The pages list the code families, not the rules (a rule's page is its one home): every code belongs to a
    family the table names."""
    text = (ROOT / page).read_text(encoding="utf-8")
    table = re.search(r"\| codes \| family \|\n(.*?)\n\n", text, re.S)
    assert table, f"{page} lost its family table"
    families = set(re.findall(r"DPR\d(?:\d\d|xx)", table.group(1)))
    unlisted = [c for c in registry.codes() if c not in families and f"{c[:4]}xx" not in families]
    assert not unlisted, f"{page}: codes of no listed family: {unlisted}"


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


def test_every_rule_has_a_page():
    missing = [code for code in registry.codes() if not (ROOT / "docs" / "rules" / f"{code}.md").is_file()]
    assert not missing, f"rules without a page under docs/rules/: {missing}"
