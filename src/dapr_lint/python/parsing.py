"""LibCST's parse of a module, without re-validating every node it builds.

`libcst.parse_module` builds the tree through the node classes' constructors, and each constructor validates its
node (`CSTNode.__post_init__` → `_validate`: parentheses paired, the whitespace a keyword needs...). For a tree
the parser itself built from real source these checks cannot fail (LibCST's own comment there says as much), yet
they are a fifth of the parse: 3.22 s → 2.76 s over dapr/python-sdk (418 files). The parse of the file being
checked skips them; every node built afterwards (a fix's transform) is validated as before.

Only one thread builds LibCST nodes at a time in dapr-lint (a worker process checks one file; the language
server runs its lints and fixes on one thread), so switching the hook for the length of a parse is safe."""

from __future__ import annotations

from typing import Union

import libcst as cst
from libcst import CSTNode

# the hook every node's constructor calls (LibCST's dataclasses); absent in a LibCST that validates elsewhere
_VALIDATING = CSTNode.__dict__.get("__post_init__")


def _unchecked(self: CSTNode) -> None:
    return None


def parse_module(source: Union[str, bytes]) -> cst.Module:
    """`libcst.parse_module(source)`, the nodes it builds not re-validated one by one."""
    if _VALIDATING is None:  # a LibCST that validates elsewhere: parse as it does
        return cst.parse_module(source)
    CSTNode.__post_init__ = _unchecked  # type: ignore[method-assign]
    try:
        return cst.parse_module(source)
    finally:
        CSTNode.__post_init__ = _VALIDATING  # type: ignore[method-assign]
