"""Rewrite the rule table in README.md from the registry (tests/test_readme.py fails until you do)."""

from __future__ import annotations

import re
from pathlib import Path

from dapr_lint.cli import rules_markdown

README = Path(__file__).resolve().parents[1] / "README.md"


def main() -> None:
    text = README.read_text(encoding="utf-8")
    updated, count = re.subn(
        r"(<!-- rules:start -->\n).*?(<!-- rules:end -->)",
        lambda m: m.group(1) + rules_markdown() + m.group(2),
        text,
        flags=re.S,
    )
    if count != 1:
        raise SystemExit("README.md: rule table markers not found")
    README.write_text(updated, encoding="utf-8")


if __name__ == "__main__":
    main()
