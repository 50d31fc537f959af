"""One reader for every file dapr-lint opens (dapr_lint.reading): regular files only, a size bound, no link out of
the repository; and the reproductions it answers: a FIFO named `.env` or `Dockerfile` beside an app, a
`start.sh` linked to /dev/stdin. Every run that could block runs in its own process under a timeout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import write

from dapr_lint import reading

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")

APP = """\
import logging
from fastapi import FastAPI
from dapr.clients import DaprClient

app = FastAPI()
logging.basicConfig(level=logging.INFO)


@app.post("/orders")
def orders():
    with DaprClient() as client:
        client.save_state("statestore", "k", "v")
    return {}
"""


def test_a_regular_file_is_read(tmp_path):
    path = write(tmp_path, "a.py", "x = 1\n")
    assert reading.read_bytes(path) == b"x = 1\n"
    assert reading.read_bytes(path, 3, head=True) == b"x ="
    with pytest.raises(reading.Refused, match="larger than 3 bytes"):
        reading.read_bytes(path, 3)


@needs_fifo
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / ".env"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(reading.Refused, match="not a regular file"):
        reading.read_bytes(fifo)
    assert time.monotonic() - started < 5
    assert not reading.is_regular(fifo)


def test_devices_folders_and_large_files_are_refused(tmp_path):
    (tmp_path / "zero").symlink_to("/dev/zero")
    with pytest.raises(reading.Refused):
        reading.read_bytes(tmp_path / "zero")
    with pytest.raises(reading.Refused):
        reading.read_bytes(tmp_path)
    big = tmp_path / "big.json"
    with open(big, "wb") as handle:
        handle.truncate(1 << 30)  # sparse
    with pytest.raises(reading.Refused):
        reading.read_bytes(big, 1 << 20)
    with pytest.raises(OSError):
        reading.read_bytes(tmp_path / "zero", follow=False)  # O_NOFOLLOW: the link itself is refused


def test_links_are_followed_only_inside_the_repository(tmp_path):
    repo = tmp_path / "repo"
    write(tmp_path, "outside/secret.env", "TOKEN=1\n")
    write(repo, "inside.env", "A=1\n")
    (repo / "in.env").symlink_to(repo / "inside.env")
    (repo / "out.env").symlink_to(tmp_path / "outside" / "secret.env")
    assert reading.read_bytes(repo / "in.env", within=repo) == b"A=1\n"
    with pytest.raises(reading.Refused, match="outside the repository"):
        reading.read_bytes(repo / "out.env", within=repo)
    assert reading.inside(repo / "in.env", repo) and not reading.inside(repo / "out.env", repo)
    assert not reading.inside(tmp_path / "repository-2", repo)


def _check(cwd: Path, *argv: str) -> subprocess.CompletedProcess:
    """A run in its own process whose standard input stays open and silent (a read of it would block), under a
    timeout: a regression fails instead of hanging the suite."""
    command = [sys.executable, "-m", "dapr_lint", "check", *argv, "--output-format", "json", "--jobs", "1"]
    process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return subprocess.CompletedProcess(command, process.returncode, out, err)


@pytest.mark.slow
@needs_fifo
@pytest.mark.parametrize("cache", [True, False])
def test_run_files_that_are_fifos_or_stdin_do_not_block_a_run(tmp_path, cache):
    for name in ("plain", "hostile"):
        write(tmp_path / name, "pyproject.toml", "[tool.dapr-lint]\n")
        write(tmp_path / name, "svc/app.py", APP)
        write(tmp_path / name, "svc/requirements.txt", "dapr\nfastapi\n")
    hostile = tmp_path / "hostile"
    os.mkfifo(hostile / "svc" / ".env")
    os.mkfifo(hostile / "svc" / "Dockerfile")
    os.mkfifo(hostile / "Procfile")
    (hostile / "svc" / "start.sh").symlink_to("/dev/stdin")
    (hostile / "svc" / "run.sh").symlink_to("/dev/zero")
    flags = [] if cache else ["--no-cache"]
    expected = _check(tmp_path / "plain", ".", *flags)
    assert expected.returncode in (0, 1), expected.stderr
    for _ in range(2):  # cold, then warm (the cache's key fingerprints the run files too)
        result = _check(hostile, ".", *flags)
        assert result.returncode == expected.returncode, result.stderr
        assert [f["code"] for f in json.loads(result.stdout)] == [f["code"] for f in json.loads(expected.stdout)]
