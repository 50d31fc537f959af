"""The per-release SDK tables: generated from the SDK's release tags, held here against the installed SDK and the
changes rules rely on; and what a dependency file pins."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dapr_lint import dependencies
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
        # sdk-versions.md: the workflow methods left DaprClient in 1.18.0
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
        # sdk-versions.md says 1.17; the v1.16.1 tag already has it (dapr/clients/health.py)
        ("dapr.clients.health.DaprHealth", "wait_for_sidecar", "1.16.1"),
    ],
)
def test_added_members(cls, member, first):
    assert sdk_releases.first_release_with(cls, member) == first


def test_changed_defaults():
    wait = "dapr.ext.workflow.DaprWorkflowClient"
    assert sdk_releases.default_at(wait, "wait_for_workflow_completion", "timeout_in_seconds", "1.14.1") == 60
    assert sdk_releases.default_at(wait, "wait_for_workflow_completion", "timeout_in_seconds", "1.15.0") == 0
    # sdk-versions.md says `period` became optional in 1.17; the v1.16.0 tag already defaults it to None
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
    assert pin_from("", "x") == SdkPin("1.10.0", "1.19.0", "x")


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
