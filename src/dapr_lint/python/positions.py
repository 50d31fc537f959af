"""Positions for the nodes a rule reported, and only those.

LibCST's PositionProvider records a range for every node of the module (measured: 2.6x a parse on its
own). Findings are rare, so we generate code only where a reported node is, note line and column only when
code generation enters or leaves one, and stop once the last one is left.

With the module's text at hand, each reported node is placed from the innermost statement that holds it:
CPython's `ast` gives every statement's first line, so that statement's code starts at a known line, column
0, and only it is generated (with its block's indentation), up to the last reported node in it. A compound
statement (or its block) whose end is wanted ends one line below its last simple statement, plus the comment
lines its blocks keep at their end. Every generated piece is compared with the text at the place it claims;
any doubt (a node outside the statements, a mismatch, text LibCST would not reproduce) falls back to
generating the whole module up to the last reported node, which gives the same spans.
"""

from __future__ import annotations

import ast
import warnings
from typing import Any, Collection, Iterable, Mapping, Optional, Sequence, Union

import libcst as cst
from libcst._nodes.internal import CodegenState

from dapr_lint.python.walk import is_node as _is_node, semantic_fields

Position = tuple[int, int, int, int]  # line, column (1-based), end line, end column (1-based)


class _TargetPositionState(CodegenState):
    """A CodegenState that counts lines lazily: token text is scanned only up to a reported node.

    `known`: nodes whose end is known already; they count as placed once entered."""

    def __init__(
        self,
        module: cst.Module,
        targets: set[int],
        line: int = 1,
        indents: Sequence[str] = (),
        known: Collection[int] = (),
    ) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.indent_tokens = list(indents)
        self.targets = targets
        self.known = known
        self.pending = len(targets)
        self.starts: dict[int, tuple[int, int]] = {}
        self.ends: dict[int, tuple[int, int]] = {}
        self.line = line
        self.column = 0
        self.scanned = 0

    def _advance(self) -> None:
        tokens = self.tokens
        end = len(tokens)
        if self.scanned >= end:
            return
        chunk = "".join(tokens[self.scanned : end])
        newlines = chunk.count("\n")
        if newlines:
            self.line += newlines
            self.column = len(chunk) - chunk.rfind("\n") - 1
        else:
            self.column += len(chunk)
        self.scanned = end

    def before_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        if key in self.targets:
            self._advance()
            if key in self.known and key not in self.starts:
                self.pending -= 1
            self.starts[key] = (self.line, self.column)
            if not self.pending:
                raise _AllPlaced()

    def after_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        if key in self.targets:
            self._advance()
            if key not in self.known and key not in self.ends:
                self.pending -= 1
            self.ends[key] = (self.line, self.column)
            if not self.pending:
                raise _AllPlaced()


class _AllPlaced(Exception):
    """Every reported node is placed: the rest of the code is not generated."""


def positions(
    module: cst.Module,
    nodes: Iterable[cst.CSTNode],
    source: Optional[str] = None,
    tree: Optional[ast.Module] = None,
    statements: Optional[Mapping[int, Optional[cst.CSTNode]]] = None,
) -> dict[int, Position]:
    """1-based (line, column, end_line, end_column) for each node, keyed by id(node).

    `source`: the text `module` was parsed from (its statements are then placed from CPython's `ast`, `tree`
    when the caller has it); without it the module's code is generated up to the last node. `statements`:
    what the caller knows of the statement holding a node (by id(node)), which spares looking for it."""
    targets = {id(node) for node in nodes}
    if not targets:
        return {}
    if source is not None:
        # (the engine pauses the cyclic collector for the file: the `ast` tree's objects would otherwise trigger
        # collections that traverse the whole LibCST module, as long as the rest of this pass)
        try:
            placed = _Anchored(module, targets, source, tree, statements or {}).run()
        except Exception:  # any surprise in the shortcut: generated code is the reference, and exact
            placed = None
        if placed is not None:
            return placed
    return _generated(module, targets)


def _generated(module: cst.Module, targets: set[int]) -> dict[int, Position]:
    state = _TargetPositionState(module, targets)
    try:
        module._codegen(state)
    except _AllPlaced:
        pass
    result: dict[int, Position] = {}
    for key, (line, column) in state.starts.items():
        end_line, end_column = state.ends.get(key, (line, column))
        result[key] = (line, column + 1, end_line, end_column + 1)
    return result


