"""What a call passes, read from its syntax alone (no resolution): the argument for a parameter, a keyword, a
`None` literal. Re-exported by `dapr_lint.python.model`; a leaf the model's facets import."""

from __future__ import annotations

from typing import Optional, Union

import libcst as cst


def is_none_literal(node: Optional[cst.CSTNode]) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def keyword_arg(call: cst.Call, name: str) -> Optional[cst.Arg]:
    """The argument a call passes as `name=...`, else None."""
    return next((arg for arg in call.args if arg.keyword is not None and arg.keyword.value == name), None)


def has_keyword(call: cst.Call, name: str) -> bool:
    return keyword_arg(call, name) is not None


def call_argument(call: cst.Call, params: tuple[str, ...], name: str) -> Optional[cst.Arg]:
    """The argument a call passes for parameter `name` of a signature (keyword, or positional by the
    parameter's place); None when absent or hidden behind `*args`/`**kwargs`."""
    position = params.index(name) if name in params else None
    index = 0
    for arg in call.args:
        if arg.keyword is not None:
            if arg.keyword.value == name:
                return arg
            continue
        if arg.star:
            return None  # positions after *args are unknown
        if index == position:
            return arg
        index += 1
    return None


def has_star_kwargs(call: cst.Call) -> bool:
    return any(arg.star == "**" for arg in call.args)


def argument(
    call: cst.Call, position: Optional[int], keyword: Union[str, tuple[str, ...]]
) -> Optional[cst.BaseExpression]:
    """The value passed as `keyword=` (or any of several names), else the `position`-th positional
    argument (None: keyword only)."""
    keywords = (keyword,) if isinstance(keyword, str) else keyword
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in keywords:
            return arg.value
    if position is None:
        return None
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    return positional[position].value if len(positional) > position else None
