"""The per-file stage: positions, encodings, relevance test, unreadable files."""

from __future__ import annotations

import json

import pytest

from dapr_lint.cli import main

SOURCE = (
    "from dapr.clients import DaprClient\n"
    "\n"
    "\n"
    "async def handler():\n"
    "    client = DaprClient(\n"
    "        address='localhost:50001',\n"
    "    )\n"
    "    return client.get_state('s', 'k')\n"
)


def findings(capsys, *argv):
    """The ranges of the DPR101 findings and of their related locations (the client's calls), in order."""
    main([*argv, "--format", "json", "--select", "DPR101"])
    ranges = []
    for f in json.loads(capsys.readouterr().out):
        ranges.append((f["line"], f["column"], f["end_line"], f["end_column"]))
        ranges.extend((r["line"], r["column"], r["end_line"], r["end_column"]) for r in f["related"])
    return ranges


def test_multiline_positions(project, capsys):
    (project / "a.py").write_text(SOURCE)
    assert findings(capsys, "a.py") == [(5, 14, 7, 6), (8, 12, 8, 38)]


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s.replace("\n", "\r\n").encode(),
        lambda s: b"\xef\xbb\xbf" + s.encode(),
        lambda s: ("# -*- coding: latin-1 -*-\n# caf\xe9\n" + s).encode("latin-1"),
    ],
    ids=["crlf", "bom", "latin-1"],
)
def test_encodings_and_line_endings_keep_positions(project, capsys, encode):
    data = encode(SOURCE)
    (project / "a.py").write_bytes(data)
    shift = 2 if b"latin-1" in data else 0
    assert findings(capsys, "a.py") == [(5 + shift, 14, 7 + shift, 6), (8 + shift, 12, 8 + shift, 38)]


def test_unreadable_file_is_an_error_not_a_crash(project, capsys):
    (project / "a.py").write_text(SOURCE)
    target = project / "b.py"
    target.symlink_to(project / "does-not-exist.py")
    # a dangling link named explicitly is a usage error; found in a folder it is skipped
    assert main(["b.py"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_files_without_dapr_are_not_modelled(project, capsys, monkeypatch):
    from dapr_lint.python import model

    built = []
    original = model.ModuleModel.build.__func__

    def spy(cls, module, *args, **kwargs):
        built.append(module)
        return original(cls, module, *args, **kwargs)

    monkeypatch.setattr(model.ModuleModel, "build", classmethod(spy))
    (project / "plain.py").write_text("import os\n\nprint(os.getcwd())\n")
    (project / "svc.py").write_text(SOURCE)
    main(["--jobs", "1", "."])
    assert len(built) == 1
