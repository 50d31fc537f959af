"""The worker pool (engine/workers.py) with a second file sent ahead to each worker: a crash or an overrun
still names the file being checked, the file waiting in the dead worker's pipe is checked by another worker,
results come back in task order, large tasks never deadlock the pipe; the collector of a worker keeps earlier
files' cycles until a bound, and a file that runs out of memory meanwhile is checked again after freeing them."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import textwrap
import time
import weakref
from pathlib import Path

import pytest

from dapr_lint.cli import main
from dapr_lint.diagnostics import FileResult
from dapr_lint.engine import workers
from dapr_lint.engine.file_stage import FileTask
from dapr_lint.settings import Settings

pytestmark = [
    pytest.mark.slow,  # forks workers
    pytest.mark.pool,
    pytest.mark.skipif(not workers._can_fork(), reason="the pool forks"),
]

SETTINGS = Settings(frozenset())


def job(name: str) -> FileTask:
    return FileTask(name, name, "none")


class _Cycle:
    def __init__(self) -> None:
        self.me = self


_kept: list = []  # in a worker: a weak reference to the cycle the file `cycle.py` left


def work(task: FileTask, settings: Settings) -> FileResult:
    """What each file name asks for; the result names the worker that checked it."""
    name = task.display
    if name.startswith("crash"):
        time.sleep(0.3)  # the parent has sent the next file meanwhile
        os.kill(os.getpid(), signal.SIGSEGV)
    if name.startswith("spin"):
        while True:
            pass
    if name.startswith("stuck"):
        time.sleep(60)  # no CPU spent: only the wall-clock budget ends it
    if name.startswith("sleep"):
        time.sleep(int(name[5:7]) / 100)
    notes = []
    if name.startswith("cycle"):
        cycle = _Cycle()
        _kept.append(weakref.ref(cycle))
        del cycle
    if name.startswith("kept"):
        notes.append("alive" if _kept and _kept[-1]() is not None else "freed")
    if name.startswith("hungry") and _kept and _kept[-1]() is not None:
        raise MemoryError  # as if the garbage kept were what this file lacks
    return FileResult(name, warnings=[str(os.getpid()), *notes])


@pytest.fixture
def losses(monkeypatch):
    """The files each lost worker held when the parent learnt of its end, the one it was checking first."""
    held: list[list[int]] = []
    original = workers._Pool._lost

    def spy(self, slot, *rest):
        held.append(list(slot.held))
        return original(self, slot, *rest)

    monkeypatch.setattr(workers._Pool, "_lost", spy)
    return held


def test_a_crash_reports_the_file_being_checked_and_the_next_one_is_checked_elsewhere(losses):
    tasks = [job("a.py"), job("crash.py"), job("b.py"), job("c.py")]
    results = workers.check_all(tasks, SETTINGS, 1, work)
    assert losses == [[1, 2]]  # crash.py in work, b.py waiting in the same worker's pipe
    assert [r.path for r in results] == ["a.py", "crash.py", "b.py", "c.py"]
    assert results[1].unanalysed == "worker died on signal 11 (SIGSEGV)"
    assert [r.unanalysed for r in results[::2]] == [None, None]
    assert results[2].unanalysed is None and results[2].diagnostics == []
    first, second = results[0].warnings[0], results[2].warnings[0]
    assert first != second  # b.py was checked by the worker that replaced the dead one
    assert results[3].warnings[0] == second


def test_an_overrun_reports_the_file_being_checked_and_the_next_one_is_checked_elsewhere(losses):
    settings = Settings(frozenset(), options={"per-file-timeout": 0.3})
    results = workers.check_all([job("spin.py"), job("b.py"), job("c.py")], settings, 1, work)
    assert losses == [[0, 1]]
    assert results[0].unanalysed == workers._budget_reason(settings)
    assert [r.unanalysed for r in results[1:]] == [None, None]
    assert [r.path for r in results] == ["spin.py", "b.py", "c.py"]


def test_a_stuck_file_stops_at_the_wall_clock_budget_and_the_next_one_is_checked(losses, monkeypatch):
    monkeypatch.setattr(workers, "_wall_budget", lambda timeout: 0.5)
    started = time.monotonic()
    results = workers.check_all([job("stuck.py"), job("b.py")], SETTINGS, 1, work)
    assert time.monotonic() - started < 10
    assert losses == [[0, 1]]
    assert results[0].unanalysed == workers._budget_reason(SETTINGS)
    assert results[1].unanalysed is None


def test_results_come_back_in_task_order():
    names = [f"sleep{delay:02}-{i}.py" for i, delay in enumerate([20, 1, 1, 15, 1, 1, 1, 10, 2, 1, 1, 5, 1])]
    results = workers.check_all([job(n) for n in names], SETTINGS, 2, work)
    assert [r.path for r in results] == names
    assert all(r.unanalysed is None for r in results)
    assert len({r.warnings[0] for r in results}) == 2  # both workers took part


def test_the_largest_files_are_handed_out_first(tmp_path):
    sizes = [3, 40, 1, 40, 900, 7]
    tasks = []
    for index, size in enumerate(sizes):
        path = tmp_path / f"m{index}.py"
        path.write_bytes(b"#" * size)
        tasks.append(FileTask(str(path), path.name, "none"))
    tasks.append(FileTask("missing.py", "missing.py", "none"))  # unknown size: last, the worker reports it
    tasks.append(FileTask("buffer.py", "buffer.py", "none", data=b"#" * 100))  # an editor's buffer: its own size
    assert workers._largest_first(tasks) == [4, 7, 1, 3, 5, 0, 2, 6]

    def record(task, settings):
        return FileResult(task.display, warnings=[str(time.monotonic())])

    results = workers.check_all(tasks, SETTINGS, 1, record)
    assert [r.path for r in results] == [t.display for t in tasks]  # results still in task order
    order = [r.path for r in sorted(results, key=lambda r: float(r.warnings[0]))]
    assert order == [tasks[i].display for i in [4, 7, 1, 3, 5, 0, 2, 6]]


def test_idle_workers_exit_on_their_own_and_are_reaped_by_the_next_pool_or_the_end_of_the_run():
    workers.check_all([job("a.py"), job("b.py")], SETTINGS, 2, work)
    exiting = [child.pid for child in workers._EXITING]
    assert len(exiting) == 2  # told to exit, not waited for
    workers.check_all([job("c.py")], SETTINGS, 1, work)  # a new pool reaps them first
    assert all(pid not in exiting for pid in (child.pid for child in workers._EXITING))
    for pid in exiting:
        with pytest.raises(ChildProcessError):  # reaped: no zombie is left
            os.waitpid(pid, os.WNOHANG)
    workers.reap()
    assert workers._EXITING == []


def test_large_tasks_and_results_do_not_block_the_pipes():
    """A task too large to wait in a busy worker's pipe is sent when the worker is free: sent ahead, the parent
    would block writing it while the worker blocks writing a result as large (each waiting for the other)."""
    script = textwrap.dedent(
        """
        from dapr_lint.diagnostics import FileResult
        from dapr_lint.engine import workers
        from dapr_lint.engine.file_stage import FileTask
        from dapr_lint.settings import Settings

        def work(task, settings):
            return FileResult(task.display, diff=task.data.decode())

        tasks = [FileTask(f"m{i}.py", f"m{i}.py", "none", data=b"x" * (4 << 20)) for i in range(4)]
        results = workers.check_all(tasks, Settings(frozenset()), 1, work)
        assert [len(r.diff) for r in results] == [4 << 20] * 4, [r.unanalysed for r in results]
        print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "ok", done.stderr


