"""Generate every rule page, docs/rules/DPRxxx.md, whole from its rule: nothing on a page is written by hand.

    python scripts/gen_rule_docs.py          # rewrite the stale pages
    python scripts/gen_rule_docs.py --check  # exit 1 and name the stale pages (tests/test_rule_pages.py does this)

From the rule's spec (its one home): the title (code and name); the header line under it (category, default, fix
safety); the written sections, in order (`RuleSpec.prose`: `page(("What it does", ...), ...)`); after "Why is this
bad?", the `## Example` section (the rule's invalid examples, in order) and the `## Use instead` section (its valid
examples). An example shows its words (`before=`, `after=`) around its block, and the other files of its repository
(a component, a `dapr.yaml`) folded in a `<details>` block right after it. A rule without prose has no page (the
contract test refuses it); a page whose rule does not exist is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dapr_lint import specs  # noqa: E402
from dapr_lint.registry import Example, RuleSpec  # noqa: E402

DOCS = ROOT / "docs" / "rules"


class PageError(Exception):
    pass


def header(rule: RuleSpec) -> str:
    default = "on" if rule.default_enabled else "off"
    note = f" {rule.fix_note}" if rule.fix_note else ""
    return f"Category: {rule.category} · Default: {default} · Fix: {rule.fix_label}{note}"


def _block(language: str, source: str) -> str:
    body = source if source.endswith("\n") else source + "\n"
    return f"```{language}\n{body}```\n"


def _language(name: str) -> str:
    return "yaml" if name.endswith((".yaml", ".yml")) else "python" if name.endswith(".py") else "text"


def fence(example: Example) -> str:
    """The example's block; the other files of its repository follow, folded (the page is about the first)."""
    shown = _block(example.language, example.source)
    if not example.files:
        return shown
    names = ", ".join(f"<code>{name}</code>" for name, _text in example.files)
    main = f" beside <code>{example.filename}</code>" if example.filename else ""
    parts = [shown, f"\n<details><summary>The repository{main}: {names}</summary>\n\n"]
    for name, text in example.files:
        parts.append(f"`{name}`:\n\n" + _block(_language(name), text) + "\n")
    parts.append("</details>\n")
    return "".join(parts)


def unit(example: Example) -> str:
    """The example on its page: its words before, its block (and folded files), its words after."""
    before = f"{example.before}\n\n" if example.before else ""
    after = f"\n{example.after}\n" if example.after else ""
    return before + fence(example) + after


def whole_page(rule: RuleSpec) -> str:
    """The page of a rule: every part of it generated from the spec."""
    if not rule.prose:
        raise PageError(f"{rule.code} has no prose: write its page's sections in its spec, prose=page(...)")
    parts = [f"# {rule.code}: {rule.name}\n\n{header(rule)}\n"]
    invalid = tuple(e for e in rule.examples if not e.valid)
    valid = tuple(e for e in rule.examples if e.valid)
    for title, text in rule.prose:
        parts.append(f"\n## {title}\n\n{text}\n")
        if title == "Why is this bad?":
            for example_title, examples in (("Example", invalid), ("Use instead", valid)):
                if examples:
                    parts.append(f"\n## {example_title}\n\n" + "\n".join(unit(e) for e in examples))
    return "".join(parts)


def stale_pages(rules: list[RuleSpec] | None = None) -> list[str]:
    """The codes whose page differs from what the rule generates (or cannot be generated), and the pages of no
    rule."""
    rules = rules if rules is not None else specs.all_rules()
    stale = []
    for rule in rules:
        path = DOCS / f"{rule.code}.md"
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        try:
            if whole_page(rule) != text:
                stale.append(rule.code)
        except PageError as exc:
            stale.append(f"{rule.code} ({exc})")
    codes = {rule.code for rule in rules}
    stale.extend(f"{path.stem} (no such rule)" for path in sorted(DOCS.glob("*.md")) if path.stem not in codes)
    return stale


def main(argv: list[str]) -> int:
    if "--check" in argv:
        stale = stale_pages()
        if stale:
            print("stale rule pages (run python scripts/gen_rule_docs.py):", ", ".join(stale))
            return 1
        return 0
    failed = 0
    for rule in specs.all_rules():
        path = DOCS / f"{rule.code}.md"
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        try:
            new = whole_page(rule)
        except PageError as exc:
            print(exc, file=sys.stderr)
            failed = 1
            continue
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    codes = {rule.code for rule in specs.all_rules()}
    for path in sorted(DOCS.glob("*.md")):
        if path.stem not in codes:
            print(f"{path.relative_to(ROOT)} is the page of no rule: remove it", file=sys.stderr)
            failed = 1
    return failed


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
