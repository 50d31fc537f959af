"""benchmarks/open_files.py: the per-file stage's CPU by what the first pass decided for each file."""

from __future__ import annotations

import re

from conftest import load_script


def _survey():
    return load_script("benchmarks/open_files.py")


def test_each_file_is_counted_where_the_first_pass_sent_it(tmp_path, capsys):
    (tmp_path / "util.py").write_text("def add(a, b):\n    return a + b\n")
    (tmp_path / "settings.py").write_text('import os\n\n\ndef dapr_port():\n    return os.environ.get("DAPR_HTTP_PORT", "3500")\n')
    (tmp_path / "handler.py").write_text(
        "from dapr.clients import DaprClient\n\n\nasync def handler():\n    DaprClient().get_state('s', 'k')\n"
    )
    (tmp_path / "store.py").write_text(
        "from dapr.clients import DaprClient\n\n\ndef read(keys):\n"
        "    with DaprClient() as client:\n        return client.get_state('statestore', keys[0]).data\n"
    )
    # no Dapr in it, but a coroutine calling into a module that may be the project's
    (tmp_path / "caller.py").write_text("from helpers import save\n\n\nasync def handle(order):\n    save(order)\n")
    assert _survey().main(["--tree", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    counts = {group: int(n) for group, n in re.findall(r"^  (\S.*?)\s+(\d+) files", out, re.M)}
    assert counts == {
        "not parsed": 1, "closed": 1, "closed, async calls deferred": 1, "opened, with a finding": 1,
        "opened, no finding": 1,
    }
    assert "5 .py files" in out
    assert re.search(r"^bound, every 'opened, no finding' file closed: [\d.]+ s", out, re.M)
    assert re.search(r"^\s+[\d.]+ s\s+1 files  components$", out, re.M)  # store.py names a state store


def test_a_tree_that_is_not_a_folder_is_a_usage_error(tmp_path, capsys):
    assert _survey().main(["--tree", str(tmp_path / "missing")]) == 2
    assert "is not a folder" in capsys.readouterr().err
