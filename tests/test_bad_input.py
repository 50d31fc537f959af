"""Bad bytes and code CPython refuses are DPR001 findings at the right place; fixes are verified to compile."""

from __future__ import annotations

import codecs
import json
import textwrap

import libcst as cst
import pytest

from dapr_lint import registry
from dapr_lint.cli import main
from dapr_lint.config import OPTIONS
from dapr_lint.engine.fixes import fix_python
from dapr_lint.python import edits, verify
from dapr_lint.engine.python_stage import analyze_python
from dapr_lint.settings import Settings

DAPR_FINDING = textwrap.dedent(
    """\
    from dapr.aio.clients import DaprClient


    async def publish(order):
        async with DaprClient() as client:
            client.publish_event("pubsub", "orders", order)
    """
)


def settings(fix_mode=None) -> Settings:
    return Settings(
        enabled=frozenset(registry.codes()),
        options={k: v.default for k, v in OPTIONS.items()},
        fix_mode=fix_mode,
        unsafe_fixes=False,
    )


def dpr001(data: bytes) -> list[tuple[str, int, int]]:
    result = analyze_python("x.py", data, settings())
    assert not result.errors
    return [(d.message, d.line, d.column) for d in result.diagnostics if d.code == "DPR001"]


@pytest.mark.parametrize(
    "data, message, line, column",
    [
        (b"# -*- coding: utf-t -*-\nimport dapr\n", "unknown encoding: utf-t", 1, 1),
        (b"import dapr\n\n# -*- coding: utf-8 -*-\nx = '\xe9t\xe9'\n", "cannot decode the file as UTF-8: byte 0xe9", 4, 6),
        (b"import dapr\nx = '\xed\xa0\x80'\n", "cannot decode the file as UTF-8: byte 0xed", 2, 6),  # a lone surrogate
        ("import dapr\n".encode("utf-16"), "UTF-16 byte-order mark", 1, 1),
        ("import dapr\n".encode("utf-16-le"), "looks like UTF-16", 1, 2),
        ("import dapr\n".encode("utf-32"), "UTF-32 byte-order mark", 1, 1),
        (bytes(range(256)) * 8, "looks like a binary file", 1, 1),
        (b"import dapr\nx = 1\0\n", "NUL byte", 2, 6),
        (codecs.BOM_UTF8 + b"import dapr\nx = '\xff'\n", "byte 0xff", 2, 6),
        (codecs.BOM_UTF8 + b"# coding: latin-1\nimport dapr\n", "encoding problem", 1, 1),
    ],
)
def test_undecodable_files_are_dpr001_at_the_failing_position(data, message, line, column):
    [(found, found_line, found_column)] = dpr001(data)
    assert message in found
    assert (found_line, found_column) == (line, column)


def test_a_declared_encoding_is_honoured():
    assert dpr001(b"# coding: latin-1\nimport dapr\nx = '\xe9'\n") == []
    assert dpr001(codecs.BOM_UTF8 + b"import dapr\nx = 1\n") == []


@pytest.mark.parametrize("relevant", [True, False])
@pytest.mark.parametrize(
    "code, message",
    [
        ("x = '\\x4'\n", "(unicode error)"),
        ("x = b'\\x4'\n", "invalid \\x escape"),
        ("return 1\n", "'return' outside function"),
        ("async def f():\n    class A:\n        x = await g()\n", "'await' outside function"),
        ("async def f():\n    yield 1\n    return 2\n", "'return' with value in async generator"),
        ("for x in y:\n    pass\nelse:\n    break\n", "'break' outside loop"),
    ],
)
def test_what_compile_refuses_is_dpr001(code, message, relevant):
    data = (("import dapr\n" if relevant else "import os\n") + code).encode()
    found = dpr001(data)
    assert len(found) == 1 and message in found[0][0]
    with pytest.raises(SyntaxError):
        compile(data, "x.py", "exec")


def test_valid_newer_syntax_is_not_dpr001():
    # Python 3.12 f-strings and type aliases: LibCST parses them whatever Python runs dapr-lint
    code = 'import dapr\nsongs = {"a": 1}\nprint(f"{songs["a"]}")\ntype Pair = tuple[int, int]\n'
    assert dpr001(code.encode()) == []


