"""Go templates (`{{ ... }}`, Helm) in YAML text, found in one linear scan.

A lazy regular expression such as `\\{\\{-?.*?-?\\}\\}` is quadratic on text with many `{{` and no `}}` (each start
scans to the end of the file: 60 KB of `{{` took the whole per-file time budget). Here each `{{` is matched with
the first `}}` after it by `str.find`, and a `{{` with no `}}` after it ends the scan: linear in the text."""

from __future__ import annotations

from typing import Iterator


def template_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each `{{ ... }}`, in order, not overlapping; an unclosed `{{` is not one."""
    position = 0
    while True:
        start = text.find("{{", position)
        if start < 0:
            return
        end = text.find("}}", start + 2)
        if end < 0:
            return  # no `}}` after this `{{`: none after any later one either
        yield start, end + 2
        position = end + 2


def has_template(text: str) -> bool:
    """Whether the text holds a `{{ ... }}`."""
    return next(template_spans(text), None) is not None


def strip_templates(text: str) -> str:
    """The text with every `{{ ... }}` removed (what is left of a Helm template: its plain lines may still parse)."""
    parts = []
    position = 0
    for start, end in template_spans(text):
        parts.append(text[position:start])
        position = end
    if not parts:
        return text
    parts.append(text[position:])
    return "".join(parts)
