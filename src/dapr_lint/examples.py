"""A rule's examples: the code its page shows under Example (invalid) and Use instead (valid).

A leaf module (it imports nothing of dapr_lint), so that any module defining rules can hold its examples
without joining an import circle; `dapr_lint.registry` re-exports it."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Literal, Mapping, Optional


@dataclass(frozen=True)
class Example:
    """A piece of code a rule's page shows: `valid=False` must produce the rule (and only it), `valid=True`
    nothing. scripts/gen_rule_docs.py writes them into the page; tests/test_rule_pages.py lints them.

    `files` are other files of the example's repository (path relative to its root, text), such as the
    component a call names or the `dapr.yaml` that runs an app: the page shows them after the main file, and
    the example is linted as that small repository (the project stage runs)."""

    source: str
    valid: bool = False
    language: Literal["python", "yaml", "toml", "text"] = "python"
    # the file name it is linted as (a run template must be `dapr.yaml`)
    filename: Optional[str] = None
    files: tuple[tuple[str, str], ...] = ()
    # An invalid example's text after `dapr-lint check --fix --unsafe-fixes` with only its rule on: the fix
    # tests are generated from it (tests/test_example_fixes.py).
    fixed: Optional[str] = None
    # The page's words about this example (markdown): `before` introduces its block, `after` follows it.
    before: str = ""
    after: str = ""


def invalid(
    source: str,
    language: Literal["python", "yaml", "toml", "text"] = "python",
    filename: Optional[str] = None,
    files: Optional[Mapping[str, str]] = None,
    fixed: Optional[str] = None,
    before: str = "",
    after: str = "",
) -> Example:
    fixed = None if fixed is None else _dedent(fixed)
    return Example(_dedent(source), False, language, filename, _files(files), fixed, _words(before), _words(after))


def valid(
    source: str,
    language: Literal["python", "yaml", "toml", "text"] = "python",
    filename: Optional[str] = None,
    files: Optional[Mapping[str, str]] = None,
    before: str = "",
    after: str = "",
) -> Example:
    return Example(_dedent(source), True, language, filename, _files(files), None, _words(before), _words(after))


def page(*sections: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    """A rule page's written sections, (title, markdown), each dedented like an example's source."""
    return tuple((title, _words(text)) for title, text in sections)


def _words(text: str) -> str:
    """Markdown written in a triple-quoted string, dedented, without its first and last line breaks."""
    return textwrap.dedent(text).strip("\n")


def _files(files: Optional[Mapping[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((name, _dedent(text)) for name, text in (files or {}).items())


def _dedent(source: str) -> str:
    return textwrap.dedent(source).strip("\n") + "\n"
