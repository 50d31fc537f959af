"""benchmarks/ceiling.py: a cold run in which LibCST parses only the files where a per-file rule reports."""

from __future__ import annotations

import pickle
import sys

import pytest
from conftest import load_script

from dapr_lint import specs
from dapr_lint.diagnostics import FileResult
from dapr_lint.engine import python_stage
from dapr_lint.settings import Settings

CLEAN = """\
from dapr.clients import DaprClient


def save(order_id: str, body: str) -> None:
    client = DaprClient()
    client.save_state("statestore", order_id, body)
    client.close()
"""
# the same calls on the event loop: DPR101
FINDING = CLEAN.replace("def save", "async def save")
PLAIN = "def add(a, b):\n    return a + b\n"


def _ceiling():
    return load_script("benchmarks/ceiling.py")


def _tree(tmp_path):
    (tmp_path / "store.py").write_text(CLEAN)
    (tmp_path / "handler.py").write_text(FINDING)
    (tmp_path / "util.py").write_text(PLAIN)
    return tmp_path


def test_only_files_libcst_parsed_without_a_finding_are_replayed(tmp_path):
    replayed, looked, parsed = _ceiling().record(_tree(tmp_path))
    # util.py is never parsed with LibCST; handler.py is, and DPR101 reports there
    assert (looked, parsed) == (3, 2)
    assert sorted(replayed) == ["store.py"]
    result = pickle.loads(replayed["store.py"])
    assert result.path == "store.py" and not result.diagnostics and result.summary is not None


def test_each_replayed_file_is_counted_by_where_the_first_pass_stops(tmp_path):
    (tmp_path / "store.py").write_text(CLEAN)
    # the text screen opens on the name; the walk sees only a parameter, and would close the file
    (tmp_path / "param.py").write_text("def make(DaprClient):\n    return DaprClient\n")
    (tmp_path / "newer.py").write_text("type Alias = int\n")  # Python 3.12 syntax
    found = _ceiling().reasons(tmp_path, ["store.py", "param.py"])
    assert sum(found.values()) == 2
    assert found["closes (the text screen opened it)"] == 1
    # the walk stops where the client is read (python/gate_clients.py): a construction outside a `with`
    assert found["read_clients: dapr.clients.DaprClient"] == 1
    if sys.version_info < (3, 12):
        assert _ceiling().reasons(tmp_path, ["newer.py"]) == {"newer syntax than this Python's": 1}


def test_each_family_let_pass_is_sized_and_the_walk_restored_after(tmp_path):
    (tmp_path / "store.py").write_text(CLEAN)
    ceiling = _ceiling()
    sizes = ceiling.family_sizes(tmp_path, ["store.py"])
    assert set(sizes) == set(ceiling.FAMILIES)
    # the file stops only on the client: the clients family closes it, no other does
    assert {name for name, count in sizes.items() if count} == {"Dapr clients (dapr.clients, dapr.aio.clients)"}
    assert sizes["Dapr clients (dapr.clients, dapr.aio.clients)"] == 1
    (stop,) = ceiling.reasons(tmp_path, ["store.py"])
    assert stop.endswith("dapr.clients.DaprClient")


def test_a_file_the_text_screen_alone_opens_counts_for_no_family(tmp_path):
    # the walk closes this module (its own class of that name), but `DaprGrpcClient(` in its text opens it before
    # the walk: letting a family of names pass would not close it, so no family's size or replay counts it
    (tmp_path / "own_class.py").write_text("class DaprGrpcClient:\n    pass\n\n\ndef make():\n    return DaprGrpcClient()\n")
    ceiling = _ceiling()
    assert ceiling.reasons(tmp_path, ["own_class.py"]) == {ceiling.CLOSES: 1}
    assert set(ceiling.family_sizes(tmp_path, ["own_class.py"]).values()) == {0}
    assert ceiling.closed_by(tmp_path, ["own_class.py"], *ceiling.FAMILIES) == []


def test_the_replay_answers_the_first_look_only(tmp_path, monkeypatch):
    monkeypatch.setattr(python_stage, "analyze_python", python_stage.analyze_python)  # restored after the test
    recorded = FileResult("store.py", warnings=["recorded"])
    _ceiling().replaying({"store.py": pickle.dumps(recorded)})
    settings = Settings(frozenset(rule.code for rule in specs.all_rules() if rule.default_enabled), summaries=True)
    data = CLEAN.encode()
    assert python_stage.analyze_python("store.py", data, settings, defer=True).warnings == ["recorded"]
    # a second look (the subscribers found, a deferred file completed) and any other file: checked as usual
    assert python_stage.analyze_python("store.py", data, settings, ("save",), defer=True).warnings == []
    assert python_stage.analyze_python("store.py", data, settings).warnings == []
    assert python_stage.analyze_python("other.py", data, settings, defer=True).warnings == []


