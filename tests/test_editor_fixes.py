"""The editor's code actions give exactly the text `dapr-lint check --fix` gives, on every Python fixture: "fix all
safe findings" against `--fix`, and each finding's own fix against `--fix --unsafe-fixes --select CODE` when it is
the only finding of its rule with a fix in the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, fixture_codes

from dapr_lint import specs
from dapr_lint.cli import main
from dapr_lint.config import CommandLine, Resolver, SelectionLayer
from dapr_lint.editor import fix_all_safe, fix_one, lint_buffer

def _with_fixes(path: Path) -> bool:
    """A fixture checked for at least one rule that has a fix (the others have nothing to compare)."""
    return any(specs.get(code).fix_safety for code in fixture_codes(path, path.read_text(encoding="utf-8")))


PYTHON_FIXTURES = [path for path in sorted((FIXTURES / "python").glob("*.py")) if _with_fixes(path)]


def _cli_fix(folder: Path, name: str, data: bytes, codes: list[str], unsafe: bool) -> bytes:
    target = folder / name
    target.write_bytes(data)
    argv = ["check", "--fix", "--no-cache", "--exit-zero", "--quiet", "--select", ",".join(codes), str(target)]
    assert main([*argv, *(["--unsafe-fixes"] if unsafe else [])]) in (0, 1)
    return target.read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("fixture", PYTHON_FIXTURES, ids=lambda p: p.name)
def test_code_actions_match_the_command_line_fix(fixture, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    # the fixtures' configuration, with a time budget a loaded machine cannot overrun (a DPR001 would make
    # both sides differ from what the fixture is about)
    (tmp_path / "pyproject.toml").write_text(
        (FIXTURES / "pyproject.toml").read_text(encoding="utf-8") + "per-file-timeout = 600\n", encoding="utf-8"
    )
    original = fixture.read_bytes()
    codes = sorted(fixture_codes(fixture, original.decode("utf-8")))
    path = tmp_path / fixture.name
    path.write_bytes(original)
    resolver = Resolver(CommandLine(selection=SelectionLayer(select=codes)))

    (tmp_path / "cli").mkdir()
    expected_all = _cli_fix(tmp_path / "cli", fixture.name, original, codes, unsafe=False)
    assert (fix_all_safe(path, original, resolver) or original) == expected_all

    findings = lint_buffer(path, original, resolver).diagnostics
    for finding in findings:
        if finding.fix is None:
            continue
        fixed = fix_one(path, original, finding, resolver)
        if sum(1 for other in findings if other.code == finding.code and other.fix is not None) > 1:
            # several findings of the rule: the action fixes this one only; --fix would fix them all
            assert fixed is None or fixed != original
            continue
        expected = _cli_fix(tmp_path / "cli", fixture.name, original, [finding.code], unsafe=True)
        assert (fixed or original) == expected, f"{finding.code} at {finding.line}:{finding.column}"
    assert path.read_bytes() == original  # the editor's functions never write
    capsys.readouterr()


def test_a_project_rules_fix_applies_to_the_buffer_not_the_file_on_disk(tmp_path, monkeypatch):
    """DPR401's fix (a project rule's) builds on the buffer even when no per-file fix changed it: it used to
    read the file on disk instead (also through `--stdin-filename`)."""
    monkeypatch.chdir(tmp_path)
    fixture = FIXTURES / "python" / "DPR401_fastapi.py"
    shutil.copy(FIXTURES / "pyproject.toml", tmp_path / "pyproject.toml")
    buffer = fixture.read_bytes()
    path = tmp_path / "app.py"
    path.write_bytes(b"# what the disk holds: not what the editor shows\n")
    resolver = Resolver(CommandLine(selection=SelectionLayer(select=["DPR401"])))
    [finding] = [d for d in lint_buffer(path, buffer, resolver).diagnostics if d.fix is not None][:1]
    fixed = fix_one(path, buffer, finding, resolver)
    assert fixed is not None and fixed.startswith(buffer[:40]) and b"what the disk holds" not in fixed
