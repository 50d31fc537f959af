"""Runtime reliability: a crash, a runaway or a memory hog in one file costs only that file; workers die
with their parent; signals stop a run promptly; --fix writes whole files or nothing, never through a link,
never over a read-only file or an edit made meanwhile."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dapr_lint.engine import workers as engine
from dapr_lint.cli import main

pytestmark = [pytest.mark.slow, pytest.mark.pool]  # `pytest -m "not slow"` leaves it out of the fast loop

VIOLATION = "from dapr.clients import DaprClient\n\n\nasync def handler():\n    DaprClient().get_state('s', 'k')\n"
UNAWAITED = (
    "from dapr.aio.clients import DaprClient\n\n\nasync def publish(order):\n"
    "    async with DaprClient() as client:\n        client.publish_event('pubsub', 'orders', order)\n"
)
FIXED = UNAWAITED.replace("        client.publish_event", "        await client.publish_event")
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and fork")


def write(root: Path, name: str, text: str = VIOLATION) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run_json(capsys, *argv):
    code = main(["check", *argv, "--format", "json", "--no-cache"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def sabotage(monkeypatch, name: str, action) -> None:
    """Make the checker misbehave on one file name (the workers are forked: they inherit the patch)."""
    from dapr_lint.engine import python_stage as analyzer

    original = analyzer.analyze_python

    def patched(path, data, settings, *rest, **options):
        if path.endswith(name):
            action()
        return original(path, data, settings, *rest, **options)

    monkeypatch.setattr(analyzer, "analyze_python", patched)


# -- a crash of any kind costs only that file -------------------------------------------------------------


@linux_only
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_worker_killed_by_a_signal_costs_only_its_file(project, capsys, monkeypatch, jobs):
    for index in range(5):
        write(project, f"ok{index}.py")
    write(project, "crash.py")
    sabotage(monkeypatch, "crash.py", lambda: os.kill(os.getpid(), signal.SIGSEGV))
    code, found, err = run_json(capsys, ".", "--jobs", jobs, "--select", "DPR101")
    assert code == 2  # something was not analysed
    crash = [f for f in found if f["path"] == "crash.py"]
    assert [(f["code"], f["message"], f["line"]) for f in crash] == [
        ("DPR001", "could not be analysed: worker died on signal 11 (SIGSEGV)", 1)
    ]
    assert sorted({f["path"] for f in found if f["code"] == "DPR101"}) == [f"ok{i}.py" for i in range(5)]
    assert "Traceback" not in err


@linux_only
def test_a_runaway_file_stops_at_the_time_budget_and_the_run_goes_on(project, capsys, monkeypatch):
    write(project, "ok.py")
    write(project, "slow.py")

    def spin():
        while True:
            pass

    sabotage(monkeypatch, "slow.py", spin)
    code, found, _ = run_json(capsys, ".", "--select", "DPR101", "--per-file-timeout", "0.3")
    assert code == 2
    assert [f["message"] for f in found if f["path"] == "slow.py"] == [
        "could not be analysed: it took longer than the per-file time budget of 0.3 s (`per-file-timeout`)"
    ]
    assert {f["code"] for f in found if f["path"] == "ok.py"} == {"DPR101"}


def test_the_time_budget_holds_in_process_too(project, capsys, monkeypatch):
    """Where files are checked in the parent (no fork), a profiling timer enforces the same budget."""
    monkeypatch.setattr(engine, "_ISOLATE", False)
    write(project, "ok.py")
    write(project, "slow.py")

    def spin():
        while True:
            pass

    sabotage(monkeypatch, "slow.py", spin)
    write(project, "pyproject.toml", "[tool.dapr-lint]\nper-file-timeout = 0.3\n")
    code, found, _ = run_json(capsys, ".", "--select", "DPR101")
    assert code == 2
    assert [f["code"] for f in found if f["path"] == "slow.py"] == ["DPR001"]
    assert {f["code"] for f in found if f["path"] == "ok.py"} == {"DPR101"}


@linux_only
def test_memory_per_worker_is_bounded(project, capsys, monkeypatch):
    write(project, "ok.py")
    write(project, "hog.py")

    def hog():  # more than the limit in one piece: refused at once (without a limit it would succeed)
        return bytearray(engine.MEMORY_LIMIT + (1 << 30))

    sabotage(monkeypatch, "hog.py", hog)
    code, found, _ = run_json(capsys, ".", "--select", "DPR101")
    assert code == 2
    message = [f["message"] for f in found if f["path"] == "hog.py"]
    assert message == [f"could not be analysed: out of memory (the limit is {engine.MEMORY_LIMIT >> 20} MiB per worker)"]
    assert {f["code"] for f in found if f["path"] == "ok.py"} == {"DPR101"}


def test_a_syntax_error_alone_is_a_finding_not_exit_2(project, capsys):
    write(project, "broken.py", "def f(:\n")
    code, found, _ = run_json(capsys, ".")
    assert code == 1
    assert [f["code"] for f in found] == ["DPR001"]


@pytest.mark.parametrize("jobs, files, expected", [(256, 200, None), (None, 1, 1), (1, 50, 1), (None, 3, None)])
def test_jobs_are_capped_by_files_and_cores(jobs, files, expected):
    cores = engine.cores()
    count = engine.worker_count(jobs, files)
    assert count == (expected if expected is not None else min(cores, files))
    assert 1 <= count <= min(cores, files)


# -- processes and signals --------------------------------------------------------------------------------

HARNESS = """
import sys, time
from dapr_lint.engine import python_stage as analyzer
original = analyzer.analyze_python
delay = float(sys.argv[1])
def slow(path, data, settings, *rest, **options):
    time.sleep(delay)
    return original(path, data, settings, *rest, **options)
