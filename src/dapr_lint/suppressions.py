"""`# noqa` and `# dapr-lint: skip-file`, read from the text of a file (Python or YAML alike).

flake8's convention: a bare `# noqa` silences every finding on its line; `# noqa: DPR101,DPR102` only
those codes (a prefix such as `DPR1` also works). Codes of other tools in the list do not silence ours.
"""

from __future__ import annotations

import re
from typing import Optional

_NOQA = re.compile(
    r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?",
    re.IGNORECASE,
)
_SKIP_FILE = re.compile(r"#\s*dapr-lint:\s*skip-file\b", re.IGNORECASE)
SKIP_FILE_LINES = 20

# A line's suppression: None when it has no noqa, ALL for a bare noqa, else the codes/prefixes.
ALL = frozenset({"*"})


def noqa_map(text: str) -> dict[int, frozenset[str]]:
    """1-based line number -> suppressed codes, for every line carrying a noqa comment."""
    result: dict[int, frozenset[str]] = {}
    if "noqa" not in text and "NOQA" not in text and "NoQA" not in text:
        return result
    for number, line in enumerate(text.splitlines(), start=1):
        if "#" not in line:
            continue
        match = _NOQA.search(line)
        if match is None:
            continue
        codes = match.group("codes")
        if codes is None:
            result[number] = ALL
        else:
            result[number] = frozenset(c.upper() for c in re.split(r"[,\s]+", codes.strip()) if c)
    return result


def is_suppressed(code: str, line: int, noqa: dict[int, frozenset[str]]) -> bool:
    codes: Optional[frozenset[str]] = noqa.get(line)
    if codes is None:
        return False
    if codes is ALL:
        return True
    return any(code.startswith(entry) for entry in codes)


def skips_file(text: str) -> bool:
    """True when `# dapr-lint: skip-file` stands in the file's first SKIP_FILE_LINES lines."""
    if "skip-file" not in text:
        return False
    head = text.split("\n", SKIP_FILE_LINES)[:SKIP_FILE_LINES]
    return any(_SKIP_FILE.search(line) for line in head)
