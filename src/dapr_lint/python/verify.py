"""What CPython's `compile()` would say about a file, for the file's own syntax.

Two users: the DPR001 decision (a file is reported exactly when CPython refuses it), and `--fix`, which checks
every fixed text before it is written: a parse is not enough, because code such as `await` inside a class body
within an `async def`, or `yield` added to an `async def` that returns a value, parses but does not compile.

CPython's `compile()` is the authority when the running interpreter understands the file's grammar. dapr-lint
may run on an older Python than the code it checks (3.11 over 3.12 f-strings or `type` aliases), which LibCST
parses but the running `compile()` refuses; for such a file a LibCST-based check of the errors `compile()` finds
after parsing (`return`/`yield`/`await` in the wrong place, `break` outside a loop...) takes its place.
"""

from __future__ import annotations

import ast
import sys
import warnings
from dataclasses import dataclass
from typing import Any, Optional

import libcst as cst

from dapr_lint.python import bounds


@dataclass(frozen=True)
class Problem:
    """Why CPython would refuse the file, and where (1-based)."""

    message: str
    line: int
    column: int


def compile_problem(data: bytes) -> Optional[Problem]:
    """CPython's verdict on the file with the running interpreter (None: it compiles)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(data, "<dapr-lint>", "exec", dont_inherit=True)
    except SyntaxError as exc:
        return Problem(exc.msg or "invalid syntax", max(exc.lineno or 1, 1), max(exc.offset or 1, 1))
    except ValueError as exc:  # NUL bytes on 3.11 and older
        return Problem(str(exc), 1, 1)
    except (RecursionError, MemoryError):
        return Problem("too deeply nested for Python to compile", 1, 1)
    return None


def quietly(step: Any, *args: Any, **keywords: Any) -> Any:
    """`ast.parse` or `compile` (`step`) without warnings; None where CPython refuses the file."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return step(*args, **keywords)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def compiled_tree(data: bytes, parsed: Optional[ast.Module] = None) -> Optional[ast.Module]:
    """CPython's `ast` of the file when `compile()` accepts it (the tree it compiled), else None.

    One CPython parse serves the DPR001 decision and the positions (python/positions.py places statements
    from it). `compile()` of the tree accepts exactly what `compile()` of the text accepts: it is the tree
    that text compiles from. A refusal is judged by `compile_problem` as before. `parsed`: `ast.parse(data)`
    made already (by the gate), not repeated."""
    tree = parsed if parsed is not None else quietly(ast.parse, data)
    if tree is None or quietly(compile, tree, "<dapr-lint>", "exec", dont_inherit=True) is None:
        return None
    return tree


