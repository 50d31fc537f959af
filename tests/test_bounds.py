"""The cheap bound of python/bounds.py never under-counts the exact scan, so the screen decides DPR001 exactly as
the scan does: on every fixture, on the issue's pathological shapes and on generated adversarial text."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from dapr_lint.python import bounds

from test_pathological import DEEP_BUT_ANALYSED, TOO_DEEP

FIXTURES = Path(__file__).parent / "fixtures"
SOURCES = sorted(FIXTURES.rglob("*.py")) + sorted((Path(__file__).parent.parent / "examples").rglob("*.py"))


def assert_sound(text: str) -> None:
    exact = bounds.scan(text)
    estimate = bounds.bound(text)
    if estimate is not None:
        depth, brackets = estimate
        assert depth >= exact.depth and brackets >= exact.brackets, (exact, estimate, text[:400])
    too_deep, depth = bounds.screen(text)
    assert too_deep == (exact if exact.too_deep else None)
    assert depth >= exact.depth
    assert bounds.check(text) == too_deep


def test_every_fixture_is_bounded_and_screened_as_the_scan_does():
    assert len(SOURCES) > 100
    for path in SOURCES:
        text = path.read_bytes().decode("utf-8-sig", "replace")
        assert_sound(text)
        assert bounds.bound(text) is not None  # normal code: the bound settles it


@pytest.mark.parametrize("name, code", TOO_DEEP + DEEP_BUT_ANALYSED, ids=[n for n, _ in TOO_DEEP + DEEP_BUT_ANALYSED])
def test_the_pathological_shapes(name, code):
    assert_sound(code)


def test_a_normal_file_is_settled_by_the_bound_with_a_modest_recursion_depth():
    text = (FIXTURES / "python").joinpath(sorted(p.name for p in (FIXTURES / "python").glob("*.py"))[0]).read_text()
    too_deep, depth = bounds.screen(text)
    estimate = bounds.bound(text)
    assert too_deep is None and estimate is not None and depth == estimate[0] <= bounds.LOOSE


def test_a_loose_bound_leaves_the_depth_to_the_scan():
    text = "x = " + " + ".join(["a"] * 400) + "\n"  # depth 399: the bound proves it within, but is over LOOSE
    assert bounds.screen(text) == (None, bounds.scan(text).depth)


# -- adversarial shapes --------------------------------------------------------------------------------------

LIMIT_SHAPES = [
    "x = " + "(" * 200 + "1" + ")" * 200 + "\n",
    "x = " + "(" * 201 + "1" + ")" * 201 + "\n",
    "x = " + "[" * 199 + "]" * 199 + "\n",
    "x = " + "f(" * 200 + ")" * 200 + "\n",
    "x = (" * 201 + "\n",  # never closed, over many lines
    "x = " + "{1: " * 199 + "1" + "}" * 199 + "\n",
    "x = " + ")" * 300 + "(" * 150 + "\n" + "a.b\n" * 50,  # closing brackets with nothing open, then unclosed
    "y = 1\n" + "if a:\n    pass\n" + "elif a:\n    pass\n" * 999,
    "y = 1\n" + "if a:\n    pass\n" + "elif a:\n    pass\n" * 1001,
    "x = a" + ".b" * 1001 + "\n",
    "x = " + "not " * 999 + "1\n",
    "x = " + " < ".join(["a"] * 1002) + "\n",
    "x = (\n" + '"a"\n' * 1002 + ")\n",  # implicit concatenation across lines
    "x = (\n" + '"a" \\\n' * 1002 + ")\n",
    "x = " + '"a" \\\n' * 1002 + "\n",  # continuation: one logical line
    "x = " + "a + \\\r\n" * 1002 + "1\r\n",  # continuation with CRLF
    "x = a" + " + a" * 600 + "\r" + " + a" * 600 + "\n",  # a lone CR is no newline
    "\f" + "x = a" + ".b" * 600 + "\f\n" + "\f    y" + ".b" * 500 + "\n",
]


@pytest.mark.parametrize("text", LIMIT_SHAPES, ids=range(len(LIMIT_SHAPES)))
def test_shapes_at_the_limits(text):
    assert_sound(text)


def test_deep_indentation_with_tabs_and_spaces():
    lines = []
    for level in range(600):
        lines.append(("\t" if level % 2 else " ") * level + f"if x{level}:\n")
    lines.append(" " * 600 + "pass\n")
    assert_sound("".join(lines))
    assert_sound("".join(lines[:300]) + "    " + ".a" * 450 + "\n")


# Pieces the generated texts are made of: brackets, operators, chain words, strings of every kind (also left
# unterminated), comments, continuations, every newline and blank the scan treats apart, elif/else ladders.
ATOMS = [
    "(", ")", "[", "]", "{", "}", ",", ";", ":", " ", "  ", "\t", "\f", "\n", "\r\n", "\r", "\\\n", "\\\r\n", "\\",
    ".", "+", "-", "*", "**", "//", "==", "=", "!=", "<=", "->", ":=", "~", "@", "...", "<<=",
    "and ", "or ", "not ", " in ", " is ", "lambda ", "await ", " if ", " else ", "elif ", "else:", "if x:",
    "a", "b1", "x.y", "1.5", "1e-5", "_", "é", "orx", "nota", "elser",
    "'s'", '"s"', "'''a\nb'''", '"""a\n"b"\n"""', "'u", '"u', "'''u", '"""u', "r'\\'", "b'\\\\'", "f'{x}'",
    "rb\"x\"", "if\"x\"", "or'x'", "not'x'", "'a' 'b'", "# c ( [ { 'q\n", "#\\\n",
    "\n    ", "\n        ", "\n\t", "\n \t", "\n\f  ", "\nelif y:\n    ", "\nelse:\n    ",
]


