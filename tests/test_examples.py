"""The example service produces exactly the findings examples/README.md promises a newcomer."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from dapr_lint.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_example_findings_match_the_examples_readme(monkeypatch, capsys):
    table = (ROOT / "examples" / "README.md").read_text(encoding="utf-8").split("## Intended findings", 1)[1]
    table = table.split("### ", 1)[0]
    promised = Counter(
        (f"examples/{path}", int(line), code)
        for path, line, code in re.findall(r"^\| `([^`:]+):(\d+)` \| (DPR\d{3}) \|", table, re.M)
    )
    assert promised, "examples/README.md lost its findings table"
    monkeypatch.chdir(ROOT)
    assert main(["check", "examples", "--format", "json"]) == 1
    found = Counter((f["path"], f["line"], f["code"]) for f in json.loads(capsys.readouterr().out))
    assert found == promised


@pytest.mark.slow
def test_the_opinion_practice_rules_add_what_the_readme_lists(monkeypatch, capsys):
    text = (ROOT / "examples" / "README.md").read_text(encoding="utf-8")
    section = text.split("The practice rules that are opinions", 1)[1].split("## ", 1)[0]
    promised = Counter(
        (f"examples/{path}", int(line), code)
        for path, line, code in re.findall(r"^\| `([^`:]+):(\d+)` \| (DPR\d{3}) \|", section, re.M)
    )
    assert promised, "examples/README.md lost its table of opinion practice findings"
    monkeypatch.chdir(ROOT)
    assert main(["check", "examples", "--format", "json", "--select", "DPR413,DPR414"]) == 1
    found = Counter((f["path"], f["line"], f["code"]) for f in json.loads(capsys.readouterr().out))
    assert found == promised
