"""After fixes: the imports a fix left unused are removed, and only those.

A name imported at module level, read somewhere in the module before the fixes and nowhere after them, was used by
the code the fixes rewrote (the sync client's import after the switch to the aio client, `timezone` after
`datetime.now(timezone.utc)` became the workflow's clock). Imports the file already left unused stay: that is the
author's business, not the fix's. A name that appears in any string (an annotation, `__all__`) is kept."""

from __future__ import annotations

import re
from typing import Optional, Union

import libcst as cst

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _suites(module: cst.Module) -> list[cst.IndentedBlock]:
    """The blocks of the module's top-level `try` (a `try: ... except ImportError:` guard) and `if` statements:
    imports there are module-level too."""
    found: list[cst.IndentedBlock] = []
    for statement in module.body:
        if isinstance(statement, cst.Try):
            found.extend(s for s in (statement.body, *(h.body for h in statement.handlers)) if isinstance(s, cst.IndentedBlock))
        elif isinstance(statement, cst.If) and isinstance(statement.body, cst.IndentedBlock):
            found.append(statement.body)
    return found


def _imported_names(module: cst.Module) -> dict[str, int]:
    """Local name -> how many module-level import statements bind it (top level, or in a top-level try/if)."""
    names: dict[str, int] = {}
    for statements in (module.body, *(suite.body for suite in _suites(module))):
        for statement in statements:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                for local in _locals_of(small):
                    names[local] = names.get(local, 0) + 1
    return names


def _locals_of(small: cst.BaseSmallStatement) -> list[str]:
    if isinstance(small, cst.Import):
        return [_local(alias) for alias in small.names]
    if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
        if isinstance(small.module, cst.Name) and small.module.value == "__future__":
            return []
        return [_local(alias) for alias in small.names]
    return []


def _local(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    name = alias.name
    while isinstance(name, cst.Attribute):
        name = name.value
    return name.value if isinstance(name, cst.Name) else ""


class _Reads(cst.CSTVisitor):
    """Every identifier the module reads outside import statements, and every identifier inside a string."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
        # `DaprClient = None` in an ImportError guard stores the name; it does not read it
        return not isinstance(node.target, cst.Name)

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.names.update(_IDENTIFIER.findall(node.value))

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        self.names.update(_IDENTIFIER.findall(node.value))


def _reads(module: cst.Module) -> set[str]:
    visitor = _Reads()
    module.visit(visitor)
    return visitor.names


def drop_imports_left_unused(before: cst.Module, after: cst.Module) -> Optional[cst.Module]:
    """`after` without the imports its fixes left unused; None when there are none."""
    imported_before = _imported_names(before)
    imported_after = _imported_names(after)
    read_before = _reads(before)
    read_after = _reads(after)
    dead = {
        name
        for name, count in imported_after.items()
        if name and count == 1 and imported_before.get(name) == 1 and name in read_before and name not in read_after
    }
    if not dead:
        return None
    body, changed = _drop(list(after.body), dead)
    for suite in _suites(after):
        kept, dropped = _drop(list(suite.body), dead)
        if dropped and kept:  # a block is never left empty
            body = [b.deep_replace(suite, suite.with_changes(body=kept)) for b in body]  # type: ignore[misc]
            changed = True
    return after.with_changes(body=body) if changed else None


def _drop(statements: list, dead: set[str]) -> tuple[list, bool]:
    """The statements without the dead imports, and whether anything went."""
    body: list[cst.BaseStatement] = []
    changed = False
    carried: Optional[list[cst.EmptyLine]] = None  # the comments above an import line that went away
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            kept_small: list[cst.BaseSmallStatement] = []
            for small in statement.body:
                trimmed = _without(small, dead)
                if trimmed is not small:
                    changed = True
                if trimmed is not None:
                    kept_small.append(trimmed)
            if not kept_small:
                # the whole import line goes; its comments stay, for the next statement
                carried = (carried or []) + [line for line in statement.leading_lines if line.comment is not None]
                continue
            if len(kept_small) != len(statement.body):
                kept_small[-1] = kept_small[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
                statement = statement.with_changes(body=kept_small)
            else:
                statement = statement.with_changes(body=kept_small)
        if carried is not None:
            leading = list(getattr(statement, "leading_lines", ()))
            if not body:  # the file's first statement went: no blank lines at the top
                while leading and leading[0].comment is None:
                    leading.pop(0)
            statement = statement.with_changes(leading_lines=carried + leading)
            carried = None
        body.append(statement)
    return body, changed


def _without(small: cst.BaseSmallStatement, dead: set[str]) -> Union[cst.BaseSmallStatement, None]:
    if not isinstance(small, (cst.Import, cst.ImportFrom)) or isinstance(getattr(small, "names", None), cst.ImportStar):
        return small
    if isinstance(small, cst.ImportFrom) and isinstance(small.module, cst.Name) and small.module.value == "__future__":
        return small
    aliases = list(small.names)  # type: ignore[arg-type]
    kept = [alias for alias in aliases if _local(alias) not in dead]
    if len(kept) == len(aliases):
        return small
    if not kept:
        return None
    kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    if isinstance(small, cst.ImportFrom) and small.lpar is not None and len(kept) > 0:
        return small.with_changes(names=kept)
    return small.with_changes(names=kept)