def test_a_family_names_the_files_it_closes_and_is_named_by_its_start(tmp_path):
    (tmp_path / "store.py").write_text(CLEAN)
    # a gRPC app and a client: letting the clients family pass is not enough to close it
    (tmp_path / "app.py").write_text(CLEAN + "from dapr.ext.grpc import App\n\napp = App()\n")
    ceiling = _ceiling()
    clients = ceiling.family_named("dapr CLIENTS")
    assert clients == "Dapr clients (dapr.clients, dapr.aio.clients)"
    assert ceiling.closed_by(tmp_path, ["store.py", "app.py"], clients) == ["store.py"]
    grpc = ceiling.family_named("grpc")
    assert ceiling.closed_by(tmp_path, ["store.py", "app.py"], grpc) == []
    # together they close both
    assert ceiling.closed_by(tmp_path, ["store.py", "app.py"], clients, grpc) == ["store.py", "app.py"]
    for unknown in ("dapr cli ents", "nothing"):
        with pytest.raises(ValueError, match="names no family"):
            ceiling.family_named(unknown)
    with pytest.raises(ValueError, match="more than one"):
        ceiling.family_named("")  # the start of every family's name


def test_the_actors_family_lets_an_actor_class_s_bases_pass_and_restores_their_reading(tmp_path):
    # (an actor class alone closes: the first pass reads its SDK bases, python/gate_actors.py; a web framework's
    # actor host keeps its module open)
    (tmp_path / "actor.py").write_text(
        "from dapr.actor import Actor\nfrom dapr.ext.fastapi import DaprActor\n\n\nclass Cart(Actor):\n    pass\n\n\n"
        "def host(app):\n    return DaprActor(app)\n"
    )
    ceiling = _ceiling()
    from dapr_lint.python import gate

    reading = gate._base_kind
    assert ceiling.reasons(tmp_path, ["actor.py"]) == {"run: dapr.ext.fastapi.DaprActor": 1}
    assert ceiling.closed_by(tmp_path, ["actor.py"], ceiling.family_named("actors")) == ["actor.py"]
    assert gate._base_kind is reading


@pytest.mark.slow
def test_only_the_family_s_files_are_replayed_with_family(tmp_path, capsys):
    _tree(tmp_path)
    (tmp_path / "app.py").write_text(CLEAN + "from dapr.ext.grpc import App\n\napp = App()\n")
    assert _ceiling().main(["--tree", str(tmp_path), "--repeat", "1", "--family", "dapr clients"]) == 0
    out = capsys.readouterr().out
    assert "4 Python files, 3 parsed with LibCST, 2 of them with no finding" in out
    assert "replayed: 1 files (those closed by letting pass: Dapr clients (dapr.clients, dapr.aio.clients))" in out
    assert _ceiling().main(["--tree", str(tmp_path), "--repeat", "1", "--family", "dapr", "--family", "grpc"]) == 0
    assert "replayed: 2 files (those closed by letting pass: Dapr clients" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        _ceiling().main(["--tree", str(tmp_path), "--family", "cobol"])
    assert "names no family" in capsys.readouterr().err


@pytest.mark.slow
def test_the_replayed_run_prints_what_the_normal_run_prints_and_is_timed_against_it(tmp_path, capsys):
    assert _ceiling().main(["--tree", str(_tree(tmp_path)), "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "3 Python files, 2 parsed with LibCST, 1 of them with no finding" in out
    assert "what keeps those files open" in out and "dapr.clients.DaprClient" in out
    assert "1  Dapr clients (dapr.clients, dapr.aio.clients)" in out
    assert "replayed: 1 files\n" in out
    line = next(row for row in out.splitlines() if row.startswith("replayed run (A) vs cold dapr-lint (B)"))
    figures = dict(part.rsplit(" ", 1) for part in line.split(": ", 1)[1].split(", "))
    assert set(figures) == {"A wall", "A cpu", "B wall", "B cpu", "A/B wall", "A/B cpu"}
    assert all(float(value) > 0 for value in figures.values())


@pytest.mark.slow
def test_no_figures_when_the_replay_would_change_what_the_run_prints(tmp_path, monkeypatch, capsys):
    ceiling = _ceiling()
    real = ceiling.record

    def wrong(tree):  # a recording that says store.py has a finding it does not have
        replayed, looked, parsed = real(tree)
        result = pickle.loads(replayed["store.py"])
        result.warnings.append("not what the file gives")
        return {"store.py": pickle.dumps(result)}, looked, parsed

    monkeypatch.setattr(ceiling, "record", wrong)
    assert ceiling.main(["--tree", str(_tree(tmp_path)), "--repeat", "1"]) == 1
    assert "does not print what the normal run prints" in capsys.readouterr().err
