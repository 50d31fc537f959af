"""Rewrite the rule tables of README.md and docs/index.md from the registry (tests/test_readme.py fails
until you do)."""

from __future__ import annotations

import re
from pathlib import Path

from dapr_lint.cli import rules_markdown

ROOT = Path(__file__).resolve().parents[1]
TABLES = {ROOT / "README.md": "docs/rules/", ROOT / "docs" / "index.md": "rules/"}


def main() -> None:
    for path, link_prefix in TABLES.items():
        text = path.read_text(encoding="utf-8")
        updated, count = re.subn(
            r"(<!-- rules:start -->\n).*?(<!-- rules:end -->)",
            lambda m, prefix=link_prefix: m.group(1) + rules_markdown(prefix) + m.group(2),
            text,
            flags=re.S,
        )
        if count != 1:
            raise SystemExit(f"{path}: rule table markers not found")
        path.write_text(updated, encoding="utf-8")


if __name__ == "__main__":
    main()
