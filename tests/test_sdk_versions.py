"""The per-release SDK tables: generated from the SDK's release tags, held here against the installed SDK and the
changes rules rely on; and what a dependency file pins."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dapr_lint.python import dependencies
from dapr_lint.python import sdk_releases
from dapr_lint.python.sdk_releases import SdkPin, admitted, member_at, pin_from
from dapr_lint.python.sdk_table import MEMBERS
from dapr_lint.python.sdk_versions import RELEASES

ROOT = Path(__file__).resolve().parents[1]


def test_the_newest_release_equals_the_member_table():
    assert RELEASES[-1] == "1.19.0"
    newest = sdk_releases.members_at(RELEASES[-1])
    assert {cls: newest[cls] for cls in MEMBERS} == MEMBERS


def test_the_source_reader_describes_the_installed_sdk_as_inspect_does():
    """scripts/sdk_source.py (what the generator runs on every tag) gives, on the installed SDK, exactly the
    table scripts/gen_sdk_table.py derives by importing it."""
    dapr = pytest.importorskip("dapr")
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import sdk_source
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    site = Path(dapr.__file__).resolve().parent.parent
    release = sdk_source.Release(sdk_source.modules_from_folder(site))
    assert release.table() == MEMBERS


def test_releases_are_ordered_and_final():
    versions = [sdk_releases.parse_version(r) for r in RELEASES]
    assert versions == sorted(versions) and RELEASES[0] == "1.10.0"


@pytest.mark.parametrize(
    "cls, member, present, absent",
    [
        # the workflow methods left DaprClient in 1.18.0
        ("dapr.clients.DaprClient", "raise_workflow_event", "1.17.5", "1.18.0"),
        ("dapr.aio.clients.DaprClient", "start_workflow", "1.17.5", "1.18.0"),
    ],
)
def test_removed_members(cls, member, present, absent):
    assert member_at(cls, member, present) is not None
    assert member_at(cls, member, absent) is None


@pytest.mark.parametrize(
    "cls, member, first",
    [
        ("dapr.clients.DaprClient", "publish_events", "1.17.1"),
        ("dapr.clients.DaprClient", "schedule_job", "1.18.0"),
        ("dapr.clients.DaprClient", "schedule_job_alpha1", "1.16.0"),
        ("dapr.clients.DaprClient", "subscribe_with_handler", "1.15.0"),
        ("dapr.clients.DaprClient", "get_credentials", "1.11.0"),
        ("dapr.ext.workflow.DaprWorkflowClient", "purge_workflow", "1.15.0"),
        ("dapr.ext.workflow.aio.DaprWorkflowClient", "schedule_new_workflow", "1.17.1"),
        ("dapr.clients.health.DaprHealth", "wait_until_ready", "1.13.0"),
        # not new in 1.17: the v1.16.1 tag already has it (dapr/clients/health.py)
        ("dapr.clients.health.DaprHealth", "wait_for_sidecar", "1.16.1"),
    ],
)
def test_added_members(cls, member, first):
    assert sdk_releases.first_release_with(cls, member) == first


def test_changed_defaults():
    wait = "dapr.ext.workflow.DaprWorkflowClient"
    assert sdk_releases.default_at(wait, "wait_for_workflow_completion", "timeout_in_seconds", "1.14.1") == 60
    assert sdk_releases.default_at(wait, "wait_for_workflow_completion", "timeout_in_seconds", "1.15.0") == 0
    # `period` did not become optional in 1.17: the v1.16.0 tag already defaults it to None
    actor = "dapr.actor.Actor"
    assert sdk_releases.default_at(actor, "register_reminder", "period", "1.15.1") is sdk_releases.NO_DEFAULT
    assert sdk_releases.default_at(actor, "register_reminder", "period", "1.16.0") is None
    assert sdk_releases.default_at(wait, "schedule_new_workflow", "input", "1.19.0") is sdk_releases.UNKNOWN_DEFAULT


def test_dapr_agents_exports():
    releases = sdk_releases.agent_releases()
    def exported(name, release):
        index = releases.index(release)
        return any(first <= index <= last for first, last in sdk_releases.agent_exports_history(name))
    assert exported("WorkflowApp", "0.9.3") and not exported("WorkflowApp", "0.10.0")
    assert exported("AgentRunner", "1.0.0") and not exported("AgentRunner", "0.13.0")


@pytest.mark.parametrize(
    "specifier, low, high",
    [
        ("==1.15.0", "1.15.0", "1.15.0"),
        ("==1.15.*", "1.15.0", "1.15.1"),
        (">=1.14,<1.16", "1.14.0", "1.15.1"),
        ("~=1.16.0", "1.16.0", "1.16.3"),
        ("~=1.16", "1.16.0", "1.19.0"),
        ("^1.17", "1.17.1", "1.19.0"),
        ("~1.15", "1.15.0", "1.15.1"),
        ("1.18.1", "1.18.1", "1.18.1"),
        (">1.18.0", "1.18.1", "1.19.0"),
        ("<1.19", "1.10.0", "1.18.3"),
        ("!=1.19.0", "1.10.0", "1.18.3"),
    ],
)
def test_what_a_specifier_admits(specifier, low, high):
    assert pin_from(specifier, "x") == SdkPin(low, high, "x")


def test_unreadable_or_unknown_specifiers_pin_nothing():
    assert admitted("==banana") is None
    assert pin_from("<1.0", "x") is None
    assert pin_from("", "x") == SdkPin("1.19.0", "1.19.0", "x")  # `dapr` alone: pip installs the newest


def test_requirement_lines_and_positions():
    text = "# deps\nfastapi>=0.100\n  dapr-ext-workflow == 1.16.0  # pinned\nDapr[FastAPI]>=1.15 ; python_version>'3.9'\n-r base.txt\n"
    found = dependencies.requirements_txt(text)
    assert [(r.name, r.specifier, r.line, r.column, r.extras) for r in found] == [
        ("fastapi", ">=0.100", 2, 0, ()),
        ("dapr-ext-workflow", "== 1.16.0", 3, 2, ()),
        ("dapr", ">=1.15", 4, 0, ("FastAPI",)),
    ]


def test_pyproject_pep621_and_poetry():
    pep621 = '[project]\nname = "svc"\ndependencies = [\n    "dapr>=1.15",\n    "dapr-ext-fastapi>=1.15",\n]\n'
    found = dependencies.pyproject_toml(pep621)
    assert [(r.name, r.specifier, r.line, r.column) for r in found] == [("dapr", ">=1.15", 4, 5), ("dapr-ext-fastapi", ">=1.15", 5, 5)]
    poetry = '[tool.poetry.dependencies]\npython = "^3.11"\ndapr = "^1.14.0"\nflask-dapr = {version = "*"}\n'
    found = dependencies.pyproject_toml(poetry)
    assert [(r.name, r.specifier, r.line) for r in found] == [("python", "^3.11", 2), ("dapr", "^1.14.0", 3), ("flask-dapr", "", 4)]


def test_setup_cfg_and_pipfile():
    cfg = "[options]\ninstall_requires =\n    dapr==1.12.0\n    flask-dapr\n"
    assert [(r.name, r.line) for r in dependencies.setup_cfg(cfg)] == [("dapr", 3), ("flask-dapr", 4)]
    pip = '[packages]\ndapr = "==1.13.0"\n"dapr-ext-grpc" = "*"\n'
    assert [(r.name, r.specifier, r.line) for r in dependencies.pipfile(pip)] == [("dapr", "==1.13.0", 2), ("dapr-ext-grpc", "", 3)]


def test_a_lock_file_wins_over_a_range(tmp_path):
    (tmp_path / ".git").mkdir()
    app = tmp_path / "services" / "orders"
    app.mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["dapr>=1.14"]\n')
    assert dependencies.pin_for(app, tmp_path) == SdkPin("1.14.0", "1.19.0", "pyproject.toml:3")
    (tmp_path / "uv.lock").write_text('version = 1\n[[package]]\nname = "dapr"\nversion = "1.16.2"\n')
    assert dependencies.pin_for(app, tmp_path) == SdkPin("1.16.2", "1.16.2", "uv.lock")
    (app / "requirements.txt").write_text("dapr==1.15.1\n")
    assert dependencies.pin_for(app, tmp_path) == SdkPin("1.15.1", "1.15.1", "services/orders/requirements.txt:1")


def test_a_lock_of_an_unknown_patch_release_uses_its_line():
    assert sdk_releases.exact_pin("1.17.7", "uv.lock") == SdkPin("1.17.5", "1.17.5", "uv.lock")
    assert sdk_releases.exact_pin("1.17.0", "uv.lock") == SdkPin("1.17.1", "1.17.1", "uv.lock")
    assert sdk_releases.exact_pin("1.9.0", "uv.lock") is None


def test_pipfile_and_poetry_locks():
    assert dependencies.locked_version("Pipfile.lock", '{"default": {"dapr": {"version": "==1.14.0"}}}') == "1.14.0"
    assert dependencies.locked_version("poetry.lock", '[[package]]\nname = "Dapr"\nversion = "1.18.3"\n') == "1.18.3"


def test_a_lock_of_another_layout_is_read_as_toml():
    reordered = '[[package]]\nversion = "1.17.2"\nname = "dapr"\n\n[[package]]\nname = \'dapr-agents\'\nversion = "0.9.0"\n'
    assert dependencies.locked_version("uv.lock", reordered) == "1.17.2"
    assert dependencies.locked_version("uv.lock", reordered, "dapr-agents") == "0.9.0"
    usual = '[[package]]\nname = "grpcio"\nversion = "1.70.0"\n\n[[package]]\nname = "dapr"\nversion = "1.16.0"\n'
    assert dependencies.locked_version("uv.lock", usual) == "1.16.0"
    assert dependencies.locked_version("uv.lock", usual, "dapr-agents") is None
    assert dependencies.locked_version("uv.lock", "[[package]\nname = ") is None


def test_a_folder_shared_by_many_is_read_once(tmp_path, monkeypatch):
    (tmp_path / "uv.lock").write_text('version = 1\n[[package]]\nname = "dapr"\nversion = "1.16.2"\n')
    folders = [tmp_path / f"app{i}" / "src" for i in range(20)]
    for folder in folders:
        folder.mkdir(parents=True)
    reads: list = []
    real = dependencies.read_text
    monkeypatch.setattr(dependencies, "read_text", lambda path, within=None: reads.append(path) or real(path, within))
    memo: dependencies.FolderPins = {}
    pins = {dependencies.pin_for(folder, tmp_path, memo) for folder in folders}
    assert pins == {SdkPin("1.16.2", "1.16.2", "uv.lock")}
    assert reads.count(tmp_path / "uv.lock") == 1  # once for dapr and dapr-agents together, not once per app
    assert all(path.exists() for path in reads)  # a lock file a folder does not list is not opened


def test_no_pin_outside_the_repository(tmp_path):
    (tmp_path / "requirements.txt").write_text("dapr==1.12.0\n")
    repo = tmp_path / "repo"
    (repo / "app").mkdir(parents=True)
    assert dependencies.pin_for(repo / "app", repo) is None


@pytest.mark.parametrize(
    "text, flagged",
    [
        ("dapr>=1.15\ndapr-ext-fastapi>=1.15\n", ["dapr-ext-fastapi"]),
        ("dapr-ext-workflow\n", ["dapr-ext-workflow"]),  # `dapr` absent: the extension pulls the newest
        ("dapr==1.19.0\nflask-dapr\n", ["flask-dapr"]),
        ("dapr<1.19\ndapr-ext-grpc\n", []),
        ("dapr==1.18.3\ndapr-ext-workflow==1.18.3\n", []),
        ("dapr>=1.18.0rc0,<1.19.0\ndapr-ext-fastapi>=1.18.0rc0,<1.19.0\n", []),
        ("dapr[fastapi]==1.19.0\n", []),
        ("dapr-ext-fastapi-dev>=0.6.0a0.dev0\n", []),  # the old -dev distributions require dapr-dev, not dapr
    ],
)
def test_legacy_extensions_beside_a_dapr_that_admits_1_19(text, flagged):
    found = dependencies.legacy_extensions(dependencies.requirements_txt(text))
    assert [r.name for r, _ in found] == flagged


def _repository(tmp_path, files):
    (tmp_path / ".git").mkdir()
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_settings_carry_the_pin_of_the_nearest_dependency_file(tmp_path):
    from dapr_lint.config import Resolver

    repo = _repository(tmp_path, {"svc/requirements.txt": "dapr==1.15.1\n", "svc/app.py": "", "other/app.py": ""})
    resolver = Resolver(cwd=repo)
    assert resolver.settings_for(repo / "svc" / "app.py").sdk == SdkPin("1.15.1", "1.15.1", "svc/requirements.txt:1")
    assert resolver.settings_for(repo / "other" / "app.py").sdk is None


def test_target_sdk_overrides_the_dependency_files(tmp_path):
    from dapr_lint.config import Resolver

    repo = _repository(
        tmp_path,
        {"pyproject.toml": '[tool.dapr-lint]\ntarget-sdk = "1.16"\n', "svc/requirements.txt": "dapr==1.15.1\n", "svc/app.py": ""},
    )
    assert Resolver(cwd=repo).sdk_for(repo / "svc" / "app.py") == SdkPin("1.16.0", "1.16.3", "target-sdk in pyproject.toml")


@pytest.mark.parametrize("value", ["2.0", "banana", "1", 1.16])
def test_target_sdk_must_name_a_known_release(tmp_path, value):
    from dapr_lint.config import ConfigError, Resolver

    repo = _repository(tmp_path, {"pyproject.toml": f"[tool.dapr-lint]\ntarget-sdk = {value!r}\n".replace("'", '"'), "a.py": ""})
    with pytest.raises(ConfigError, match="target-sdk"):
        Resolver(cwd=repo).config_for(repo / "a.py")


def test_show_settings_names_the_sdk_and_where_it_came_from(tmp_path, monkeypatch, capsys):
    from dapr_lint.cli import main

    repo = _repository(tmp_path, {"svc/pyproject.toml": '[project]\nname = "svc"\ndependencies = ["dapr>=1.14,<1.16"]\n', "svc/app.py": ""})
    monkeypatch.chdir(repo)
    assert main(["check", "--show-settings", "svc/app.py"]) == 0
    assert "# Dapr SDK judged against: 1.14.0 to 1.15.1 (svc/pyproject.toml:3)" in capsys.readouterr().out


@pytest.mark.parametrize(
    "cls, name, pin, expected",
    [
        ("dapr.clients.DaprClient", "raise_workflow_event", ("1.15.0", "1.15.0"), None),
        ("dapr.clients.DaprClient", "raise_workflow_event", ("1.15.0", "1.19.0"), ("removed", "1.18.0")),
        ("dapr.clients.DaprClient", "raise_workflow_event", ("1.19.0", "1.19.0"), ("removed", "1.18.0")),
        ("dapr.clients.DaprClient", "publish_events", ("1.15.0", "1.15.1"), ("not-yet", "1.17.1")),
        ("dapr.clients.DaprClient", "publish_events", ("1.15.0", "1.19.0"), ("not-yet", "1.17.1")),
        ("dapr.clients.DaprClient", "publish_events", ("1.17.1", "1.19.0"), None),
        ("dapr.clients.DaprClient", "invoke_service", ("1.10.0", "1.19.0"), ("unknown", None)),
        # a class absent at one end of the pin: its import fails, not the member
        ("dapr.ext.workflow.aio.DaprWorkflowClient", "schedule_new_workflow", ("1.15.0", "1.19.0"), None),
    ],
)
def test_member_absence(cls, name, pin, expected):
    absence = sdk_releases.member_absence(cls, name, SdkPin(*pin))
    assert (None if absence is None else (absence.kind, absence.release)) == expected


def test_keyword_absence():
    pin = SdkPin("1.17.5", "1.17.5")
    absence = sdk_releases.keyword_absence("dapr.ext.workflow.DaprWorkflowContext", "wait_for_external_event", "timeout", pin)
    assert absence == sdk_releases.Absence("not-yet", "1.18.0")
    assert sdk_releases.keyword_absence(
        "dapr.ext.workflow.DaprWorkflowContext", "wait_for_external_event", "timeout", SdkPin("1.18.0", "1.19.0")
    ) is None


def _dpr110(repo, monkeypatch, capsys, *args):
    import json

    from dapr_lint.cli import main

    monkeypatch.chdir(repo)
    status = main(["check", *args, "--select", "DPR110", "--format", "json", "--no-cache"])
    out = capsys.readouterr().out
    return status, [(f["path"], f["line"], f["column"], f["message"]) for f in json.loads(out)]


def test_dpr110_reports_on_the_extension_line_of_each_dependency_file(tmp_path, monkeypatch, capsys):
    repo = _repository(
        tmp_path,
        {
            "svc/requirements.txt": "fastapi\ndapr>=1.15\n  dapr-ext-fastapi>=1.15\n",
            "pyproject.toml": '[project]\nname = "x"\ndependencies = [\n  "dapr-ext-workflow>=1.16",\n]\n',
            "worker/setup.cfg": "[options]\ninstall_requires =\n    dapr~=1.18\n    flask-dapr\n",
            "poetry/pyproject.toml": '[tool.poetry.dependencies]\ndapr = "~1.18"\ndapr-ext-grpc = "*"\n',
            "pinned/requirements.txt": "dapr==1.18.3\ndapr-ext-workflow==1.18.3\n",
            "quiet/requirements.txt": "dapr>=1.15\ndapr-ext-grpc  # noqa: DPR110\n",
        },
    )
    status, found = _dpr110(repo, monkeypatch, capsys, ".")
    assert status == 1
    assert found == [
        ("pyproject.toml", 4, 4, "`dapr-ext-workflow` beside a `dapr` that admits 1.19: both install dapr/ext/workflow; uninstalling one deletes it"),
        ("svc/requirements.txt", 3, 3, "`dapr-ext-fastapi` beside a `dapr` that admits 1.19: both install dapr/ext/fastapi; uninstalling one deletes it"),
        ("worker/setup.cfg", 4, 5, "`flask-dapr` beside a `dapr` that admits 1.19: both install flask_dapr; uninstalling one deletes it"),
    ]


def test_dpr110_on_a_named_file_and_a_file_that_is_no_dependency_file(tmp_path, monkeypatch, capsys):
    repo = _repository(tmp_path, {"requirements-dev.txt": "dapr-ext-grpc\n", "notes.txt": "dapr-ext-grpc\n"})
    assert _dpr110(repo, monkeypatch, capsys, "requirements-dev.txt")[1] == [
        ("requirements-dev.txt", 1, 1, "`dapr-ext-grpc` beside a `dapr` that admits 1.19: both install dapr/ext/grpc; uninstalling one deletes it")
    ]
    assert _dpr110(repo, monkeypatch, capsys, ".")[1][0][0] == "requirements-dev.txt"
    assert len(_dpr110(repo, monkeypatch, capsys, ".")[1]) == 1  # notes.txt is not read as requirements


def test_unparsable_dependency_files_are_no_crash(tmp_path, monkeypatch, capsys):
    repo = _repository(tmp_path, {"Pipfile": "[packages\ndapr-ext-grpc = '*'\n", "setup.cfg": "install_requires = dapr-ext-grpc\n[["})
    assert _dpr110(repo, monkeypatch, capsys, ".") == (0, [])


def test_dpr110_trusts_the_lock_a_manifest_installs_from(tmp_path, monkeypatch, capsys):
    """`uv sync`/`pipenv install` install the locked dapr: a lock holding it below 1.19 keeps the layout whole. A
    requirements file has no lock (pip installs it as written). The lock is part of the cache key."""
    repo = _repository(
        tmp_path,
        {
            "svc/pyproject.toml": '[project]\nname = "x"\ndependencies = ["dapr>=1.17", "dapr-ext-workflow>=1.17"]\n',
            "svc/uv.lock": 'version = 1\n[[package]]\nname = "dapr"\nversion = "1.17.3"\n',
            "svc/requirements.txt": "dapr>=1.17\ndapr-ext-workflow>=1.17\n",
        },
    )
    import json

    from dapr_lint.cli import main

    monkeypatch.chdir(repo)

    def paths():
        main(["check", ".", "--select", "DPR110", "--format", "json", "--cache-dir", str(tmp_path / "cache")])
        return [f["path"] for f in json.loads(capsys.readouterr().out)]

    assert paths() == ["svc/requirements.txt"]
    (repo / "svc" / "uv.lock").write_text('version = 1\n[[package]]\nname = "dapr"\nversion = "1.19.0"\n')
    assert paths() == ["svc/pyproject.toml", "svc/requirements.txt"]


# One program, judged under each representative pin: what DPR108 and DPR109 say follows the tables.
PINNED_PROGRAM = '''\
from dapr.clients import DaprClient
from dapr.clients.health import DaprHealth
from dapr.ext.workflow import DaprWorkflowClient
from flask_dapr import DaprApp


def run(job, policy) -> None:
    DaprHealth.wait_until_ready()
    with DaprClient() as client:
        client.raise_workflow_event(instance_id="i", workflow_component="dapr", event_name="go")
        client.publish_events("pubsub", "orders", ["a", "b"])
        client.schedule_job_alpha1(job)
    workflows = DaprWorkflowClient()
    workflows.schedule_new_workflow("order", reuse_id_policy=policy)
    return DaprApp
'''
_FLASK, _READY, _RAISE, _BULK = (4, "DPR109"), (8, "DPR109"), (10, "DPR108"), (11, "DPR108")


@pytest.mark.parametrize(
    "files, expected",
    [
        # 1.12: no publish_events, no jobs API at all, no reuse_id_policy; flask_dapr is the Flask extension
        ({"requirements.txt": "dapr==1.12.0\n"}, {(11, "DPR108"), (12, "DPR108"), (14, "DPR108")}),
        # 1.15: the workflow methods are still on DaprClient (the four findings a 1.15 project used to get)
        ({"requirements.txt": "dapr==1.15.0\n"}, {(11, "DPR108"), (12, "DPR108")}),
        # 1.16.0: the alpha jobs API exists and is the only one; wait_for_sidecar comes in 1.16.1
        ({"requirements.txt": "dapr==1.16.0\n"}, {(11, "DPR108")}),
        # 1.18.0: the workflow methods are gone, the stable jobs API replaces the alpha one
        ({"requirements.txt": "dapr==1.18.0\n"}, {(8, "DPR109"), (10, "DPR108"), (12, "DPR109")}),
        # 1.19: flask_dapr is a shim, reuse_id_policy does nothing
        ({"requirements.txt": "dapr==1.19.0\n"}, {_FLASK, _READY, _RAISE, (12, "DPR109"), (14, "DPR109")}),
        # a range: removed members judged at its top, missing ones at its bottom; replacements must exist at the bottom
        ({"requirements.txt": "dapr>=1.15\n"}, {_RAISE, _BULK, (12, "DPR108"), (14, "DPR109")}),
        # a lock's exact version wins over the range beside it
        ({"pyproject.toml": '[project]\nname = "x"\ndependencies = ["dapr>=1.15"]\n', "uv.lock": '[[package]]\nname = "dapr"\nversion = "1.15.0"\n'},
         {(11, "DPR108"), (12, "DPR108")}),
        # unpinned: the newest release
        ({}, {_FLASK, _READY, _RAISE, (12, "DPR109"), (14, "DPR109")}),
        ({"requirements.txt": "dapr\n"}, {_FLASK, _READY, _RAISE, (12, "DPR109"), (14, "DPR109")}),
    ],
    ids=["1.12", "1.15", "1.16.0", "1.18.0", "1.19", "range", "lock-over-range", "unpinned", "bare-dapr"],
)
def test_findings_follow_the_pinned_release(tmp_path, monkeypatch, capsys, files, expected):
    import json

    from dapr_lint.cli import main

    repo = _repository(tmp_path, {"app.py": PINNED_PROGRAM, **files})
    monkeypatch.chdir(repo)
    main(["check", "app.py", "--select", "DPR108,DPR109", "--format", "json", "--no-cache"])
    found = {(f["line"], f["code"]) for f in json.loads(capsys.readouterr().out)}
    assert found == expected


def test_pinned_messages_name_the_release(tmp_path, monkeypatch, capsys):
    import json

    from dapr_lint.cli import main

    repo = _repository(tmp_path, {"app.py": PINNED_PROGRAM, "requirements.txt": "dapr>=1.15,<1.19\n"})
    monkeypatch.chdir(repo)
    main(["check", "app.py", "--select", "DPR108", "--format", "json", "--no-cache"])
    messages = {f["line"]: (f["column"], f["message"]) for f in json.loads(capsys.readouterr().out)}
    assert messages[10] == (16, "sync DaprClient has no `raise_workflow_event` from SDK 1.18.0 on, and the project admits 1.18.3: AttributeError")
    assert messages[11] == (16, "sync DaprClient has no `publish_events` before SDK 1.17.1, and the project admits 1.15.0: AttributeError")


def test_a_changed_pin_is_not_served_from_the_cache(tmp_path, monkeypatch, capsys):
    import json

    from dapr_lint.cli import main

    repo = _repository(tmp_path, {"app.py": PINNED_PROGRAM, "requirements.txt": "dapr==1.15.0\n"})
    monkeypatch.chdir(repo)

    def lines():
        main(["check", ".", "--select", "DPR108", "--format", "json", "--cache-dir", str(tmp_path / "cache")])
        return sorted(f["line"] for f in json.loads(capsys.readouterr().out) if f["code"] == "DPR108")

    assert lines() == [11, 12]
    (repo / "requirements.txt").write_text("dapr==1.18.0\n")
    assert lines() == [10]


WORKFLOW_PROGRAM = '''\
import uuid

import dapr.ext.workflow as wf

wfr = wf.WorkflowRuntime()


@wfr.workflow(name="order")
def order(ctx: wf.DaprWorkflowContext, order_id: str):
    receipt = str(uuid.uuid4())
    result = yield ctx.call_activity(charge, input={"id": order_id, "receipt": receipt})
    return result


@wfr.activity(name="charge")
async def charge(ctx: wf.WorkflowActivityContext, payload: dict) -> str:
    return payload["id"]
'''


@pytest.mark.parametrize(
    "pin, expected",
    [
        ("dapr==1.17.5", {(10, "DPR701", "a value made in an activity"), (16, "DPR704", "before SDK 1.18.1 (the project admits 1.17.5)")}),
        ("dapr==1.18.0", {(10, "DPR701", "`ctx.uuid4()`"), (16, "DPR704", "the project admits 1.18.0")}),
        ("dapr==1.18.1", {(10, "DPR701", "`ctx.uuid4()`")}),
        ("dapr", {(10, "DPR701", "`ctx.uuid4()`")}),
    ],
)
def test_workflow_messages_speak_of_the_pinned_release(tmp_path, monkeypatch, capsys, pin, expected):
    import json

    from dapr_lint.cli import main

    repo = _repository(tmp_path, {"app.py": WORKFLOW_PROGRAM, "requirements.txt": pin + "\n"})
    monkeypatch.chdir(repo)
    main(["check", "app.py", "--select", "DPR701,DPR704", "--format", "json", "--no-cache"])
    found = json.loads(capsys.readouterr().out)
    assert {(f["line"], f["code"]) for f in found} == {(line, code) for line, code, _ in expected}
    for line, code, fragment in expected:  # the remedy may be in the finding's detail
        assert any(f["line"] == line and fragment in f["message"] + (f.get("detail") or "") for f in found), (line, code, fragment, found)


def test_apps_show_the_sdk_each_app_is_judged_against(tmp_path, monkeypatch, capsys):
    import json

    from dapr_lint.cli import main

    service = "from dapr.clients import DaprClient\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/o')\ndef o() -> dict:\n    with DaprClient() as c:\n        c.save_state('s', 'k', 'v')\n    return {}\n"
    repo = _repository(
        tmp_path,
        {"orders/app.py": service, "orders/requirements.txt": "dapr>=1.16,<1.18\n", "billing/app.py": service},
    )
    monkeypatch.chdir(repo)
    assert main(["apps", "."]) == 0
    text = capsys.readouterr().out
    assert "  Dapr SDK: 1.16.0 to 1.17.5 (orders/requirements.txt:1)\n" in text
    assert "  Dapr SDK: the newest known (nothing pins dapr)\n" in text
    assert main(["apps", ".", "--format", "json"]) == 0
    apps = {a["folder"]: a["sdk"] for r in json.loads(capsys.readouterr().out) for a in r["apps"]}
    assert apps["orders"] == {"low": "1.16.0", "high": "1.17.5", "source": "orders/requirements.txt:1"}
    assert apps["billing"] is None


@pytest.mark.parametrize(
    "requirement, expected",
    [
        ("dapr-agents==0.5.0", {(1, "DurableAgent", "before 0.6.0")}),
        ("dapr-agents==0.10.0", {(1, "AssistantAgent", "from 0.6.0 on")}),
        ("dapr-agents>=0.9", {(1, "AssistantAgent", "from 0.6.0 on"), (1, "Agent", "from 1.0.0 on")}),
        ("dapr-agents==0.13.0", {(1, "AssistantAgent", "from 0.6.0 on")}),
        ("fastapi", set()),  # no dapr-agents listed: its imports are not judged
    ],
)
def test_dapr_agents_imports_follow_the_pinned_release(tmp_path, monkeypatch, capsys, requirement, expected):
    import json

    from dapr_lint.cli import main

    source = "from dapr_agents import AssistantAgent, Agent, DurableAgent, tool\nfrom dapr_agents.llm import OpenAIChatClient\n"
    repo = _repository(tmp_path, {"agent.py": source, "requirements.txt": requirement + "\n"})
    monkeypatch.chdir(repo)
    main(["check", "agent.py", "--select", "DPR108", "--format", "json", "--no-cache"])
    found = json.loads(capsys.readouterr().out)
    got = {(f["line"], f["message"].split("`")[1]) for f in found}
    assert got == {(line, name) for line, name, _ in expected}
    for _line, name, when in expected:
        assert any(f"`{name}` {when}" in f["message"] for f in found)


def test_the_release_names_match_the_tables():
    from dapr_lint.python import sdk_release_names, sdk_versions

    assert sdk_release_names.RELEASES == sdk_versions.RELEASES
    assert sdk_release_names.AGENT_RELEASES == sdk_versions.AGENT_RELEASES


@pytest.mark.slow
def test_a_warm_run_imports_no_member_table(tmp_path):
    """Reading a pin needs the release names only; the member tables load when a file is analysed."""
    import subprocess

    repo = _repository(tmp_path, {"app.py": PINNED_PROGRAM, "requirements.txt": "dapr==1.15.0\n"})
    probe = (
        "import sys\nfrom dapr_lint.cli import main\nmain(['check', '.', '--quiet'])\n"
        "print('dapr_lint.python.sdk_versions' in sys.modules, 'libcst' in sys.modules)\n"
    )
    cold = subprocess.run([sys.executable, "-c", probe], cwd=repo, capture_output=True, text=True, timeout=120)
    warm = subprocess.run([sys.executable, "-c", probe], cwd=repo, capture_output=True, text=True, timeout=120)
    assert "DPR108" in cold.stdout, cold.stdout + cold.stderr  # judged by the pin (in the workers)
    assert warm.stdout.splitlines()[-1] == "False False", warm.stdout + warm.stderr
    assert warm.stdout.splitlines()[:-1] == cold.stdout.splitlines()[:-1]
