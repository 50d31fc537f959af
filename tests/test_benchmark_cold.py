"""benchmarks/cold.py: whole-process pairs of a cold run against a reference, as `/usr/bin/time` accounts them."""

from __future__ import annotations

import sys

import pytest
from conftest import load_script


def _cold():
    return load_script("benchmarks/cold.py")


def test_a_child_that_spends_cpu_is_accounted(tmp_path):
    cold = _cold()
    wall, cpu = cold.timed([sys.executable, "-c", "sum(range(3_000_000))"], tmp_path, {})
    assert cpu > 0.01
    assert wall >= cpu * 0.5  # one process: its CPU cannot much exceed its wall time


@pytest.mark.slow
def test_pairs_report_both_ratios_over_a_tree(tmp_path, capsys):
    (tmp_path / "app.py").write_text("from dapr.clients import DaprClient\n\nclient = DaprClient()\n")
    (tmp_path / "util.py").write_text("def add(a, b):\n    return a + b\n")
    cold = _cold()
    assert cold.main(["--tree", str(tmp_path), "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "2 .py files" in out
    line = next(row for row in out.splitlines() if "bare LibCST loop" in row)
    figures = dict(part.rsplit(" ", 1) for part in line.split(": ", 1)[1].split(", "))
    assert set(figures) == {"A wall", "A cpu", "B wall", "B cpu", "A/B wall", "A/B cpu"}
    assert all(float(value) > 0 for value in figures.values())