def generated(rng: random.Random, size: int) -> str:
    return "".join(rng.choice(ATOMS) for _ in range(size))


@pytest.mark.slow
def test_generated_token_soups():
    rng = random.Random(20)
    for _ in range(3000):
        assert_sound(generated(rng, rng.randrange(1, 120)))


@pytest.mark.slow
def test_generated_deep_shapes():
    rng = random.Random(7)
    for _ in range(300):
        depth = rng.randrange(150, 260)
        opens = "".join(rng.choice(["(", "[", "{", "f(", "a.b(", "x + (", "not (", "'s' '", "(\n"]) for _ in range(depth))
        closes = "".join(rng.choice([")", "]", "}", ", 1)", ".c)", " + 1)"]) for _ in range(rng.randrange(depth - 10, depth + 10)))
        chain = rng.choice([" + a" * rng.randrange(0, 400), ".a" * rng.randrange(0, 400), " and b" * rng.randrange(0, 300)])
        indent = rng.choice(["", "    " * rng.randrange(0, 60), "\t" * rng.randrange(0, 60)])
        assert_sound("if a:\n" + indent + "x = " + opens + chain + closes + "\n" + generated(rng, 40))


@pytest.mark.slow
def test_hypothesis_texts():
    hypothesis = pytest.importorskip("hypothesis")
    from hypothesis import HealthCheck, given, settings, strategies

    @settings(max_examples=400, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(strategies.lists(strategies.sampled_from(ATOMS) | strategies.text(max_size=3), max_size=80))
    def one(atoms: list[str]) -> None:
        assert_sound("".join(atoms))

    assert hypothesis
    one()


@pytest.mark.slow
def test_the_bound_is_linear_and_cheaper_than_the_scan():
    from conftest import best_of

    code = "".join(path.read_bytes().decode("utf-8-sig", "replace") + "\n" for path in SOURCES)
    nested = "x = " + "f(" * 32 + ")" * 32 + "\n"  # the most passes the bound makes
    small, large = code + nested * 200, code * 10 + nested * 2000
    assert best_of(3, lambda: bounds.bound(large)) / best_of(3, lambda: bounds.bound(small)) < 45  # 10x the text
    assert best_of(3, lambda: bounds.screen(large)) < best_of(1, lambda: bounds.scan(large)) / 2
