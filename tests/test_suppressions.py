"""# noqa and # dapr-lint: skip-file, in Python and YAML text."""

from __future__ import annotations

import json
import textwrap

import pytest

from dapr_lint.cli import main
from dapr_lint.suppressions import is_suppressed, noqa_map, skips_file


@pytest.mark.parametrize(
    "line, code, suppressed",
    [
        ("x = 1  # noqa", "DPR101", True),
        ("x = 1  # noqa: DPR101", "DPR101", True),
        ("x = 1  # noqa:DPR101,DPR102", "DPR102", True),
        ("x = 1  # NOQA: dpr101", "DPR101", True),
        ("x = 1  # noqa: DPR102", "DPR101", False),
        ("x = 1  # noqa: E501", "DPR101", False),
        ("x = 1  # noqa: DPR1", "DPR105", True),
        ("key: value  # noqa: DPR503", "DPR503", True),
        ("x = 1", "DPR101", False),
    ],
)
def test_noqa_on_a_line(line, code, suppressed):
    assert is_suppressed(code, 1, noqa_map(line)) is suppressed


def test_skip_file_only_in_the_first_lines():
    assert skips_file("# dapr-lint: skip-file\nimport dapr\n")
    assert skips_file("\n" * 5 + "#   dapr-lint:skip-file\n")
    assert not skips_file("\n" * 30 + "# dapr-lint: skip-file\n")


SOURCE = textwrap.dedent(
    """\
    from dapr.clients import DaprClient


    async def handler(client: DaprClient):  # a client from elsewhere: one finding per call
        client.get_metadata()  # noqa: DPR101
        client.save_state("statestore", "k", "v")  # noqa: DPR102
        client.delete_state("statestore", "k")  # noqa
    """
)


def test_noqa_in_a_python_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(SOURCE)
    main(["app.py", "--format", "json"])
    found = [(f["line"], f["code"]) for f in json.loads(capsys.readouterr().out)]
    assert found == [(6, "DPR101")]


def test_skip_file_in_a_python_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text("# dapr-lint: skip-file\n" + SOURCE)
    assert main(["app.py"]) == 0


RESILIENCY = textwrap.dedent(
    """\
    apiVersion: dapr.io/v1alpha1
    kind: Resiliency
    metadata:
      name: orders
    spec:
      policies:
        retries:
          default:{noqa}
            policy: constant
            duration: 5s
            maxRetries: 3
          used:
            policy: constant
            duration: 1s
      targets:
        apps:
          payments:
            retry: used
    """
)


def test_noqa_in_a_yaml_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "resiliency.yaml").write_text(RESILIENCY.format(noqa=""))
    main(["resiliency.yaml", "--format", "json"])
    assert [(f["line"], f["code"]) for f in json.loads(capsys.readouterr().out)] == [(8, "DPR503")]
    (tmp_path / "resiliency.yaml").write_text(RESILIENCY.format(noqa="  # noqa: DPR503"))
    assert main(["resiliency.yaml"]) == 0
