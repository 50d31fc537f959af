"""docs/ci.md's GitHub Actions workflow, run locally: its shell steps, in order, on a small service.

The install step runs as written, with its two settings pointing at this repository (a `git+file://` URL and
the commit checked out), into a fresh virtual environment (its dependencies come from the package index, as
`pip install -e ".[test]"` does for the suite). The `uses:` steps belong to GitHub
(checkout, setup-python, the SARIF upload); the upload's input must be the file the SARIF step writes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from typing import Optional
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow  # `pytest -m "not slow"` leaves it out of the fast loop

ROOT = Path(__file__).resolve().parents[1]

SERVICE = textwrap.dedent(
    """\
    from dapr.clients import DaprClient


    async def handler(key: str):
        with DaprClient() as client:
            return client.get_state("statestore", key).data
    """
)


def _workflow() -> dict:
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    section = text[text.index("## GitHub Actions") :]
    block = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert block, "docs/ci.md has a workflow"
    return yaml.safe_load(block.group(1))


def _commit() -> str:
    if shutil.which("git") is None:
        pytest.skip("needs git")
    done = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip("not a git checkout")
    return done.stdout.strip()


def test_workflow_shape():
    workflow = _workflow()
    assert workflow["permissions"]["security-events"] == "write"
    steps = workflow["jobs"]["dapr-lint"]["steps"]
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif"))
    sarif_step = next(s for s in steps if "--output-format sarif" in s.get("run", ""))
    assert f"--output-file {upload['with']['sarif_file']}" in sarif_step["run"]
    assert upload.get("if") == "always()" and sarif_step.get("if") == "always()"
    assert re.fullmatch(r"[0-9a-f]{40}", workflow["env"]["DAPR_LINT_REV"])  # a commit, not a tag


def test_workflow_shell_steps_run(tmp_path):
    workflow = _workflow()
    steps = [s for s in workflow["jobs"]["dapr-lint"]["steps"] if "run" in s]
    install, annotate, sarif = steps
    assert "pip install" in install["run"]

    service = tmp_path / "service"
    service.mkdir()
    (service / "svc.py").write_text(SERVICE, encoding="utf-8")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.pop("DAPR_LINT_CACHE_DIR", None)
    env.update(
        {
            "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
            "VIRTUAL_ENV": str(venv),
            "DAPR_LINT_REPOSITORY": ROOT.as_uri(),
            "DAPR_LINT_REV": _commit(),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        }
    )

    def run(step: dict, extra_env: Optional[dict] = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["bash", "-e", "-c", step["run"]],
            cwd=service,
            env={**env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=600,
        )

    installed = run(install)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    deps: dict = {}
    where = subprocess.run(
        [str(bin_dir / "python"), "-c", "import dapr_lint; print(dapr_lint.__file__)"],
        env={**env, **deps},
        capture_output=True,
        text=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr

    annotated = run(annotate, deps)
    assert annotated.returncode == 1, annotated.stderr  # findings fail the job
    assert annotated.stdout.startswith("::error file=svc.py,line=5,col=10")

    scanned = run(sarif, deps)
    assert scanned.returncode == 0, scanned.stderr  # --exit-zero: the upload still runs
    report = json.loads((service / "dapr-lint.sarif").read_text(encoding="utf-8"))
    assert report["version"] == "2.1.0"
    assert {r["ruleId"] for r in report["runs"][0]["results"]} == {"DPR101"}
