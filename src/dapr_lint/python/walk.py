"""A fast walk over LibCST nodes that skips whitespace, commas and parentheses.

LibCST's own visitor dispatch costs about as much as the parse itself (measured: 0.9x a parse for an empty
visitor on the Dapr SDK sources); iterating only the semantic fields of each node type costs about 0.1x.
The model builder uses this walk: one pass per module, all facts collected at once.
"""

from __future__ import annotations

import dataclasses
from typing import Iterator

import libcst as cst

# Field names that never hold a node a rule cares about: formatting, punctuation and brackets.
_FORMATTING_FIELDS = frozenset(
    {
        "leading_lines",
        "lines_after_decorators",
        "lpar",
        "rpar",
        "comma",
        "semicolon",
        "newline",
        "header",
        "footer",
        "empty_lines",
        "equal",
        "colon",
        "dot",
        "lbracket",
        "rbracket",
        "lbrace",
        "rbrace",
        "trailing_whitespace",
        "operator",
        "star_tok",
        "asynchronous",
        "whitespace",
    }
)

_FIELDS: dict[type, tuple[str, ...]] = {}


def semantic_fields(node_type: type) -> tuple[str, ...]:
    fields = _FIELDS.get(node_type)
    if fields is None:
        fields = tuple(
            f.name
            for f in dataclasses.fields(node_type)
            if f.name not in _FORMATTING_FIELDS and "whitespace" not in f.name
        )
        _FIELDS[node_type] = fields
    return fields


_IS_NODE: dict[type, bool] = {}


def is_node(kind: type) -> bool:
    """Whether a type is a LibCST node class (`isinstance(value, cst.CSTNode)` goes through ABCMeta on
    every value that is not one: a string, None, a sentinel)."""
    known = _IS_NODE.get(kind)
    if known is None:
        known = _IS_NODE[kind] = issubclass(kind, cst.CSTNode)
    return known


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The semantic child nodes of `node`, in source order."""
    for name in semantic_fields(type(node)):
        value = getattr(node, name)
        kind = type(value)
        if kind is tuple or kind is list:
            for item in value:
                if is_node(type(item)):
                    yield item
        elif is_node(kind):
            yield value


def preorder(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """`node` and every semantic node below it, parents before children, in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(children(current))))