_Block = cst.BaseSuite
# The `ast` statements each LibCST compound statement may be; a SimpleStatementLine is as many of _SIMPLE as it
# holds. Exact types: LibCST's parser makes no subclasses, and a type not listed is a mismatch (the whole-module
# way).
_KINDS: dict[type, tuple[type, ...]] = {
    cst.FunctionDef: (ast.FunctionDef, ast.AsyncFunctionDef),
    cst.ClassDef: (ast.ClassDef,),
    cst.If: (ast.If,),
    cst.For: (ast.For, ast.AsyncFor),
    cst.While: (ast.While,),
    cst.With: (ast.With, ast.AsyncWith),
    cst.Try: (ast.Try,),
    cst.TryStar: tuple(getattr(ast, name) for name in ("TryStar",) if hasattr(ast, name)),  # Python 3.11
    cst.Match: (ast.Match,),
}
_SIMPLE = frozenset(
    getattr(ast, name)
    for name in (
        "Assign", "AugAssign", "AnnAssign", "Expr", "Return", "Raise", "Pass", "Break", "Continue", "Import",
        "ImportFrom", "Global", "Nonlocal", "Assert", "Delete", "TypeAlias",
    )
    if hasattr(ast, name)
)


class _Mismatch(Exception):
    """The `ast` and LibCST disagree, or the text is not what LibCST generates: use the whole-module way."""


class _Statement:
    """A statement in a body: where its code starts (its leading comment lines included) and the indentation
    its block gives it."""

    __slots__ = ("node", "line", "indents")

    def __init__(self, node: cst.BaseStatement, line: int, indents: tuple[str, ...]) -> None:
        self.node, self.line, self.indents = node, line, indents


