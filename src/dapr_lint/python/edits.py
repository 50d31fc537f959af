"""Fixes as LibCST edits: a rule says which node to replace and how; the fixer applies them together.

An Edit replaces one node of the parsed module (found by identity, so nothing is re-matched by text);
`replace` receives the node as updated by any edits below it and returns the new node. An edit can also
need imports, which are added once, after the module's existing imports.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence, Union

import libcst as cst

from dapr_lint.python.model import dotted_name, keyword_arg


@dataclass(frozen=True)
class ImportSpec:
    """`from module import name as asname`, or `import module` when name is None."""

    module: str
    name: Optional[str] = None
    asname: Optional[str] = None


@dataclass(frozen=True, eq=False)
class Edit:
    target: cst.CSTNode
    replace: Callable[[cst.CSTNode], Union[cst.CSTNode, cst.RemovalSentinel]]
    imports: tuple[ImportSpec, ...] = ()
    # For a statement: also hand the statements that follow it in its block to `absorb`, which returns
    # the statements that replace the target and all of them (used to wrap "the rest" in a `with`).
    absorb: Optional[Callable[[cst.BaseStatement, Sequence[cst.BaseStatement]], Sequence[cst.BaseStatement]]] = field(
        default=None
    )


def _subtree_ids(node: cst.CSTNode) -> set[int]:
    from dapr_lint.python.walk import children

    ids: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        ids.add(id(current))
        stack.extend(children(current))
    return ids


def non_overlapping(edits: Sequence[Edit]) -> list[Edit]:
    """The edits that can be applied in one pass: one per target, none inside another's target (the
    rest wait for the next pass, on the re-parsed result)."""
    chosen: list[Edit] = []
    taken: set[int] = set()
    seen_targets: set[int] = set()
    # Larger targets first: a `with` conversion wins over an `await` inside it.
    subtrees = {id(e.target): _subtree_ids(e.target) for e in edits}
    for edit in sorted(edits, key=lambda e: -len(subtrees[id(e.target)])):
        if id(edit.target) in seen_targets:
            continue
        nodes = subtrees[id(edit.target)]
        if nodes & taken:
            continue
        chosen.append(edit)
        seen_targets.add(id(edit.target))
        taken |= nodes
    return chosen


class _Replacer(cst.CSTTransformer):
    def __init__(self, edits: Sequence[Edit]) -> None:
        super().__init__()
        self.by_target = {id(e.target): e for e in edits if e.absorb is None}
        self.absorbing = {id(e.target): e for e in edits if e.absorb is not None}

    def on_leave(self, original_node, updated_node):  # type: ignore[override]
        edit = self.by_target.get(id(original_node))
        if edit is not None:
            updated_node = edit.replace(updated_node)
        if self.absorbing and isinstance(updated_node, (cst.IndentedBlock, cst.Module)):
            updated_node = self._absorb(original_node, updated_node)
        return updated_node

    def _absorb(self, original: Union[cst.IndentedBlock, cst.Module], updated):
        body = list(updated.body)
        for index, statement in enumerate(original.body):
            edit = self.absorbing.get(id(statement))
            if edit is not None:
                replaced = list(edit.absorb(body[index], body[index + 1 :]))  # type: ignore[misc]
                return updated.with_changes(body=body[:index] + replaced)
        return updated


def apply_edits(module: cst.Module, edits: Sequence[Edit]) -> cst.Module:
    updated = module.visit(_Replacer(edits))
    imports = []
    for edit in edits:
        for spec in edit.imports:
            if spec not in imports:
                imports.append(spec)
    return add_imports(updated, imports)


# -- imports ------------------------------------------------------------------------------------------


def _has_import(module: cst.Module, spec: ImportSpec) -> bool:
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if spec.name is None and isinstance(small, cst.Import):
                for alias in small.names:
                    if dotted_name(alias.name) == spec.module and (alias.asname is None) == (spec.asname is None):
                        return True
            if spec.name is not None and isinstance(small, cst.ImportFrom) and small.module is not None:
                if dotted_name(small.module) != spec.module or isinstance(small.names, cst.ImportStar):
                    continue
                for alias in small.names:
                    asname = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
                    if dotted_name(alias.name) == spec.name and asname == spec.asname:
                        return True
    return False



def _import_statement(spec: ImportSpec) -> cst.SimpleStatementLine:
    if spec.name is None:
        text = f"import {spec.module}" + (f" as {spec.asname}" if spec.asname else "")
    else:
        text = f"from {spec.module} import {spec.name}" + (f" as {spec.asname}" if spec.asname else "")
    return cst.parse_statement(text)  # type: ignore[return-value]


def _is_import_line(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body
    )


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def add_imports(module: cst.Module, specs: Sequence[ImportSpec]) -> cst.Module:
    """Add each missing import once, where the project keeps it: right after the module's import from the same
    package (`from dapr.aio.clients import ...` beside `from dapr.clients import ...`), in the same block when that
    one sits in a `try: ... except ImportError:` guard or an `if`; else in its group of the module's header (after
    the standard-library imports for a third-party one, in name order); else after the docstring."""
    for spec in specs:
        if not _has_import(module, spec):
            module = _add_import(module, spec)
    return module


def _imported_modules(statement: cst.CSTNode) -> list[str]:
    """The absolute modules an import line imports from (`a.b` for `import a.b` and `from a.b import c`)."""
    found: list[str] = []
    if isinstance(statement, cst.SimpleStatementLine):
        for small in statement.body:
            if isinstance(small, cst.Import):
                found.extend(dotted_name(alias.name) or "" for alias in small.names)
            elif isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative:
                found.append(dotted_name(small.module) or "")
    return [f for f in found if f]


def _shared_prefix(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a.split("."), b.split(".")):
        if x != y:
            break
        count += 1
    return count


def _nested_blocks(body: Sequence[cst.CSTNode]) -> list[tuple[cst.CSTNode, list[cst.IndentedBlock]]]:
    """The top-level `try` and `if` statements of a module with their blocks (imports guarded or conditional)."""
    found: list[tuple[cst.CSTNode, list[cst.IndentedBlock]]] = []
    for statement in body:
        if isinstance(statement, cst.Try):
            suites = [statement.body, *(h.body for h in statement.handlers)]
            found.append((statement, [s for s in suites if isinstance(s, cst.IndentedBlock)]))
        elif isinstance(statement, cst.If) and isinstance(statement.body, cst.IndentedBlock):
            found.append((statement, [statement.body]))
    return found


def _add_import(module: cst.Module, spec: ImportSpec) -> cst.Module:
    line = _import_statement(spec)
    body = list(module.body)
    # beside the import of the same package, wherever it is (the longest shared module prefix wins; the first)
    best: Optional[tuple[int, Optional[cst.CSTNode], Optional[cst.IndentedBlock], int]] = None
    for index, statement in enumerate(body):
        for imported in _imported_modules(statement):
            shared = _shared_prefix(imported, spec.module)
            if shared and (best is None or shared > best[0]):
                best = (shared, None, None, index)
    for owner, suites in _nested_blocks(body):
        for suite in suites:
            for index, statement in enumerate(suite.body):
                for imported in _imported_modules(statement):
                    shared = _shared_prefix(imported, spec.module)
                    if shared and (best is None or shared > best[0]):
                        best = (shared, owner, suite, index)
    if best is not None:
        _shared, owner, suite, index = best
        if suite is None:
            return module.with_changes(body=body[: index + 1] + [line] + body[index + 1 :])
        new_suite = suite.with_changes(body=[*suite.body[: index + 1], line, *suite.body[index + 1 :]])
        return module.with_changes(body=[b.deep_replace(suite, new_suite) if b is owner else b for b in body])  # type: ignore[arg-type]
    # no import of that package: its group in the header (standard library first, then the others by name)
    header_end = 0
    for index, statement in enumerate(body):
        if index == 0 and _is_docstring(statement):
            header_end = 1
        elif _is_import_line(statement):
            header_end = index + 1
        else:
            break  # the first statement that is not an import ends the module's header
    stdlib = _is_stdlib(spec.module)
    position = header_end
    for index in range(header_end):
        modules = _imported_modules(body[index])
        if not modules or not _is_import_line(body[index]):
            continue
        other_stdlib = _is_stdlib(modules[0])
        if (other_stdlib == stdlib and modules[0] > spec.module) or (stdlib and not other_stdlib):
            position = index
            break
    if 0 < position < header_end and body[position].leading_lines:  # type: ignore[attr-defined]
        # before a blank line that opens a group: the new line heads that group when it belongs there (the line
        # before is of the other kind), else it ends the group before the blank line
        previous = _imported_modules(body[position - 1])
        heads = _is_stdlib((_imported_modules(body[position]) or [""])[0]) == stdlib and (
            not previous or _is_stdlib(previous[0]) != stdlib
        )
        if heads:
            moved = body[position]
            line = line.with_changes(leading_lines=moved.leading_lines)  # type: ignore[attr-defined]
            body[position] = moved.with_changes(leading_lines=())  # type: ignore[attr-defined]
    return module.with_changes(body=body[:position] + [line] + body[position:])


def _is_stdlib(module: str) -> bool:
    return module.split(".")[0] in sys.stdlib_module_names


# -- the edits rules use ------------------------------------------------------------------------------


def add_await(call: cst.Call, parenthesize: bool) -> Edit:
    def replace(node: cst.CSTNode) -> cst.CSTNode:
        awaited = cst.Await(expression=node)  # type: ignore[arg-type]
        if parenthesize:
            awaited = awaited.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        return awaited

    return Edit(call, replace)


def rename_name(name: cst.Name, new: str) -> Edit:
    return Edit(name, lambda node: node.with_changes(value=new))  # type: ignore[union-attr]


def subscript_through(subscript: cst.Subscript, attribute: str) -> Edit:
    """`resp[k]` -> `resp.<attribute>[k]`."""

    def replace(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Subscript)
        return node.with_changes(value=cst.Attribute(value=node.value, attr=cst.Name(attribute)))

    return Edit(subscript, replace)


def replace_dotted(target: cst.CSTNode, dotted: str) -> Edit:
    return Edit(target, lambda node: cst.parse_expression(dotted))


def make_async_with(with_node: cst.With) -> Edit:
    return Edit(with_node, lambda node: node.with_changes(asynchronous=cst.Asynchronous()))  # type: ignore[union-attr]


def keyword_argument(call: cst.Call, keyword: str, value: str) -> Edit:
    """Add `keyword=value` as the last argument of a call."""

    def replace(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Call)
        args = list(node.args)
        new_arg = cst.Arg(keyword=cst.Name(keyword), value=cst.parse_expression(value), equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ))
        if args and args[-1].comma is cst.MaybeSentinel.DEFAULT:
            args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        elif args and isinstance(args[-1].comma, cst.Comma):
            # a trailing comma (often on a multi-line call): keep the layout, add after it
            new_arg = new_arg.with_changes(comma=args[-1].comma)
            args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        return node.with_changes(args=[*args, new_arg])

    return Edit(call, replace)


class _AwaitCallsOn(cst.CSTTransformer):
    """Inside a block: `await` every method call on `name` that is not awaited yet; nested functions
    are left alone (they run elsewhere)."""

    def __init__(self, name: str, results: Optional[dict[str, frozenset[str]]] = None) -> None:
        super().__init__()
        self.name = name
        # names holding results whose methods become coroutines with the async client (`resp.read()`)
        self.results = results or {}
        self.awaited: set[int] = set()
        self.needs_parens: set[int] = set()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Await(self, node: cst.Await) -> None:
        self.awaited.add(id(node.expression))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.needs_parens.add(id(node.value))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self.needs_parens.add(id(node.value))

    def visit_Call(self, node: cst.Call) -> None:
        self.needs_parens.add(id(node.func))

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        func = original_node.func
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and (
                func.value.value == self.name
                or func.attr.value in self.results.get(func.value.value, frozenset())
            )
            and id(original_node) not in self.awaited
        ):
            awaited = cst.Await(expression=updated_node)
            if id(original_node) in self.needs_parens:
                awaited = awaited.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
            return awaited
        return updated_node


def with_to_async_client(
    with_node: cst.With,
    client_name: str,
    new_constructor: str,
    imports: tuple[ImportSpec, ...],
    results: Optional[dict[str, frozenset[str]]] = None,
) -> Edit:
    """`with DaprClient() as c:` (or `async with`) -> `async with <aio>() as c:` with `await` on c's calls, and
    on the calls of `results` (name -> methods) that the async client's responses make coroutines."""

    def replace(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.With)
        item = node.items[0]
        call = item.item
        assert isinstance(call, cst.Call)
        new_item = item.with_changes(item=call.with_changes(func=cst.parse_expression(new_constructor)))
        body = node.body.visit(_AwaitCallsOn(client_name, results))
        return node.with_changes(asynchronous=cst.Asynchronous(), items=[new_item, *node.items[1:]], body=body)

    return Edit(with_node, replace, imports)


