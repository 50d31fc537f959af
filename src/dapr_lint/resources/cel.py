"""A small parser for the CEL subset Dapr resources use (circuit-breaker `trip`, subscription `match`).

It checks syntax and reports which free variables an expression reads, and whether its result is clearly not
a boolean. It accepts: literals, identifiers, member access, indexing, calls (`size(x)`, `x.startsWith(y)`),
the comprehension macros (whose first argument is a bound variable), lists, maps, unary `!`/`-`, arithmetic,
comparisons, `in`, `&&`, `||` and `?:`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<number>0x[0-9a-fA-F]+u?|\d+\.\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|\d+(?:[eE][-+]?\d+)?u?)
    |(?P<string>[rRbB]?"(?:[^"\\\n]|\\.)*"|[rRbB]?'(?:[^'\\\n]|\\.)*')
    |(?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<op>\|\||&&|==|!=|<=|>=|[<>!+\-*/%?:.,()\[\]{}])
    )""",
    re.VERBOSE,
)
_MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})
_CONSTANTS = frozenset({"true", "false", "null"})
_RESERVED = frozenset(
    "as break const continue else for function if import let loop package namespace return var void while".split()
)


# Nesting (parentheses, brackets, `!`/`-` chains, calls) the parser follows; the CEL specification asks
# implementations for at least 12. Each level costs about ten Python frames of this recursive-descent parser.
MAX_NESTING = 50


class CelSyntaxError(ValueError):
    """The expression does not parse; `offset` is the 0-based character offset."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass
class CelExpression:
    """What the checker needs to know about a parsed expression."""

    free_variables: list[str] = field(default_factory=list)
    # "bool", "number", "string", "unknown"
    result: str = "unknown"


def _tokenize(source: str) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    end = len(source.rstrip())  # linear: no slice of the rest per token
    while pos < end:
        match = _TOKEN.match(source, pos)
        if not match or match.end() == pos:
            offset = pos + (len(source[pos:]) - len(source[pos:].lstrip()))
            raise CelSyntaxError(f"unexpected character `{source[offset]}`", offset)
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind), match.start(kind)))
        pos = match.end()
    tokens.append(("end", "", len(source)))
    return tokens


class _Parser:
    def __init__(self, source: str, numeric_variables: frozenset[str]) -> None:
        self.numeric_variables = numeric_variables
        self.tokens = _tokenize(source)
        self.i = 0
        self.free: list[str] = []
        self.bound: list[str] = []
        self.depth = 0

    def nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise CelSyntaxError(f"the expression nests deeper than {MAX_NESTING} levels", self.peek()[2])

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.i]

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def expect(self, value: str) -> None:
        kind, text, offset = self.take()
        if text != value or kind == "string":
            raise CelSyntaxError(f"expected `{value}`" + (f", found `{text}`" if text else " at the end"), offset)

    def at(self, *values: str) -> bool:
        kind, text, _ = self.peek()
        return kind in ("op", "ident") and text in values

    # Each level returns the result type: "bool", "number", "string" or "unknown".
    def expression(self) -> str:
        self.nest()
        result = self.or_expr()
        if self.at("?"):
            self.take()
            first = self.expression()
            self.expect(":")
            second = self.expression()
            result = first if first == second else "unknown"
        self.depth -= 1
        return result

    def or_expr(self) -> str:
        result = self.and_expr()
        while self.at("||"):
            self.take()
            self.and_expr()
            result = "bool"
        return result

    def and_expr(self) -> str:
        result = self.relation()
        while self.at("&&"):
            self.take()
            self.relation()
            result = "bool"
        return result

    def relation(self) -> str:
        result = self.addition()
        while self.at("<", "<=", ">", ">=", "==", "!=", "in"):
            self.take()
            self.addition()
            result = "bool"
        return result

    def addition(self) -> str:
        result = self.multiplication()
        while self.at("+", "-"):
            self.take()
            other = self.multiplication()
            result = result if result == other else "unknown"
        return result

    def multiplication(self) -> str:
        result = self.unary()
        while self.at("*", "/", "%"):
            self.take()
            self.unary()
            result = "number" if result == "number" else "unknown"
        return result

    def unary(self) -> str:
        negated = False
        while self.at("!", "-"):  # a chain of `!`/`-` is a loop, not recursion
            negated = self.take()[1] == "!" or negated
        result = self.member()
        return "bool" if negated else result

    def member(self) -> str:
        result = self.primary()
        while True:
            if self.at("."):
                self.take()
                kind, name, offset = self.take()
                if kind != "ident":
                    raise CelSyntaxError("expected a field name after `.`", offset)
                if self.at("("):
                    self.call_arguments(macro=name in _MACROS)
                result = "unknown"
            elif self.at("["):
                self.take()
                self.expression()
                self.expect("]")
                result = "unknown"
            else:
                return result

    def call_arguments(self, macro: bool) -> None:
        self.expect("(")
        bound_here = 0
        if not self.at(")"):
            if macro and self.peek()[0] == "ident" and self.tokens[self.i + 1][1] == ",":
                self.bound.append(self.take()[1])
                bound_here = 1
                self.expect(",")
            self.expression()
            while self.at(","):
                self.take()
                self.expression()
        self.expect(")")
        if bound_here:
            self.bound.pop()

    def primary(self) -> str:
        kind, value, offset = self.take()
        if kind == "number":
            return "number"
        if kind == "string":
            return "string"
        if kind == "ident":
            if value in _RESERVED:
                raise CelSyntaxError(f"`{value}` is a reserved word", offset)
            if value in _CONSTANTS:
                return "bool" if value != "null" else "unknown"
            if self.at("("):
                self.call_arguments(macro=value == "has")
                return "bool" if value == "has" else "unknown"
            if value not in self.bound and value not in self.free:
                self.free.append(value)
            return "number" if value in self.numeric_variables and value not in self.bound else "unknown"
        if kind == "op" and value == "(":
            result = self.expression()
            self.expect(")")
            return result
        if kind == "op" and value == "[":
            if not self.at("]"):
                self.expression()
                while self.at(","):
                    self.take()
                    if self.at("]"):
                        break
                    self.expression()
            self.expect("]")
            return "unknown"
        if kind == "op" and value == "{":
            if not self.at("}"):
                self.map_entry()
                while self.at(","):
                    self.take()
                    if self.at("}"):
                        break
                    self.map_entry()
            self.expect("}")
            return "unknown"
        if kind == "end":
            raise CelSyntaxError("the expression ends too early", offset)
        raise CelSyntaxError(f"unexpected `{value}`", offset)

    def map_entry(self) -> None:
        self.expression()
        self.expect(":")
        self.expression()


def shown(expression: str, limit: int = 80) -> str:
    """An expression as a message quotes it: one line, at most `limit` characters."""
    flat = " ".join(expression.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def parse_cel(source: str, numeric_variables: frozenset[str] = frozenset()) -> CelExpression:
    """Parse `source`; raise CelSyntaxError if it is not valid CEL (of the supported subset).

    `numeric_variables` are variables known to hold numbers, so that `consecutiveFailures` alone is known
    not to be a boolean.
    """
    parser = _Parser(source, numeric_variables)
    try:
        result = parser.expression()
    except RecursionError:  # a safety net: MAX_NESTING keeps the parser well inside Python's limit
        raise CelSyntaxError(f"the expression nests deeper than {MAX_NESTING} levels", 0) from None
    kind, value, offset = parser.peek()
    if kind != "end":
        raise CelSyntaxError(f"unexpected `{value}` after the end of the expression", offset)
    return CelExpression(free_variables=parser.free, result=result)