def newer_syntax(module: cst.Module) -> Optional[str]:
    """The first construct of `module` that the running interpreter's grammar does not have, if any."""
    version = sys.version_info[:2]
    stack: list[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        if version < (3, 11) and isinstance(node, (cst.TryStar, cst.ExceptStarHandler)):
            return "except* (Python 3.11)"
        if version < (3, 12):
            if isinstance(node, (cst.TypeAlias, cst.TypeParameters)):
                return "type parameters (Python 3.12)"
            if isinstance(node, cst.FormattedString) and _needs_pep701(module, node):
                return "f-string syntax of Python 3.12"
        if version < (3, 14) and type(node).__name__ == "TemplatedString":
            return "template strings (Python 3.14)"
        stack.extend(node.children)
    return None


def _needs_pep701(module: cst.Module, node: cst.FormattedString) -> bool:
    """An f-string only Python 3.12+ tokenizes: its quote reused inside a replacement field, a backslash or a
    comment there, or a line break in a single-quoted one."""
    quote = node.quote
    for part in node.parts:
        if isinstance(part, cst.FormattedStringExpression):
            code = module.code_for_node(part.expression)
            if quote[0] in code or "\\" in code or "#" in code or (len(quote) == 1 and "\n" in code):
                return True
            if part.format_spec and any(
                isinstance(spec, cst.FormattedStringExpression) and quote[0] in module.code_for_node(spec.expression)
                for spec in part.format_spec
            ):
                return True
    return False


# -- the errors compile() finds after parsing ---------------------------------------------------------------

_COMPREHENSIONS = {
    cst.ListComp: "list comprehension",
    cst.SetComp: "set comprehension",
    cst.DictComp: "dict comprehension",
    cst.GeneratorExp: "generator expression",
}


@dataclass
class _Function:
    is_async: bool
    yields: bool = False
    value_returns: Optional[list] = None


# context: (scope kind: module|class|def|async|lambda, function record, in a loop, comprehension name)
_Context = tuple[str, Optional[_Function], bool, Optional[str]]


def semantic_problems(module: cst.Module) -> list[tuple[str, cst.CSTNode]]:
    """compile()'s post-parse errors, found on the LibCST tree (iteratively, in source order)."""
    found: list[tuple[str, cst.CSTNode]] = []
    functions: list[tuple[_Function, cst.CSTNode]] = []
    stack: list[tuple[cst.CSTNode, _Context]] = [(module, ("module", None, False, None))]
    while stack:
        node, context = stack.pop()
        kind, function, loop, comprehension = context
        outer = context
        inner: dict[int, _Context] = {}
        if isinstance(node, cst.FunctionDef):
            record = _Function(node.asynchronous is not None)
            functions.append((record, node))
            inner[id(node.body)] = ("async" if record.is_async else "def", record, False, None)
        elif isinstance(node, cst.Lambda):
            record = _Function(False)
            inner[id(node.body)] = ("lambda", record, False, None)
        elif isinstance(node, cst.ClassDef):
            inner[id(node.body)] = ("class", None, False, None)
        elif type(node) in _COMPREHENSIONS:
            name = _COMPREHENSIONS[type(node)]
            for child in node.children:
                inner[id(child)] = (kind, function, loop, name)
        elif isinstance(node, (cst.For, cst.While)):
            inner[id(node.body)] = (kind, function, True, comprehension)
            if isinstance(node, cst.For) and node.asynchronous is not None and kind != "async":
                found.append(("'async for' outside async function", node))
        elif isinstance(node, cst.With):
            if node.asynchronous is not None and kind != "async":
                found.append(("'async with' outside async function", node))
        elif isinstance(node, cst.Await):
            if kind != "async":
                found.append(
                    ("'await' outside async function" if kind in ("def", "lambda") else "'await' outside function", node)
                )
        elif isinstance(node, cst.Yield):
            is_from = isinstance(node.value, cst.From)
            if comprehension is not None:
                found.append((f"'yield' inside {comprehension}", node))
            elif kind in ("module", "class"):
                found.append(("'yield' outside function", node))
            elif kind == "async" and is_from:
                found.append(("'yield from' inside async function", node))
            elif function is not None:
                function.yields = True
        elif isinstance(node, cst.Return):
            if kind in ("module", "class"):
                found.append(("'return' outside function", node))
            elif node.value is not None and function is not None:
                function.value_returns = (function.value_returns or []) + [node]
        elif isinstance(node, (cst.Break, cst.Continue)):
            if not loop:
                name = "'break' outside loop" if isinstance(node, cst.Break) else "'continue' not properly in loop"
                found.append((name, node))
        elif isinstance(node, cst.Nonlocal) and kind == "module":
            found.append(("nonlocal declaration not allowed at module level", node))
        children = node.children
        for child in reversed(children):
            # a loop's `else`, a function's or class's header run in the enclosing context; bodies were set above
            stack.append((child, inner.get(id(child), outer)))
    for record, _node in functions:
        if record.is_async and record.yields and record.value_returns:
            found.append(("'return' with value in async generator", record.value_returns[0]))
    return found


def syntax_problem(data: bytes, module: cst.Module) -> Optional[Problem]:
    """The DPR001 decision for a file LibCST parsed: None when CPython (of the file's grammar) accepts it."""
    problem = compile_problem(data)
    if problem is None:
        return None
    if newer_syntax(module) is None:
        return problem  # the running interpreter knows this grammar: its verdict stands
    found = semantic_problems(module)
    if not found:
        return None
    message, node = found[0]
    from dapr_lint.python.positions import positions

    line, column, _end_line, _end_column = positions(module, [node]).get(id(node), (1, 1, 1, 1))
    return Problem(message, line, column)


def verify_fix(original: bytes, fixed: bytes) -> Optional[str]:
    """None if `fixed` may be written in place of `original`; otherwise why not.

    The fixed text must parse (LibCST, the file's own grammar) and compile (CPython's `compile()` when the
    running interpreter knows the grammar, else the LibCST checks above). A problem the original already had
    is not the fix's doing and does not block it."""
    too_deep, depth = bounds.screen(fixed.decode("utf-8", "replace"))
    if too_deep is not None:
        return "the fixed code " + too_deep.message()
    try:
        with bounds.recursion_for(depth):
            module = cst.parse_module(fixed)
            problem = syntax_problem(fixed, module)
    except cst.ParserSyntaxError as exc:
        return f"the fixed code does not parse ({exc.message.strip().splitlines()[0] if exc.message.strip() else 'syntax error'})"
    except (RecursionError, MemoryError):
        return "the fixed code is too deeply nested to check"
    if problem is None:
        return None
    try:
        with bounds.recursion_for(bounds.screen(original.decode("utf-8", "replace"))[1]):
            before = syntax_problem(original, cst.parse_module(original))
    except Exception:
        before = None
    if before is not None and before.message == problem.message:
        return None
    return f"the fixed code does not compile ({problem.message}, line {problem.line})"
