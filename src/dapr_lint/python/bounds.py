"""Bounded work per file: a cheap scan of the source text before the LibCST parse.

LibCST's parser and every recursive helper (its code generation, its visitors, CPython's own compiler) cost
more than linearly in the depth of the syntax tree: a 1,000-level nested call takes 2.2 GB and 10 s to parse,
and 5,000 nested brackets crash the process. One pass over the text estimates the depth of the tree the parse
would build; a file beyond the bound gets one DPR001 ("too deeply nested to analyse") and is never parsed.

What counts, in tree levels (measured with LibCST 1.9: a level costs about 3 Python frames in a LibCST visitor,
a bracket about 2.4 levels):

- each open bracket `(`, `[`, `{`: 3;
- each operator, attribute dot, `not`, `lambda`, `await`, conditional `if`/`else`, and each string literal
  that directly follows another (implicit concatenation) in the same bracket level since its last comma: 1;
- each indented block enclosing the statement: 2; each `elif` of a ladder enclosing it: 1.

The scan is a single regular-expression pass (about 7 MB/s: a Python step per token); it never fails: unbalanced
brackets, unterminated strings and other syntax errors are left to the parsers. Most files are nowhere near the
bounds, so `screen` first computes an upper bound of the scan's figures with a few whole-text passes at C speed
(`bound`, about 45 MB/s) and runs the scan only where that bound does not settle the question.
"""

from __future__ import annotations

import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Optional

# CPython's tokenizer refuses more than 200 nested brackets ("too many nested parentheses"); a file beyond that
# is a syntax error for every interpreter, and LibCST would spend 0.2 s and 112 MB on 200 nested calls already.
MAX_BRACKETS = 200
# The tree-depth bound. Measured (see docs/rules/DPR001.md): at 1,000 levels the parse of the costliest shape
# (nested lambdas) takes 0.23 s and 216 MB, chains of `+`/`.`/`not`/`elif` 0.1-0.4 s and under 90 MB; CPython
# itself stops compiling such chains at about 3,000 levels (RecursionError / MemoryError).
MAX_DEPTH = 1000
# A LibCST visitor or transformer needs about 3 frames per tree level (measured: 3,021 frames for 1,000 levels).
FRAMES_PER_LEVEL = 3