def wrap_rest_in_with(statement: cst.SimpleStatementLine, name: str, is_async: bool) -> Edit:
    """`name = Client(...)` + the rest of its block -> `[async] with Client(...) as name:` + that rest."""

    def absorb(updated: cst.BaseStatement, rest: Sequence[cst.BaseStatement]) -> Sequence[cst.BaseStatement]:
        assert isinstance(updated, cst.SimpleStatementLine)
        assign = updated.body[0]
        assert isinstance(assign, cst.Assign)
        body = list(rest) or [cst.SimpleStatementLine(body=[cst.Pass()])]
        with_node = cst.With(
            items=[cst.WithItem(item=assign.value, asname=cst.AsName(name=cst.Name(name)))],
            body=cst.IndentedBlock(body=body),
            asynchronous=cst.Asynchronous() if is_async else None,
            leading_lines=updated.leading_lines,
        )
        return [with_node]

    return Edit(statement, lambda node: node, absorb=absorb)


def wrap_in_call(expr: cst.BaseExpression, func: str, imports: tuple[ImportSpec, ...] = ()) -> Edit:
    """`expr` -> `func(expr)`, for example `json.dumps(expr)`."""

    def replace(node: cst.CSTNode) -> cst.CSTNode:
        return cst.Call(func=cst.parse_expression(func), args=[cst.Arg(value=node)])  # type: ignore[arg-type]

    return Edit(expr, replace, imports)


def set_keyword(call: cst.Call, keyword: str, value: str) -> Edit:
    """Give a call `keyword=value`: replace the value when the keyword is there, else add it."""
    arg = keyword_arg(call, keyword)
    if arg is not None:
        return Edit(arg.value, lambda node: cst.parse_expression(value))
    return keyword_argument(call, keyword, value)


def string_literal(node: cst.CSTNode, text: str) -> Edit:
    """Replace an expression with the string literal `text`, in the quote style of the string it replaces
    when it is one (double quotes otherwise)."""
    quote = '"'
    if isinstance(node, cst.SimpleString) and node.quote in ("'", '"'):
        quote = node.quote
    escaped = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    return Edit(node, lambda _: cst.SimpleString(f"{quote}{escaped}{quote}"))


def module_reference(model, scope, module: str) -> Optional[tuple[str, tuple[ImportSpec, ...]]]:
    """How code at `scope` can name `module` (`json`, `grpc`): its name, plus `import module` when nothing
    binds that name yet; None when the name means something else there."""
    bindings = model.lookup(module, scope)
    if not bindings:
        return module, (ImportSpec(module),)
    if all(b.kind == "import" and b.target == module for b in bindings):
        return module, ()
    return None
