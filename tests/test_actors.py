"""The actor rules across modules: classes, interfaces and registrations resolved through the summaries, and the
project-stage fix of DPR809 (a proxy call by the Python name of a renamed method, in another module than the
interface)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import FIXTURES
from dapr_lint.cli import main

ACTORS = FIXTURES / "projects" / "actors"


def _codes(root: Path, monkeypatch, capsys, *args: str) -> list[tuple[str, int, str]]:
    monkeypatch.chdir(root)
    main(["check", ".", "--format", "json", "--jobs", "1", "--no-cache", *args])
    return sorted((f["path"], f["line"], f["code"]) for f in json.loads(capsys.readouterr().out))


def test_a_proxy_call_in_another_module_is_renamed_to_the_actor_method_name(tmp_path, monkeypatch, capsys):
    root = tmp_path / "actors"
    shutil.copytree(ACTORS, root)
    client = root / "client" / "main.py"
    main_args = ["check", ".", "--select", "DPR809", "--fix", "--no-cache", "--jobs", "1"]
    monkeypatch.chdir(root)
    main(main_args)
    capsys.readouterr()
    fixed = client.read_text(encoding="utf-8")
    assert "return await proxy.GetItems()" in fixed
    assert "proxy.get_items" not in fixed
    # what is left is the keyword call, which has no fix; a second run changes nothing
    main(main_args)
    capsys.readouterr()
    assert client.read_text(encoding="utf-8") == fixed
    assert [c for c in _codes(root, monkeypatch, capsys, "--select", "DPR809") if c[0] == "client/main.py"] == [
        ("client/main.py", 12, "DPR809")
    ]


def test_an_interface_module_alone_is_judged_the_same(monkeypatch, capsys):
    # subset invariance for the per-file part: the interface module checked alone reports what `check .` does there
    monkeypatch.chdir(ACTORS)
    main(["check", "interfaces/cart.py", "--format", "json", "--no-cache", "--jobs", "1"])
    assert json.loads(capsys.readouterr().out) == []


def test_an_implementation_in_another_module_is_made_async(tmp_path, monkeypatch, capsys):
    root = tmp_path / "actors"
    shutil.copytree(ACTORS, root)
    monkeypatch.chdir(root)
    main(["check", ".", "--select", "DPR801", "--fix", "--unsafe-fixes", "--no-cache", "--jobs", "1"])
    capsys.readouterr()
    assert "    async def get_items(self) -> list:  # error: DPR801" in (root / "cart" / "actor.py").read_text(encoding="utf-8")
    assert "    async def clear(self) -> None:" in (root / "shared" / "mixins.py").read_text(encoding="utf-8")
    assert [c for c in _codes(root, monkeypatch, capsys, "--select", "DPR801")] == []