analyzer.analyze_python = slow
from dapr_lint.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended; only its parent's reaping is left


def _start(tmp_path: Path, delay: float, *argv: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", HARNESS, str(delay), *argv],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for_workers(process: subprocess.Popen, count: int) -> list[int]:
    for _ in range(600):
        workers = _children(process.pid)
        if len(workers) >= count:
            return workers
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError("the workers never started")


@linux_only
@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs /proc")
def test_workers_die_with_a_killed_parent(tmp_path):
    for index in range(40):
        write(tmp_path, f"m{index}.py")
    process = _start(tmp_path, 0.5, "check", ".", "--jobs", "2", "--no-cache")
    workers = _wait_for_workers(process, 2)
    process.kill()
    killed = time.monotonic()
    process.wait()
    # the caller's pipes close: no worker holds them
    out, err = process.communicate(timeout=5)
    while any(_alive(pid) for pid in workers) and time.monotonic() - killed < 5:
        time.sleep(0.02)
    gone_after = time.monotonic() - killed
    assert not any(_alive(pid) for pid in workers)
    assert gone_after < 1.0


@linux_only
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_fix_promptly_and_leaves_whole_files(tmp_path, signum):
    for index in range(30):
        write(tmp_path, f"m{index:02}.py", UNAWAITED)
    process = _start(tmp_path, 0.3, "check", ".", "--fix", "--jobs", "2", "--no-cache")
    _wait_for_workers(process, 2)
    time.sleep(0.5)  # some files fixed, others in work
    process.send_signal(signum)
    sent = time.monotonic()
    out, err = process.communicate(timeout=30)
    stopped_after = time.monotonic() - sent
    assert process.returncode == 128 + signum
    assert b"interrupted" in err
    assert stopped_after < 1.0
    contents = {p.name: p.read_text() for p in tmp_path.glob("*.py")}
    assert set(contents.values()) <= {UNAWAITED, FIXED}
    assert UNAWAITED in contents.values()  # it did stop before the end
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(".py")] == []  # no temporary file


# -- the write side of --fix -------------------------------------------------------------------------------


def test_fix_does_not_write_through_a_symbolic_link(project, capsys):
    target = write(project / "shared", "util.py", UNAWAITED)
    (project / "svc").mkdir()
    (project / "svc" / "util.py").symlink_to(target)
    assert main(["check", "svc", "--fix", "--no-cache"]) == 1
    err = capsys.readouterr().err
    assert "svc/util.py: not fixed: it is a symbolic link" in err
    assert (project / "svc" / "util.py").is_symlink()
    assert target.read_text() == UNAWAITED


def test_fix_skips_a_read_only_file(project, capsys):
    path = write(project, "app.py", UNAWAITED)
    path.chmod(0o444)
    try:
        assert main(["check", "app.py", "--fix", "--no-cache"]) == 1
        assert "app.py: not fixed: the file is read-only" in capsys.readouterr().err
        assert path.read_text() == UNAWAITED
    finally:
        path.chmod(0o644)


def test_fix_refuses_to_write_a_file_changed_since_it_was_read(project, capsys, monkeypatch):
    from dapr_lint.engine import fixes as fix

    path = write(project, "app.py", UNAWAITED)
    original = fix.fix_python

    def edit_meanwhile(*args, **kwargs):
        outcome = original(*args, **kwargs)
        path.write_text(UNAWAITED + "# edited meanwhile\n")
        return outcome

    monkeypatch.setattr(fix, "fix_python", edit_meanwhile)
    main(["check", "app.py", "--fix", "--no-cache"])
    assert "not fixed: the file changed since it was read" in capsys.readouterr().err
    assert path.read_text() == UNAWAITED + "# edited meanwhile\n"


def test_fix_writes_atomically_and_cleans_stale_temporaries(project, capsys):
    from dapr_lint.engine.fixes import write_atomic

    path = write(project, "app.py", UNAWAITED)
    path.chmod(0o640)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = project / f".app.py.{dead.pid}.0badcafe.dapr-lint"  # left by a run killed mid-write
    stale.write_text("half")
    live = project / f".app.py.{os.getppid()}.0badcafe.dapr-lint"  # another run at work right now
    live.write_text("busy")
    write_atomic(path, FIXED.encode(), expected=UNAWAITED.encode())
    assert path.read_text() == FIXED
    assert oct(path.stat().st_mode & 0o777) == oct(0o640)
    assert not stale.exists() and live.exists()
    assert sorted(p.name for p in project.iterdir()) == sorted(["app.py", live.name])
    # the temporary files' names are never linted
    live.unlink()
    assert main(["check", ".", "--no-cache", "-q"]) in (0, 1)