_TOKEN = re.compile(
    r"""
    (?P<string>(?:[rRbBuUfFtT]{1,3})?(?:
        '''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)
      | \"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|\Z)
      | '(?:[^'\\\n]|\\.)*'?
      | "(?:[^"\\\n]|\\.)*"?
    ))
    |(?P<comment>\#[^\n]*)
    |(?P<newline>\n)
    |(?P<continuation>\\\r?\n)
    |(?P<skip>(?:[ \t\f\r]+|(?!(?:and|or|not|in|is|lambda|await|if|else|elif)\b)[^\W\d]\w*|\d(?:\w|\.(?!\.))*)+)
    |(?P<name>[^\W\d]\w*)
    |(?P<open>[(\[{])
    |(?P<close>[)\]}])
    |(?P<separator>[,;])
    |(?P<operator>\*\*=?|//=?|<<=?|>>=?|->|:=|[-+*/%@&|^~<>!=]=?|\.)
    |(?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_CHAIN_WORDS = frozenset({"and", "or", "not", "in", "is", "lambda", "await", "if", "else"})


@dataclass(frozen=True)
class Scan:
    """The deepest point of a file: estimated tree depth, open brackets there, and where (1-based)."""

    depth: int
    brackets: int
    line: int
    column: int

    @property
    def too_deep(self) -> bool:
        return self.depth > MAX_DEPTH or self.brackets > MAX_BRACKETS

    def message(self) -> str:
        if self.brackets > MAX_BRACKETS:
            return (
                f"too deeply nested to analyse: depth {self.depth} at line {self.line} "
                f"({self.brackets} nested brackets; Python allows {MAX_BRACKETS})"
            )
        return f"too deeply nested to analyse: depth {self.depth} at line {self.line} (limit {MAX_DEPTH})"


def scan(text: str) -> Scan:
    """The estimated syntax-tree depth of `text` at its deepest point (see the module docstring)."""
    best_depth = 0
    best_brackets = 0
    best_line = best_column = 1
    line = 1
    line_start = 0
    # per open bracket: the chain count of the enclosing level when it was opened
    stack: list[int] = []
    enclosing = 0  # 3 per open bracket + the chain counts of the enclosing levels
    chain = 0  # operators since the last comma in the current level
    base = 0  # blocks and elif ladders around the statement
    blocks: list[list[int]] = [[0, 0]]  # [indent width, elif count] per open block
    at_line_start = True
    previous_string = False
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "comment":
            continue
        if kind == "skip":
            if not match.group().isspace():
                previous_string = False
                if at_line_start:
                    at_line_start = False
                    base = _statement_base(blocks, text, line_start, "")
            continue
        if kind == "newline" or kind == "continuation":
            line += 1
            line_start = match.end()
            if kind == "newline" and not stack:
                at_line_start = True
                chain = 0
                previous_string = False
            continue
        if kind == "string":
            value = match.group()
            newlines = value.count("\n")
            if previous_string:
                chain += 1
            previous_string = True
        else:
            newlines = 0
            previous_string = False
        if at_line_start:
            at_line_start = False
            base = _statement_base(blocks, text, line_start, match.group())
        if kind == "open":
            stack.append(chain)
            enclosing += 3 + chain
            chain = 0
        elif kind == "close":
            if stack:
                chain = stack.pop()
                enclosing -= 3 + chain
        elif kind == "separator":
            chain = 0
            if match.group() == ";" and not stack:
                at_line_start = False
        elif kind == "operator":
            if match.group() not in ("=", "->"):
                chain += 1
        elif kind == "name":
            if match.group() in _CHAIN_WORDS:
                chain += 1
        depth = base + enclosing + chain
        if depth > best_depth or len(stack) > best_brackets:
            if depth > best_depth:
                best_depth = depth
            if len(stack) > best_brackets:
                best_brackets = len(stack)
            if depth > MAX_DEPTH or len(stack) > MAX_BRACKETS:
                return Scan(depth, len(stack), line, match.start() - line_start + 1)
            best_line, best_column = line, match.start() - line_start + 1
        if newlines:
            line += newlines
            line_start = match.start() + match.group().rfind("\n") + 1
    return Scan(best_depth, best_brackets, best_line, best_column)


def _statement_base(blocks: list[list[int]], text: str, line_start: int, word: str) -> int:
    """Tree levels of the blocks and elif ladders around a statement whose line starts at `line_start`."""
    end = line_start
    while end < len(text) and text[end] in " \t\f":
        end += 1
    width = end - line_start
    while len(blocks) > 1 and blocks[-1][0] > width:
        blocks.pop()
    if blocks[-1][0] < width:
        blocks.append([width, 0])
    if word == "elif":
        blocks[-1][1] += 1
    elif word != "else":
        blocks[-1][1] = 0
    return 2 * (len(blocks) - 1) + sum(entry[1] for entry in blocks)


@contextmanager
def recursion_for(depth: int) -> Iterator[None]:
    """Enough recursion for LibCST's own recursive code (visitors, code generation) on a tree of `depth`
    levels, which the scan bounded. Our own walks are iterative; LibCST's are not."""
    old = sys.getrecursionlimit()
    wanted = FRAMES_PER_LEVEL * max(depth, 0) + 1000
    if wanted > old:
        sys.setrecursionlimit(wanted)
    try:
        yield
    finally:
        if wanted > old:
            sys.setrecursionlimit(old)


def check(text: str) -> Optional[Scan]:
    """The scan if the file is beyond the bounds, else None."""
    return screen(text)[0]


def screen(text: str) -> tuple[Optional[Scan], int]:
    """The scan if the file is beyond the bounds (else None), and a depth at least the scan's, which is all
    `recursion_for` needs: the recursion it allows is only used by a tree that deep.

    `bound` settles the common case; the exact scan runs where it cannot, and where the bound is loose enough
    (over LOOSE) that the recursion limit it would set grows well past what a normal file needs."""
    estimate = bound(text)
    if estimate is not None and estimate[0] <= LOOSE and estimate[1] <= MAX_BRACKETS:
        return None, estimate[0]
    result = scan(text)
    return (result if result.too_deep else None), result.depth


# Above this the bound does not size the recursion limit (1,000 + 3 frames a level), the exact scan does: the
# corpus's loosest bound is 111 (for an exact depth of 34); the median file's is 21 (exact 12).
LOOSE = 200

# -- the bound -----------------------------------------------------------------------------------------------
#
# The scan's depth after a token is base + 3 * open brackets + (the chain counts saved at each open bracket) +
# chain. A chain count only grows by one per chain link (operator, dot, chain word, implicit concatenation) and
# falls at a comma or `;` (to 0), at a closing bracket (back to the count saved at its opening) and at a newline
# outside brackets (everything to 0). So the count saved at an open bracket is at most the links of the enclosing
# bracket's comma-separated piece holding it, bracketed groups inside that piece left out; and the path of open
# brackets at any point runs through at most one matched group of each nesting height, then (in a file with
# brackets never closed) through the unclosed ones. Hence, with every figure an over-count:
#
#   depth <= base + 3 * (height + unclosed) + sum over heights of the longest piece of a group of that height
#            + the longest piece outside matched groups (its logical line's, up to the end once a bracket is
#              left unclosed)
#   brackets <= height + unclosed
#   base <= 2 * (distinct indentation widths) + (occurrences of "elif")
#
# (blocks open at distinct, increasing widths, each the width of some line; an elif ladder counts its elifs).
# Computed over the text reduced to the few characters that matter: strings, comments and continuations become
# one link each (a string may be an implicit concatenation; the others are over-counted), chain words and
# operator characters one link each (`=` too: an over-count, `==` holds one), brackets, separators and newlines.

# Spans the scan reads as one string, comment or continuation token, found from the same first character: a
# token of the scan never holds a quote or `#` inside, so a search from where the last span ended finds the
# scan's next one (a string prefix such as `rb` stays behind as letters, which count nothing).
_SPANS = re.compile(
    rb"""
    '''(?=(?P<single>(?:[^'\\]+|\\.|'(?!''))*))(?P=single)(?:'''|\Z)
  | \"\"\"(?=(?P<double>(?:[^"\\]+|\\.|"(?!""))*))(?P=double)(?:\"\"\"|\Z)
  | '(?:[^'\\\n]+|\\.)*'?
  | "(?:[^"\\\n]+|\\.)*"?
  | \#[^\n]*
  | \\\r?\n
    """,
    re.VERBOSE | re.DOTALL,
)
# No possessive quantifier (Python 3.10's `re` has none), the same matches: a triple-quoted body is taken
# atomically (a lookahead's greedy match, then consumed by its back-reference), so a text ending in a lone
# backslash inside one fails at once instead of backtracking through every split of the body; the other loops
# are followed by what always matches, so they never backtrack.
# the scan's chain words (a word it reads as one identifier token is delimited by non-word characters)
_CHAIN_WORD = re.compile(rb"\b(?:a(?:nd|wait)|or|not|i[nsf]|lambda|else)\b")
_LINKS = b"-+*/%@&|^~<>!.='"
_REDUCE = bytes.maketrans(_LINKS + b"[{]};", b"." * len(_LINKS) + b"(()),")
_DROP = bytes(set(range(256)) - set(_LINKS + b"[{]};(),\n"))
_INNERMOST = re.compile(rb"(\([.,\n]*\))")  # a failed try gives back only its own run: linear
_TO_COMMAS = bytes.maketrans(b"()", b",,")
_TOP_PIECE = re.compile(rb"[\n,]")
_INDENT = re.compile(rb"\n([ \t\f]+)")
_FIRST_INDENT = re.compile(rb"[ \t\f]*")
# matched brackets nested deeper than this: the scan decides (each level is one more pass over the reduced text)
_MAX_PASSES = 32


def bound(text: str) -> Optional[tuple[int, int]]:
    """(depth, brackets), each at least what `scan(text)` finds, or None for a file nested too deep to bound
    cheaply. A few passes over the whole text at C speed, none per token (see the comment above)."""
    data = text.encode("utf-8", "surrogatepass")
    reduced = _CHAIN_WORD.sub(b"'", _SPANS.sub(b"'", data)).translate(_REDUCE, _DROP)
    height = 0
    pieces = 0
    while True:
        parts = _INNERMOST.split(reduced)
        if len(parts) == 1:
            break
        height += 1
        if height > _MAX_PASSES:
            return None
        # the groups with nothing bracketed left inside, as `,piece,piece,` runs (their newlines count nothing)
        groups = b"".join(parts[1::2]).translate(_TO_COMMAS, b"\n")
        pieces += max(map(len, groups.split(b",")))
        reduced = b"".join(parts[::2])
    # what is left: text outside every matched group, closing brackets with nothing open (the scan ignores
    # them), then from the first bracket never closed on, one logical line to the end
    outside, unclosed, rest = reduced.replace(b")", b"").partition(b"(")
    lines = _TOP_PIECE.split(outside)
    last = len(lines.pop())
    if unclosed:
        last += rest.count(b".")
    top = max(max(map(len, lines), default=0), last)
    open_brackets = height + (1 + rest.count(b"(") if unclosed else 0)
    widths = {len(indent) for indent in set(_INDENT.findall(data))}
    first = _FIRST_INDENT.match(data)
    if first:
        widths.add(first.end())
    widths.discard(0)
    base = 2 * len(widths) + data.count(b"elif")
    return base + 3 * open_brackets + pieces + top, open_brackets