class _Anchored:
    """One placement from statements' first lines (the module docstring): None when in doubt."""

    def __init__(
        self,
        module: cst.Module,
        targets: set[int],
        source: str,
        tree: Optional[ast.Module],
        hints: Mapping[int, Optional[cst.CSTNode]],
    ) -> None:
        self.module = module
        self.targets = targets
        self.source = source
        self.tree = tree
        self.hints = hints
        self.statements: dict[int, _Statement] = {}
        # statement id -> the reported nodes placed from it
        self.groups: dict[int, list[int]] = {}
        # the blocks whose statements are walked (each statement is placed on its own)
        self.walked: set[int] = set()
        self.unplaced = set(targets)
        self.line_starts: Optional[list[int]] = None
        self.end_memo: dict[int, tuple[int, int]] = {}

    def run(self) -> Optional[dict[int, Position]]:
        if "\r" in self.source and self.source.count("\r") != self.source.count("\r\n"):
            return None  # CPython counts a lone CR as a line break, LibCST does not
        tree = self.tree
        if tree is None:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    tree = ast.parse(self.source)
            except (SyntaxError, ValueError):
                return None
        try:
            self._body(self.module.body, tree.body, ())
            if self.unplaced:
                self._hinted()
            if self.unplaced:
                self._search()
            if self.unplaced:
                return None  # a node in the module's header or footer, or not in this module at all
            return self._place()
        except _Mismatch:
            return None

    # -- where each statement starts, and which statement holds each reported node ----------------------

    def _body(self, body: Sequence[Any], nodes: list[Any], indents: tuple[str, ...]) -> None:
        """Where each statement of a body starts, from its `ast` twin; the reported nodes found on the way."""
        index = 0
        count = len(nodes)
        unplaced = self.unplaced
        statements = self.statements
        for statement in body:
            if index >= count:
                raise _Mismatch()
            node = nodes[index]
            key = id(statement)
            kind = type(statement)
            if kind is cst.SimpleStatementLine:
                index += len(statement.body)
                if type(node) not in _SIMPLE:
                    raise _Mismatch()
                statements[key] = _Statement(statement, node.lineno - len(statement.leading_lines), indents)
                if key in unplaced:
                    self._hold(key, key)
                continue
            index += 1
            if type(node) not in _KINDS.get(kind, ()):
                raise _Mismatch()
            first = node.lineno
            leading = len(statement.leading_lines)
            decorators = statement.decorators if kind is cst.FunctionDef or kind is cst.ClassDef else ()
            if decorators:
                first = node.decorator_list[0].lineno
                leading += len(decorators[0].leading_lines)
            statements[key] = _Statement(statement, first - leading, indents)
            blocks = self._blocks(statement, node)
            if unplaced:
                # the statement itself, its blocks, a definition's name and decorators: no search needed
                if key in unplaced:
                    self._hold(key, key)
                for block, _inner in blocks:
                    if id(block) in unplaced:
                        self._hold(key, id(block))
                if kind is cst.FunctionDef or kind is cst.ClassDef:
                    if id(statement.name) in unplaced:
                        self._hold(key, id(statement.name))
                    for decorator in decorators:
                        if id(decorator) in unplaced:
                            self._hold(key, id(decorator))
                        if id(decorator.decorator) in unplaced:
                            self._hold(key, id(decorator.decorator))
            for block, inner in blocks:
                self.walked.add(id(block))
                indent = block.indent
                self._body(block.body, inner, indents + (self.module.default_indent if indent is None else indent,))
        if index != count:
            raise _Mismatch()

    def _hold(self, statement: int, target: int) -> None:
        self.groups.setdefault(statement, []).append(target)
        self.unplaced.discard(target)

    def _hinted(self) -> None:
        """Place from the statement the caller names (a wrong hint shows as a node the statement's code never
        enters: the whole-module way then)."""
        for target in list(self.unplaced):
            statement = self.hints.get(target)
            if statement is not None and id(statement) in self.statements:
                self._hold(id(statement), target)

    def _search(self) -> None:
        """Look for the nodes left in each statement, outside the blocks walked on their own."""
        unplaced = self.unplaced
        walked = self.walked
        for key, anchor in self.statements.items():
            stack: list[cst.CSTNode] = [anchor.node]
            while stack:
                node = stack.pop()
                if id(node) in unplaced:
                    self._hold(key, id(node))
                    if not unplaced:
                        return
                if id(node) in walked:
                    continue
                stack.extend(_children(node))

    def _blocks(self, statement: Any, node: Any) -> list[tuple[cst.IndentedBlock, list[Any]]]:
        """The indented blocks of a compound statement whose statements are walked, with their `ast` bodies."""
        pairs: list[tuple[_Block, list[Any]]] = []
        kind = type(statement)
        if kind is cst.FunctionDef or kind is cst.ClassDef or kind is cst.With:
            pairs.append((statement.body, node.body))
        elif kind is cst.If:
            branch: Union[cst.If, cst.Else, None] = statement
            current = node
            while isinstance(branch, cst.If):
                if not isinstance(current, ast.If):
                    raise _Mismatch()
                pairs.append((branch.body, current.body))
                orelse = current.orelse
                branch = branch.orelse
                if isinstance(branch, cst.If):
                    if len(orelse) != 1:
                        raise _Mismatch()
                    current = orelse[0]
                elif isinstance(branch, cst.Else):
                    pairs.append((branch.body, orelse))
        elif kind is cst.For or kind is cst.While:
            pairs.append((statement.body, node.body))
            if statement.orelse is not None:
                pairs.append((statement.orelse.body, node.orelse))
        elif kind is cst.Try or kind is cst.TryStar:
            if len(node.handlers) != len(statement.handlers):
                raise _Mismatch()
            pairs.append((statement.body, node.body))
            pairs.extend((handler.body, ast_handler.body) for handler, ast_handler in zip(statement.handlers, node.handlers))
            if statement.orelse is not None:
                pairs.append((statement.orelse.body, node.orelse))
            if statement.finalbody is not None:
                pairs.append((statement.finalbody.body, node.finalbody))
        return [(block, inner) for block, inner in pairs if type(block) is cst.IndentedBlock]

    # -- code generation from a statement's first line ------------------------------------------------

    def _place(self) -> dict[int, Position]:
        result: dict[int, Position] = {}
        for key, held in self.groups.items():
            anchor = self.statements[key]
            ends: dict[int, tuple[int, int]] = {}
            wanted = set(held)
            for target in held:
                end = self._known_end(anchor.node, target)
                if end is not None:
                    ends[target] = end
            known = set(ends)
            if id(anchor.node) in ends:
                # generate the statement's header at least, so that its first line is compared with the text
                first = _all_blocks(anchor.node)[0]
                if id(first) not in wanted:  # (a reported first block keeps its own end: known or awaited)
                    wanted.add(id(first))
                    known.add(id(first))
            state = self._generate(anchor, wanted, known)
            for target in held:
                if target not in state.starts:
                    raise _Mismatch()
                line, column = state.starts[target]
                end_line, end_column = ends.get(target) or state.ends.get(target, (line, column))
                result[target] = (line, column + 1, end_line, end_column + 1)
        return result

    def _known_end(self, statement: cst.BaseStatement, target: int) -> Optional[tuple[int, int]]:
        """The end of a compound statement or of one of its walked blocks, without generating its body."""
        if target == id(statement):
            block = _last_block(statement)
            if block is None or id(block) not in self.walked:
                return None
            return self._block_end(block)
        if target in self.walked:
            for block in _all_blocks(statement):
                if id(block) == target:
                    return self._block_end(block)
        return None

    def _block_end(self, block: cst.BaseSuite) -> tuple[int, int]:
        """Where a walked block's code ends: after its last statement and its footer's comment lines."""
        memo = self.end_memo.get(id(block))
        if memo is not None:
            return memo
        if not isinstance(block, cst.IndentedBlock):
            raise _Mismatch()
        last = block.body[-1]
        inner = _last_block(last)
        if inner is not None and id(inner) in self.walked:
            line, column = self._block_end(inner)
        else:
            anchor = self.statements[id(last)]
            state = self._generate(anchor, {id(last)}, ())
            if id(last) not in state.ends:
                raise _Mismatch()
            line, column = state.ends[id(last)]
        if column != 0:
            raise _Mismatch()
        end = (line + len(block.footer), 0)
        self.end_memo[id(block)] = end
        return end

    def _generate(self, anchor: _Statement, targets: set[int], known: Collection[int]) -> _TargetPositionState:
        state = _TargetPositionState(self.module, targets, anchor.line, anchor.indents, known)
        try:
            anchor.node._codegen(state)
        except _AllPlaced:
            pass
        self._verify(anchor.line, "".join(state.tokens))
        return state

    def _verify(self, line: int, code: str) -> None:
        """The generated code is the text at `line` (the module's last newline may be LibCST's own)."""
        starts = self.line_starts
        if starts is None:
            starts = self.line_starts = _line_starts(self.source)
        if line < 1 or line > len(starts):
            raise _Mismatch()
        offset = starts[line - 1]
        source = self.source
        if source.startswith(code, offset):
            return
        if code.endswith("\n") and offset + len(code) - 1 == len(source) and source.startswith(code[:-1], offset):
            return
        raise _Mismatch()