def test_newer_syntax_with_a_compile_error_is_still_reported():
    code = 'import dapr\nprint(f"{songs["a"]}")\nreturn 1\n'
    found = dpr001(code.encode())
    assert len(found) == 1 and "'return' outside function" in found[0][0] and found[0][1] == 3


@pytest.mark.parametrize(
    "code",
    [
        "async def f():\n    class A:\n        x = await g()\n",
        "async def f():\n    yield 1\n    return 2\n",
        "yield 1\n",
        "class A:\n    yield 1\n",
        "def f():\n    return [(yield x) for x in y]\n",
        "async def f():\n    yield from g()\n",
        "def f():\n    await g()\n",
        "await g()\n",
        "return 1\n",
        "for x in y:\n    def f():\n        break\n",
        "while 1:\n    break\nelse:\n    continue\n",
        "nonlocal x\n",
        "def f():\n    async with a:\n        pass\n",
        "def f():\n    async for x in a:\n        pass\n",
        "async def f():\n    async with a:\n        return [await x for x in y]\n",
        "def f():\n    x = lambda: (yield)\n    return 1\n",
        "async def f():\n    def g():\n        yield 1\n        return 2\n    return 3\n",
        "for x in y:\n    try:\n        continue\n    finally:\n        pass\n",
    ],
)
def test_libcst_semantic_checks_agree_with_compile(code):
    """The checks used for code newer than the running Python give compile()'s verdict."""
    found = verify.semantic_problems(cst.parse_module(code))
    compiled = verify.compile_problem(code.encode())
    assert bool(found) == bool(compiled)
    if found:
        assert found[0][0] == compiled.message


def test_a_fix_that_would_not_compile_is_dropped_with_a_warning(monkeypatch, tmp_path, capsys):
    # `await` inside a lambda within the `async def`: it parses, but does not compile
    def add_await_in_class(call, parenthesize):
        return edits.Edit(call, lambda node: cst.parse_expression("(lambda: (await node))()"))

    monkeypatch.setattr(edits, "add_await", add_await_in_class)
    data = DAPR_FINDING.encode()
    outcome = fix_python("app.py", data, settings("fix"))
    assert outcome.data == data and outcome.applied == []
    assert not outcome.problems
    assert outcome.refused and "'await' outside async function" in outcome.refused[0]

    path = tmp_path / "app.py"
    path.write_bytes(data)
    monkeypatch.chdir(tmp_path)
    status = main(["check", "--fix", "app.py"])
    captured = capsys.readouterr()
    assert status == 1  # the finding stays reported; no internal error (exit 2), no "All checks passed"
    assert "DPR104" in captured.out and "All checks passed" not in captured.out
    assert "dapr-lint: warning: app.py: the fix for DPR104 was not applied" in captured.err
    assert path.read_bytes() == data


def test_verify_fix_accepts_a_problem_the_original_already_had():
    before = b"async def f():\n    yield 1\n    g()\n    return 2\n"
    after = b"async def f():\n    yield 1\n    await g()\n    return 2\n"
    assert verify.verify_fix(before, after) is None
    assert "does not compile" in verify.verify_fix(b"async def f():\n    g()\n    return 2\n", b"async def f():\n    yield g()\n    return 2\n")


def test_other_files_keep_their_findings_next_to_bad_bytes(tmp_path, capsys, monkeypatch):
    (tmp_path / "app.py").write_text(DAPR_FINDING)
    (tmp_path / "utf16.py").write_bytes("import dapr\n".encode("utf-16"))
    (tmp_path / "binary.py").write_bytes(bytes(range(256)))
    (tmp_path / "cookie.py").write_bytes(b"# -*- coding: utf-t -*-\nimport dapr\n")
    monkeypatch.chdir(tmp_path)
    status = main(["check", "--output-format", "json", "."])
    found = {(item["path"].split("/")[-1], item["code"]) for item in json.loads(capsys.readouterr().out)}
    assert status == 1
    assert found == {("app.py", "DPR104"), ("utf16.py", "DPR001"), ("binary.py", "DPR001"), ("cookie.py", "DPR001")}
