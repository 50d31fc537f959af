"""The actor rules across modules: classes, interfaces and registrations resolved through the summaries, and the
project-stage fix of DPR809 (a proxy call by the Python name of a renamed method, in another module than the
interface)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

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


# -- DPR610: the actor state store an app's resources must hold ------------------------------------------------------

HOST = """
from dapr.actor import Actor, ActorInterface, actormethod
from dapr.ext.fastapi import DaprActor
from fastapi import FastAPI

app = FastAPI()
actor = DaprActor(app)


class CartInterface(ActorInterface):
    @actormethod(name="GetItems")
    async def get_items(self) -> list: ...


class CartActor(Actor, CartInterface):
    async def get_items(self) -> list:
        return []


@app.on_event("startup")
async def register() -> None:
    await actor.register_actor(CartActor)
"""

STORE = """
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: statestore
spec:
  type: state.redis
  version: v1
  metadata:
  - name: redisHost
    value: localhost:6379
{flag}{scopes}
"""
FLAG = '  - name: actorStateStore\n    value: "true"\n'
RUN = """
version: 1
apps:
  - appID: carts
    appDirPath: ./carts
    resourcesPaths: ["../components"]
    command: ["python", "app.py"]
"""


def _dpr610(root: Path, monkeypatch, capsys) -> list[tuple[str, int, str]]:
    return [c for c in _codes(root, monkeypatch, capsys, "--select", "DPR610")]


def _repository(root: Path, flag: str, scopes: str = "", run: bool = True) -> None:
    (root / "carts").mkdir(parents=True)
    (root / "components").mkdir()
    (root / ".git").mkdir()
    (root / "carts" / "app.py").write_text(HOST, encoding="utf-8")
    (root / "components" / "statestore.yaml").write_text(STORE.format(flag=flag, scopes=scopes), encoding="utf-8")
    if run:
        (root / "dapr.yaml").write_text(RUN, encoding="utf-8")


def test_dpr610_an_actor_app_without_an_actor_state_store(tmp_path, monkeypatch, capsys):
    _repository(tmp_path, flag="")
    assert _dpr610(tmp_path, monkeypatch, capsys) == [("carts/app.py", 7, "DPR610")]


def test_dpr610_the_flag_counts_for_the_apps_it_is_scoped_to(tmp_path, monkeypatch, capsys):
    _repository(tmp_path / "mine", flag=FLAG, scopes="scopes:\n- carts\n")
    assert _dpr610(tmp_path / "mine", monkeypatch, capsys) == []
    _repository(tmp_path / "theirs", flag=FLAG, scopes="scopes:\n- orders\n")
    assert _dpr610(tmp_path / "theirs", monkeypatch, capsys) == [("carts/app.py", 7, "DPR610")]


def test_dpr610_is_silent_without_known_resources(tmp_path, monkeypatch, capsys):
    (tmp_path / ".git").mkdir()
    (tmp_path / "app.py").write_text(HOST, encoding="utf-8")  # the CLI's default components may serve it
    assert _dpr610(tmp_path, monkeypatch, capsys) == []


def test_dpr610_does_not_judge_kubernetes_resources(tmp_path, monkeypatch, capsys):
    (tmp_path / ".git").mkdir()
    (tmp_path / "carts").mkdir()
    (tmp_path / "carts" / "app.py").write_text(HOST, encoding="utf-8")
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "statestore.yaml").write_text(STORE.format(flag="", scopes=""), encoding="utf-8")
    (tmp_path / "deploy" / "carts.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: carts\nspec:\n  template:\n    metadata:\n"
        "      annotations:\n        dapr.io/enabled: \"true\"\n        dapr.io/app-id: carts\n",
        encoding="utf-8",
    )
    assert _dpr610(tmp_path, monkeypatch, capsys) == []


# -- DPR805: a registration the tool cannot follow silences its own app only ------------------------------------------

LOOP_HOST = HOST.replace(
    "    await actor.register_actor(CartActor)",
    "    for actor_type in (CartActor, WishlistActor):\n        await actor.register_actor(actor_type)",
) + """

class WishlistActor(Actor, CartInterface):
    async def get_items(self) -> list:
        return []
"""
UNREGISTERED_HOST = HOST + """

class WishlistActor(Actor, CartInterface):
    async def get_items(self) -> list:
        return []
"""


def test_dpr805_an_unresolved_registration_silences_its_app_only(tmp_path, monkeypatch, capsys):
    (tmp_path / ".git").mkdir()
    for name, text in (("loop", LOOP_HOST), ("cart", UNREGISTERED_HOST)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "app.py").write_text(text, encoding="utf-8")
    found = _codes(tmp_path, monkeypatch, capsys, "--select", "DPR805")
    assert found == [("cart/app.py", 25, "DPR805")]


# -- DPR807: `period` was required before SDK 1.16 --------------------------------------------------------------------

REMINDER = """
from datetime import timedelta

from dapr.actor import Actor, ActorInterface, Remindable, actormethod


class AlarmInterface(ActorInterface):
    @actormethod(name="Arm")
    async def arm(self) -> None: ...


class AlarmActor(Actor, AlarmInterface, Remindable):
    async def arm(self) -> None:
        await self.register_reminder("once", b"", timedelta(seconds=5))
        await self.register_reminder("every", b"", timedelta(seconds=5), timedelta(minutes=1))
        await self.register_reminder("named", b"", due_time=timedelta(seconds=5), period=timedelta(minutes=1))

    async def receive_reminder(self, name, state, due_time, period, ttl=None) -> None:
        pass
"""


@pytest.mark.parametrize(
    "pin, expected",
    [(("1.15.1", "1.15.1"), [14]), (("1.14.0", "1.15.1"), [14]), (("1.15.1", "1.16.0"), []), (None, [])],
)
def test_dpr807_a_reminder_without_period_on_an_sdk_that_requires_it(pin, expected):
    # the pin as the engine hands it to the model (settings.sdk; the CLI passes it per file once the engine does)
    import libcst as cst

    from dapr_lint import registry
    from dapr_lint.python.model import ModuleModel
    from dapr_lint.python.rules.actors import reminder_contract
    from dapr_lint.python.sdk_releases import SdkPin

    module = cst.parse_module(REMINDER)
    sdk = SdkPin(pin[0], pin[1], "requirements.txt:1") if pin is not None else None
    model = ModuleModel.build(module, {}, sdk)
    lines = []
    for finding in reminder_contract(model, registry.reporter("DPR807")):
        lines.append(module.code[: module.code.index(module.code_for_node(finding.at))].count("\n") + 1)
    assert lines == expected