_NODE_FIELDS: dict[type, tuple[str, ...]] = {}


def _children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """walk.children as a list, without its isinstance checks (every value of a semantic field is a node, a
    sequence of nodes, or something else entirely: a string, None, a sentinel)."""
    fields = _NODE_FIELDS.get(type(node))
    if fields is None:
        fields = _NODE_FIELDS[type(node)] = semantic_fields(type(node))
    found: list[cst.CSTNode] = []
    for name in fields:
        value = getattr(node, name)
        kind = type(value)
        if kind is tuple or kind is list:
            found.extend(item for item in value if _is_node(type(item)))
        elif _is_node(kind):
            found.append(value)
    return found


def _line_starts(source: str) -> list[int]:
    starts = [0]
    find = source.find
    index = find("\n")
    while index != -1:
        starts.append(index + 1)
        index = find("\n", index + 1)
    return starts


def _last_block(statement: cst.CSTNode) -> Optional[_Block]:
    """The block whose code ends the statement's code (None for a simple statement)."""
    if isinstance(statement, (cst.FunctionDef, cst.ClassDef, cst.With)):
        return statement.body
    if isinstance(statement, cst.If):
        branch: Union[cst.If, cst.Else] = statement
        while isinstance(branch, cst.If) and branch.orelse is not None:
            branch = branch.orelse
        return branch.body
    if isinstance(statement, (cst.For, cst.While)):
        return statement.orelse.body if statement.orelse is not None else statement.body
    if isinstance(statement, (cst.Try, cst.TryStar)):
        if statement.finalbody is not None:
            return statement.finalbody.body
        if statement.orelse is not None:
            return statement.orelse.body
        if statement.handlers:
            return statement.handlers[-1].body
        return statement.body
    return None


def _all_blocks(statement: cst.CSTNode) -> list[_Block]:
    if isinstance(statement, (cst.FunctionDef, cst.ClassDef, cst.With)):
        return [statement.body]
    if isinstance(statement, cst.If):
        blocks: list[_Block] = []
        branch: Union[cst.If, cst.Else, None] = statement
        while isinstance(branch, cst.If):
            blocks.append(branch.body)
            branch = branch.orelse
        if branch is not None:
            blocks.append(branch.body)
        return blocks
    if isinstance(statement, (cst.For, cst.While)):
        return [statement.body] + ([statement.orelse.body] if statement.orelse is not None else [])
    if isinstance(statement, (cst.Try, cst.TryStar)):
        blocks = [statement.body, *(handler.body for handler in statement.handlers)]
        if statement.orelse is not None:
            blocks.append(statement.orelse.body)
        if statement.finalbody is not None:
            blocks.append(statement.finalbody.body)
        return blocks
    return []
