"""Positions for the nodes a rule reported, and only those.

LibCST's PositionProvider records a range for every node of the module (measured: 2.6x a parse on its
own). Findings are rare, so we generate the module's code once per file *with findings*, note line and
column only when code generation enters or leaves a reported node, and stop once the last one is left.
"""

from __future__ import annotations

from typing import Iterable

import libcst as cst
from libcst._nodes.internal import CodegenState

Position = tuple[int, int, int, int]  # line, column (1-based), end line, end column (1-based)


class _TargetPositionState(CodegenState):
    """A CodegenState that counts lines lazily: token text is scanned only up to a reported node."""

    def __init__(self, module: cst.Module, targets: set[int]) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.targets = targets
        self.starts: dict[int, tuple[int, int]] = {}
        self.ends: dict[int, tuple[int, int]] = {}
        self.line = 1
        self.column = 0
        self.scanned = 0

    def _advance(self) -> None:
        tokens = self.tokens
        end = len(tokens)
        for index in range(min(self.scanned, end), end):
            token = tokens[index]
            newlines = token.count("\n")
            if newlines:
                self.line += newlines
                self.column = len(token) - token.rfind("\n") - 1
            else:
                self.column += len(token)
        self.scanned = end

    def before_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.targets:
            self._advance()
            self.starts[id(node)] = (self.line, self.column)

    def after_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.targets:
            self._advance()
            self.ends[id(node)] = (self.line, self.column)
            if len(self.ends) == len(self.targets):
                raise _AllPlaced()


class _AllPlaced(Exception):
    """Every reported node is placed: the rest of the module's code is not generated."""


def positions(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[int, Position]:
    """1-based (line, column, end_line, end_column) for each node, keyed by id(node)."""
    targets = {id(node) for node in nodes}
    if not targets:
        return {}
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
