"""A fuzzing suite the project keeps: mutants of the fixtures and generated programs.

Every input must give findings, never an internal error or an exception, and a Python file gets DPR001 exactly
when CPython's `compile()` refuses it (for a file using grammar newer than the running interpreter, LibCST's
checks stand in for `compile()`, see python/verify.py; those mutants are counted, not compared).

The default run is a small sample (a few seconds). A larger one:

    DAPR_LINT_FUZZ=50 python -m pytest -q tests/test_fuzz.py     # 50x the sample, a different seed per run
    DAPR_LINT_FUZZ_SEED=7 ...                                       # replay one seed

Failures print the seed and the mutant, so a finding can be turned into a regression test.
"""

from __future__ import annotations

import os
import random
import warnings
from pathlib import Path

import libcst as cst
import pytest

from dapr_lint import registry
from dapr_lint.config import OPTIONS
from dapr_lint.python import verify
from dapr_lint.engine.python_stage import analyze_python
from dapr_lint.resources import analyze_yaml
from dapr_lint.resources.summary import resource_summary
from dapr_lint.settings import Settings

pytestmark = pytest.mark.slow  # `pytest -m "not slow"` leaves it out of the fast loop

FIXTURES = Path(__file__).parent / "fixtures"
SCALE = int(os.environ.get("DAPR_LINT_FUZZ", "1") or 1)
SEED = int(os.environ.get("DAPR_LINT_FUZZ_SEED", "0" if SCALE == 1 else str(random.randrange(1 << 30))))

PYTHON_FILES = sorted((FIXTURES / "python").glob("*.py")) + sorted((FIXTURES / "projects").rglob("*.py"))
YAML_FILES = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".yaml", ".yml"))

# Bytes and snippets a mutation inserts: brackets, block openers, indentation, form feeds, NUL, escapes,
# quotes, keywords that change what compiles (await, yield, return, break), invalid UTF-8, YAML syntax.
_PIECES = [
    b"(", b")", b"[", b"]", b"{", b"}", b":", b",", b"\n", b"    ", b"\t", b"\f", b"\0", b"\\", b"\\x4",
    b"'", b'"', b'"""', b"#", b"await ", b"yield ", b"return 1", b"break", b"async ", b"lambda: ", b"not ",
    b"\xff", b"\xed\xa0\x80", b"\xc3", b"*", b"**", b"=", b"@", b".", b"f'{", b"}'", b"\r", b"-", b"&a ", b"*a",
    b"{{ .Values.x }}", b"? ", b"!!python/object ", b"---\n", b"\x07",
]


def settings() -> Settings:
    return Settings(enabled=frozenset(registry.codes()), options={k: v.default for k, v in OPTIONS.items()})


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to three byte, line or token mutations of `data`."""
    for _ in range(rng.randint(1, 3)):
        if not data:
            return rng.choice(_PIECES)
        kind = rng.randrange(7)
        at = rng.randrange(len(data) + 1)
        if kind == 0:  # delete a byte run
            data = data[:at] + data[at + rng.randint(1, 4) :]
        elif kind == 1:  # insert a piece
            data = data[:at] + rng.choice(_PIECES) + data[at:]
        elif kind == 2:  # replace a byte with a random one
            data = data[:at] + bytes([rng.randrange(256)]) + data[at + 1 :]
        else:
            lines = data.split(b"\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            if kind == 3:  # delete a line
                del lines[i]
            elif kind == 4:  # duplicate a line elsewhere
                lines.insert(j, lines[i])
            elif kind == 5:  # swap two lines
                lines[i], lines[j] = lines[j], lines[i]
            else:  # re-indent a line
                lines[i] = rng.choice([b"", b"  ", b"    ", b"\t", b"\f"]) + lines[i].lstrip()
            data = b"\n".join(lines)
    return data


def cpython_refuses(data: bytes) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(data, "mutant.py", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True
    return False


def uses_newer_grammar(data: bytes) -> bool:
    try:
        return verify.newer_syntax(cst.parse_module(data)) is not None
    except Exception:
        return False


def check_python(data: bytes, label: str) -> str:
    """Lint one Python text; returns "agree" or "newer" (grammar newer than this Python); fails otherwise."""
    result = analyze_python("mutant.py", data, settings())
    assert not result.errors, f"{label}: internal error {result.errors[0].message}\n{data!r}"
    reported = any(d.code == "DPR001" for d in result.diagnostics)
    refused = cpython_refuses(data)
    if refused and not reported and uses_newer_grammar(data):
        return "newer"
    assert reported == refused, (
        f"{label}: DPR001 {'reported' if reported else 'not reported'} but compile() "
        f"{'refuses' if refused else 'accepts'} the file\n{data!r}"
    )
    return "agree"


def test_python_mutants_agree_with_compile():
    rng = random.Random(SEED)
    outcomes: dict[str, int] = {}
    for index in range(60 * SCALE):
        source = rng.choice(PYTHON_FILES)
        data = mutate(source.read_bytes(), rng)
        label = f"seed {SEED}, mutant {index} of {source.name}"
        outcome = check_python(data, label)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    assert outcomes.get("agree", 0) >= outcomes.get("newer", 0)


def test_yaml_mutants_never_raise():
    rng = random.Random(SEED + 1)
    for index in range(60 * SCALE):
        source = rng.choice(YAML_FILES)
        data = mutate(source.read_bytes(), rng)
        try:
            findings = analyze_yaml("mutant.yaml", data, settings())
            resource_summary("/mutant/mutant.yaml", data)
        except Exception as exc:  # pragma: no cover - the assertion message is the point
            pytest.fail(f"seed {SEED}, mutant {index} of {source.name}: {type(exc).__name__}: {exc}\n{data!r}")
        for finding in findings:
            assert finding.line >= 1 and finding.column >= 1


def test_generated_programs_agree_with_compile():
    hypothesmith = pytest.importorskip("hypothesmith")
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hypothesis_settings

    @hypothesis_settings(
        max_examples=25 * SCALE, deadline=None, database=None, derandomize=SCALE == 1,
        suppress_health_check=list(HealthCheck),
    )
    @given(hypothesmith.from_grammar())
    def one(source: str) -> None:
        check_python(source.encode("utf-8", "surrogatepass"), "generated program")
        # and with the header that makes the file relevant, so the rules and the model walk it too
        check_python(b"import dapr\n" + source.encode("utf-8", "surrogatepass"), "generated program (relevant)")

    one()
