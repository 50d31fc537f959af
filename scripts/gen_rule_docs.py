"""Generate the parts of docs/rules/DPRxxx.md that the rule itself knows.

    python scripts/gen_rule_docs.py          # rewrite the stale pages
    python scripts/gen_rule_docs.py --check  # exit 1 and name the stale pages (tests/test_rule_pages.py does this)

A rule whose spec holds its page's prose (`RuleSpec.prose`, the DPR5xx rules) has its whole page generated. For
the others, from the rule's spec (its one home): the header line under the title (category, default, fix safety) and the
code blocks of the `## Example` section (the rule's invalid examples, in order) and of the `## Use instead`
section (its valid examples). An example with other files (a component, a `dapr.yaml`) shows them folded in a
`<details>` block right after its own block; the two are one generated unit. Everything else on the page is prose written by hand and kept as it is,
including the text between two generated blocks. A page without one of those sections gets it, after
`## Why is this bad?`. A page whose section has more code blocks than the rule has examples is an error: the
rule is the source, so add the example to the rule.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dapr_lint import specs  # noqa: E402
from dapr_lint.registry import Example, RuleSpec  # noqa: E402

DOCS = ROOT / "docs" / "rules"
# One example on the page: its fenced block, and the other files of its repository folded below it.
_FENCE = re.compile(r"^```[\w-]*\n.*?^```\n(?:\n<details>.*?^</details>\n)?", re.M | re.S)
_SECTION = re.compile(r"^## (?P<title>[^\n]+)\n", re.M)


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
    """The example on a whole page: its words before, its block (and folded files), its words after."""
    before = f"{example.before}\n\n" if example.before else ""
    after = f"\n{example.after}\n" if example.after else ""
    return before + fence(example) + after


def _replace_blocks(section: str, examples: tuple[Example, ...], where: str) -> str:
    blocks = list(_FENCE.finditer(section))
    if len(blocks) > len(examples):
        raise PageError(f"{where} has {len(blocks)} code blocks and the rule {len(examples)} examples")
    out, last = [], 0
    for block, example in zip(blocks, examples):
        out.append(section[last : block.start()])
        out.append(fence(example))
        last = block.end()
    rest = section[last:]
    extra = examples[len(blocks) :]
    if extra:  # examples the page does not show yet go after the section's text
        kept = rest.rstrip("\n")
        rest = (kept + "\n\n" if kept else "\n") + "\n".join(fence(e) for e in extra) + "\n"
    out.append(rest)
    return "".join(out)


def whole_page(rule: RuleSpec) -> str:
    """The page of a rule whose spec holds its prose (`RuleSpec.prose`): every part of it generated."""
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


def render(rule: RuleSpec, text: str) -> str:
    """The page with its generated parts brought up to date (text is the page as it is, or ""); the whole page
    when the rule's spec holds its prose."""
    if rule.prose:
        return whole_page(rule)
    title = f"# {rule.code}: {rule.name}\n"
    lines = text.splitlines(keepends=True)
    if not lines or not lines[0].startswith(f"# {rule.code}"):
        raise PageError(f"{rule.code}: the page must start with {title.strip()!r}")
    body = "".join(lines[1:])
    stripped = body.lstrip("\n")
    if stripped.startswith("Category:"):
        stripped = stripped.split("\n", 1)[1] if "\n" in stripped else ""
    body = f"\n{header(rule)}\n\n" + stripped.lstrip("\n")
    invalid = tuple(e for e in rule.examples if not e.valid)
    valid = tuple(e for e in rule.examples if e.valid)
    for section_title, examples in (("Example", invalid), ("Use instead", valid)):
        if not examples:
            continue
        sections = list(_SECTION.finditer(body))
        found = [m for m in sections if m.group("title").strip() == section_title]
        if not found:
            after = [m for m in sections if m.group("title").strip() in ("Why is this bad?", "Example", "What it does")]
            anchor = after[-1] if after else None
            following = [m for m in sections if anchor is not None and m.start() > anchor.start()]
            position = following[0].start() if following else len(body)
            body = body[:position].rstrip("\n") + f"\n\n## {section_title}\n\n" + body[position:].lstrip("\n")
            sections = list(_SECTION.finditer(body))
            found = [m for m in sections if m.group("title").strip() == section_title]
        start = found[0].end()
        later = [m.start() for m in sections if m.start() > found[0].start()]
        end = later[0] if later else len(body)
        section = _replace_blocks(body[start:end], examples, f"{rule.code} `## {section_title}`")
        body = body[:start] + section + body[end:]
    return title + body


def stale_pages(rules: list[RuleSpec] | None = None) -> list[str]:
    """The codes whose page differs from what the rule generates (or cannot be generated)."""
    stale = []
    for rule in rules if rules is not None else specs.all_rules():
        path = DOCS / f"{rule.code}.md"
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        try:
            if render(rule, text) != text:
                stale.append(rule.code)
        except PageError as exc:
            stale.append(f"{rule.code} ({exc})")
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
        text = path.read_text(encoding="utf-8") if path.exists() else f"# {rule.code}: {rule.name}\n"
        try:
            new = render(rule, text)
        except PageError as exc:
            print(exc, file=sys.stderr)
            failed = 1
            continue
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    return failed


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