def test_a_worker_keeps_earlier_cycles_for_later():
    results = workers.check_all([job("cycle.py"), job("kept.py")], SETTINGS, 1, work)
    assert results[1].warnings[1:] == ["alive"]  # no pass of the collector over the first file's leftovers


@pytest.mark.parametrize("reason", ["bound", "fix"])
def test_a_worker_frees_earlier_cycles_past_the_bound_and_with_fix(monkeypatch, reason):
    settings = SETTINGS
    if reason == "bound":
        monkeypatch.setattr(workers, "_GARBAGE_OBJECTS", 0)
    else:
        settings = Settings(frozenset(), fix_mode="fix")
    results = workers.check_all([job("cycle.py"), job("kept.py")], settings, 1, work)
    assert results[1].warnings[1:] == ["freed"]


def test_a_file_out_of_memory_is_checked_again_once_the_cycles_kept_are_freed():
    results = workers.check_all([job("cycle.py"), job("hungry.py")], SETTINGS, 1, work)
    assert results[1].unanalysed is None
    assert results[1].warnings[0] == results[0].warnings[0]  # in the same worker


@pytest.mark.parametrize("fix_mode, attempts", [(None, 2), ("fix", 1)])
def test_a_file_always_out_of_memory_is_reported_and_with_fix_checked_once(tmp_path, fix_mode, attempts):
    """--fix may have written the file before it ran out of memory: never a second attempt there."""
    log = tmp_path / "attempts"

    def hungry(task, settings):
        if task.display == "hungry.py":
            with open(log, "a") as handle:
                handle.write("attempt\n")
            raise MemoryError
        return work(task, settings)

    results = workers.check_all([job("cycle.py"), job("hungry.py")], Settings(frozenset(), fix_mode=fix_mode), 1, hungry)
    assert results[1].unanalysed == workers._OUT_OF_MEMORY
    assert log.read_text().count("attempt") == attempts


def test_the_collector_is_left_as_it_was_in_the_parent():
    assert gc.isenabled()
    workers.check_all([job("cycle.py"), job("kept.py")], SETTINGS, 1, work)
    assert gc.isenabled()


@pytest.mark.parametrize(
    "extra, each, least",
    [(["--output-format", "json"], '"code": "DPR', 500), (["--diff", "--unsafe-fixes"], "\n+++ b/", 40)],
    ids=["findings", "fixes"],
)
def test_the_pool_gives_what_one_process_gives_on_every_fixture_and_example(extra, each, least, monkeypatch, capsys):
    """The other tests check files in the test's process (tests/conftest.py); here the command's own way, forked
    workers with results sent back through pipes, is held to it on every fixture and example: the same findings,
    fixes and messages, byte for byte."""
    monkeypatch.chdir(Path(__file__).parent.parent)
    argv = ["check", "tests/fixtures", "examples", "--no-cache", "--exit-zero", "--jobs", "2", *extra]

    def run() -> tuple[int, str, str]:
        status = main(argv)
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    pooled = run()
    monkeypatch.setattr(workers, "_ISOLATE", False)
    assert run() == pooled
    assert pooled[1].count(each) > least  # every fixture is in it
