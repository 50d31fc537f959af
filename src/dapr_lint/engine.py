"""Runs the per-file stage over many files, in worker processes when that pays, and never loses one
file's results to another file's failure."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
import traceback
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

from dapr_lint import reading, specs
from dapr_lint.cache import run_cached
from dapr_lint.diagnostics import Diagnostic, FileResult, InternalError
from dapr_lint.files import SourceFile, display_path, kind_of, repository_files
from dapr_lint.project import stage
from dapr_lint.settings import Settings
from dapr_lint.suppress import is_suppressed, noqa_map, skips_file
from dapr_lint.summaries import ResourceSummary, Summary

# In `FileTask.ignored`: the file is test code (`test-paths`), which --fix never rewrites (config.NO_FIX).
NO_FIX = "no-fix"


@dataclass(frozen=True)
class FileTask:
    path: str
    display: str
    kind: str
    # codes `per-file-ignores` switches off for this file
    ignored: frozenset[str] = frozenset()
    # the file's content when it does not come from disk (standard input, an editor's unsaved buffer)
    data: Optional[bytes] = None
    # a YAML file in a Helm chart's `templates/` folder: Kubernetes manifests (resources.in_helm_chart)
    chart_template: bool = False


def check_file(task: FileTask, settings: Settings) -> FileResult:
    """The whole per-file stage for one file; exceptions become InternalErrors, never propagate."""
    try:
        if task.data is not None:
            data = task.data
        else:
            data = reading.read_bytes(task.path)
    except OSError as exc:
        result = FileResult(task.display)
        result.errors.append(InternalError(task.display, "reading the file", exc.strerror or str(exc)))
        return result
    try:
        text = _decode(data)
        if skips_file(text):
            return FileResult(task.display)
        if task.kind == "python":
            from dapr_lint.python.analyzer import analyze_python

            fixed: list[str] = []
            fix_errors: list[InternalError] = []
            diff, original = None, data
            if settings.fix_mode is not None and NO_FIX not in task.ignored:
                data, fixed, diff, fix_errors = _fix(task, data, settings)
                text = _decode(data)
            result = analyze_python(task.display, data, settings)
            result.fixed, result.diff = fixed, diff
            result.errors.extend(e for e in fix_errors if not isinstance(e, _Refusal))
            result.warnings.extend(e.message for e in fix_errors if isinstance(e, _Refusal))
            if settings.fix_mode == "diff" and data != original:
                # project fixes (a missing health route) build on this text; the diff starts from the file
                result.fixed_data, result.original_data = data, original
        else:
            result = FileResult(task.display, diagnostics=_analyze_yaml(task.display, data, settings, task.chart_template))
            result.summary = _resource_summary(task, data, settings)
        _filter(result, text, task.ignored)
        if result.summary is not None:
            result.summary = _annotate_summary(result.summary, task, text)
        return result
    except MemoryError:
        return unanalysed(task, f"out of memory (the limit is {MEMORY_LIMIT >> 20} MiB per worker)")
    except Exception as exc:
        result = FileResult(task.display)
        result.errors.append(
            InternalError(task.display, f"the {task.kind} checker", f"{type(exc).__name__}: {exc}", traceback.format_exc())
        )
        return result


class _Refusal(InternalError):
    """A fix dropped because its result would not compile: reported as a warning, not an internal error."""


def _fix(task: FileTask, data: bytes, settings: Settings) -> tuple[bytes, list[str], Optional[str], list[InternalError]]:
    """Fix one Python file. Returns the text to report on (the fixed text when it was written), the
    codes fixed, the diff (--diff), and any problem met."""
    from pathlib import Path

    from dapr_lint.fix import NotWritten, fix_python, unified_diff, write_atomic

    outcome = fix_python(task.display, data, settings, task.ignored)
    errors = [InternalError(task.display, "fixing", problem) for problem in outcome.problems]
    # a fix whose result would not compile was dropped: a warning, and its finding is still reported
    errors.extend(_Refusal(task.display, "fixing", message) for message in outcome.refused)
    if outcome.data == data:
        return data, [], None, errors
    if settings.fix_mode == "diff":
        # what is left is reported on the fixed text (never written), so positions match the diff
        return outcome.data, outcome.applied, unified_diff(task.display, data, outcome.data), errors
    try:
        write_atomic(Path(task.path), outcome.data, expected=data)
    except NotWritten as exc:
        return data, [], None, [*errors, _Refusal(task.display, "writing the fixed file", f"not fixed: {exc}")]
    except OSError as exc:
        errors.append(InternalError(task.display, "writing the fixed file", f"{exc.strerror or exc}; the file is unchanged"))
        return data, [], None, errors
    return outcome.data, outcome.applied, None, errors


def _resource_summary(task: FileTask, data: bytes, settings: Settings) -> Optional[ResourceSummary]:
    """What a YAML file tells the project stage: the resources it declares, the apps it runs or deploys."""
    if not stage.wants_summary(settings):
        return None
    try:
        from dapr_lint.resources import _deployed_to_kubernetes
        from dapr_lint.resources.summary import resource_summary
    except ModuleNotFoundError:
        return None
    text = data.decode("utf-8", "replace")
    return resource_summary(
        os.path.abspath(task.path), data, _deployed_to_kubernetes(task.display, text, task.chart_template)
    )


def _chart_template(path, kind: str) -> bool:
    if kind != "yaml":
        return False
    try:
        from dapr_lint.resources import in_helm_chart
    except ModuleNotFoundError:
        return False
    return in_helm_chart(str(path))


def _analyze_yaml(display: str, data: bytes, settings: Settings, chart_template: bool = False) -> list[Diagnostic]:
    try:
        from dapr_lint.resources import analyze_yaml
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("dapr_lint.resources"):
            return []  # resource checks not installed in this build
        raise
    return list(analyze_yaml(display, data, settings, chart_template))


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="replace")


def _filter(result: FileResult, text: str, ignored: frozenset[str]) -> None:
    if not result.diagnostics:
        return
    noqa = noqa_map(text)
    result.diagnostics = [
        d
        for d in result.diagnostics
        if d.code not in ignored and not is_suppressed(d.code, d.line, noqa)
    ]
    if NO_FIX in ignored:  # test code: --fix leaves it alone, so nothing there is offered as fixable
        result.diagnostics = [replace(d, fix=None) if d.fix is not None else d for d in result.diagnostics]


def _annotate_summary(summary: Summary, task: FileTask, text: str) -> Summary:
    """Where the file lives and what its noqa comments and per-file-ignores silence, so that the project
    stage can report in this file without reading it again."""
    noqa = noqa_map(text)
    if isinstance(summary, ResourceSummary):
        return replace(
            summary,
            path=task.display,
            file=os.path.abspath(task.path),
            ignored=tuple(sorted(task.ignored)),
            noqa={line: tuple(sorted(codes)) for line, codes in sorted(noqa.items())},
        )
    lines = {item.span.line for item in summary.objects.values()}
    lines.update(item.span.line for item in summary.async_calls)
    lines.update(item.span.line for item in summary.components)
    facts = summary.practices
    lines.update(item.span.line for group in (facts.entries, facts.opened, facts.outgoing) for item in group)
    return replace(
        summary,
        path=task.display,
        file=os.path.abspath(task.path),
        ignored=tuple(sorted(task.ignored)),
        noqa={line: tuple(sorted(noqa[line])) for line in sorted(lines) if line in noqa},
    )


# -- running many files ------------------------------------------------------------------------------
#
# Every file is checked in a worker process (fork: a few milliseconds each, so even one file gets one), so
# that nothing a file does can cost the others: a worker that dies (a crash in native code, a signal, the
# memory limit) or that overruns the time budget is replaced, and the file it held becomes one DPR001
# finding saying why. Workers die with the parent (PR_SET_PDEATHSIG, and a watchdog thread), never hold
# the caller's stdout/stderr, ignore the terminal's SIGINT (the parent decides) and finish a file they are
# writing before they obey SIGTERM. Where fork is not available the files are checked in this process, the
# time budget enforced with a profiling timer.

# CPU seconds one file may take (`per-file-timeout`); the wall-clock limit is a multiple of it.
DEFAULT_FILE_TIMEOUT = 10.0
_WALL_FACTOR = 3.0
# Address space per worker (RLIMIT_AS): a normal file needs a few hundred MiB at most.
MEMORY_LIMIT = 2 << 30

# Tests turn this off to observe the per-file stage in their own process; nothing a user sets reaches it.
_ISOLATE = True


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal (SIGINT, SIGTERM or SIGHUP)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def file_timeout(settings: Settings) -> float:
    value = settings.options.get("per-file-timeout")
    return float(value) if value else DEFAULT_FILE_TIMEOUT  # the default lives in options.OPTIONS


def unanalysed(task: FileTask, reason: str) -> FileResult:
    """The result of a file that could not be analysed: one DPR001 at its start, and the run's exit code is 2."""
    result = FileResult(task.display)
    result.diagnostics.append(Diagnostic("DPR001", f"could not be analysed: {reason}", task.display, 1, 1, 1, 1))
    result.unanalysed = reason
    return result


def _budget_reason(settings: Settings) -> str:
    return f"it took longer than the per-file time budget of {file_timeout(settings):g} s (`per-file-timeout`)"


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worker_count(jobs: Optional[int], files: int) -> int:
    """`--jobs`, or the number of cores, capped by both the cores and the files."""
    wanted = jobs if jobs is not None else cores()
    return max(1, min(wanted, cores(), files))


def run(
    files: list[SourceFile],
    settings: Settings,
    jobs: Optional[int] = None,
    ignored_for=None,
    cache=None,
    universe: Optional[list[SourceFile]] = None,
) -> list[FileResult]:
    """Check files (the per-file stage, then the project stage, then project fixes). With a `cache`
    (cache.Cache) and no fixing, files whose key matches are not checked again. `universe`: every file of
    the repositories the files belong to; the project stage reads the summaries of those not checked here
    too, so that a file's findings do not depend on which others the run was given. SIGINT, SIGTERM and SIGHUP stop the run
    (`Interrupted`); with --fix a file being written is finished first."""
    with _stop_on_signals():
        return _run(files, settings, jobs, ignored_for, cache, universe)


def _run(files, settings, jobs, ignored_for, cache, universe) -> list[FileResult]:
    tasks = [
        FileTask(
            str(f.path),
            f.display or display_path(f.path),
            f.kind,
            ignored_for(f.path) if ignored_for is not None else frozenset(),
            f.data,
            _chart_template(f.path, f.kind),
        )
        for f in files
    ]
    extra: list = []
    extra_keys: Optional[list] = None
    if universe:
        named = {os.path.realpath(f.path) for f in files}
        rest = [f for f in universe if os.path.realpath(f.path) not in named]
        if rest:
            if stage.wants_summary(settings):
                extra_keys = []
                extra = summarize(rest, settings, jobs, ignored_for, cache, keys_out=extra_keys)
                if len(extra_keys) != len(rest):
                    extra_keys = None  # some file has no key: the project stage's results are not cached
    if cache is not None and settings.fix_mode is None:
        return run_cached(
            tasks,
            settings,
            cache,
            lambda todo: _check_all(todo, settings, jobs),
            extra=extra,
            project=run_project_stage,
            extra_keys=extra_keys,
        )
    results = _check_all(tasks, settings, jobs)
    run_project_stage(results, settings, extra)
    if settings.fix_mode is not None:
        from dapr_lint.fix import apply_project_fixes

        by_display = {task.display: task for task in tasks}
        rewritten = apply_project_fixes(results, settings, {d: Path(t.path) for d, t in by_display.items()})
        if settings.fix_mode == "fix" and (rewritten or any(result.fixed for result in results)):
            # What is left is what a fresh run over the fixed files reports: lines moved, and the project
            # rules read the files' new summaries (a route added, a client moved). So check again, from disk.
            results = _report_after_fix(tasks, results, settings, jobs, extra)
    return results


def _report_after_fix(tasks, results: list[FileResult], settings: Settings, jobs, extra) -> list[FileResult]:
    report_only = replace(settings, fix_mode=None)
    fresh_results = _check_all([replace(task, data=None) if task.data is None else task for task in tasks], report_only, jobs)
    run_project_stage(fresh_results, report_only, extra)
    for before, fresh in zip(results, fresh_results):
        fresh.fixed = before.fixed
        fresh.diff = before.diff
        fresh.warnings = before.warnings + [w for w in fresh.warnings if w not in before.warnings]
        fresh.errors = before.errors + [e for e in fresh.errors if e not in before.errors]
    return fresh_results


def summary_settings(settings: Settings) -> Settings:
    """Settings that build a file's summary and run no per-file rule."""
    # the project rules by the catalog's metadata (the same set the code registers; a run served from the
    # cache knows it without importing the rule modules)
    project_rules = {rule.code for rule in specs.all_rules() if rule.target == "project"}
    codes = {code for code in settings.enabled if code in project_rules} or {"DPR401"}
    return replace(settings, enabled=frozenset(codes), fix_mode=None)


def summarize(
    files: list[SourceFile], settings: Settings, jobs: Optional[int] = None, ignored_for=None, cache=None, keys_out=None
) -> list:
    """The summaries of files the run does not check (the other files of the named files' apps), from the
    cache when it holds them. `keys_out` receives (path, cache key) of every file when each has one (the
    project stage's results can then be cached too)."""
    only = summary_settings(settings)
    tasks = [
        FileTask(
            str(f.path),
            f.display or display_path(f.path),
            f.kind,
            ignored_for(f.path) if ignored_for is not None else frozenset(),
            chart_template=_chart_template(f.path, f.kind),
        )
        for f in files
    ]
    if cache is not None:
        store = cache.child("summaries", only)
        results = run_cached(tasks, only, store, lambda todo: _check_all(todo, only, jobs))
        if keys_out is not None:
            absolutes = [os.path.abspath(task.path) for task in tasks]
            if all(a in store.keys for a in absolutes):
                keys_out.extend((a, store.keys[a]) for a in absolutes)
    else:
        results = _check_all(tasks, only, jobs)
    return [r.summary for r in results if r.summary is not None]


def check_isolated(task: FileTask, settings: Settings) -> FileResult:
    """One file, checked as a run checks it (in a worker, under the time and memory limits)."""
    return _check_all([task], settings, 1)[0]


def run_project_stage(results: list[FileResult], settings: Settings, extra=()) -> None:
    """The project stage (project/stage.py) over the results of a run; a Python file whose routes turn out to
    receive events is checked again, in a worker, as the first look checked it."""
    stage.run_project_stage(results, settings, extra, recheck=_recheck)


def _recheck(path: str, display: str, ignored: frozenset[str], settings: Settings) -> FileResult:
    return check_isolated(FileTask(path, display, "python", ignored), settings)


def _check_all(tasks: list[FileTask], settings: Settings, jobs: Optional[int]) -> list[FileResult]:
    """The per-file stage over every task."""
    if not tasks:
        return []
    if not _can_fork() or not _ISOLATE:
        return [_check_guarded(task, settings) for task in tasks]
    return _Pool(settings, worker_count(jobs, len(tasks))).run(tasks)


def _can_fork() -> bool:
    # macOS: system libraries are not fork-safe (CPython itself stopped forking there); Windows has no fork
    return hasattr(os, "fork") and sys.platform not in ("darwin", "win32")


class _OverBudget(BaseException):
    pass


def _check_guarded(task: FileTask, settings: Settings) -> FileResult:
    """check_file in this process, stopped by a profiling timer after the time budget (where there is one)."""
    import threading

    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return check_file(task, settings)

    def over_budget(signum, frame):
        raise _OverBudget()

    previous = signal.signal(signal.SIGPROF, over_budget)
    try:
        signal.setitimer(signal.ITIMER_PROF, file_timeout(settings))
        try:
            return check_file(task, settings)
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
    except _OverBudget:
        return unanalysed(task, _budget_reason(settings))
    finally:
        signal.signal(signal.SIGPROF, previous)


@contextlib.contextmanager
def _stop_on_signals():
    """SIGINT, SIGTERM and SIGHUP raise Interrupted in this process, except while --fix is writing a file
    (then right after the file is written)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    from dapr_lint.interrupts import defer_while_writing

    def stop(signum, frame):
        def interrupt():
            raise Interrupted(signum)

        if not defer_while_writing(interrupt):
            interrupt()

    wanted = [signal.SIGINT, signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {}
    try:
        for signum in wanted:
            previous[signum] = signal.signal(signum, stop)
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class _Child:
    """A forked worker process: its exit code (negative: the signal that ended it), once it has ended."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.exitcode: Optional[int] = None

    def poll(self) -> Optional[int]:
        if self.exitcode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.exitcode = 1  # reaped elsewhere
                return self.exitcode
            if pid:
                self.exitcode = os.waitstatus_to_exitcode(status)
        return self.exitcode

    def is_alive(self) -> bool:
        return self.poll() is None

    def kill(self) -> None:
        if self.is_alive():
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def join(self, timeout: Optional[float] = None) -> None:
        if timeout is None and self.exitcode is None:
            try:
                _, status = os.waitpid(self.pid, 0)
                self.exitcode = os.waitstatus_to_exitcode(status)
            except ChildProcessError:
                self.exitcode = 1
            return
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() >= deadline:
                return
            time.sleep(0.005)


class _Slot:
    """One worker process and the file it holds."""

    def __init__(self, process, conn) -> None:
        self.process = process
        self.conn = conn
        self.index: Optional[int] = None
        self.started = 0.0
        self.killed_for_time = False


class _Pool:
    def __init__(self, settings: Settings, size: int) -> None:
        self.settings = settings
        self.size = size
        self.slots: list[_Slot] = []
        self.timeout = file_timeout(settings)

    def _start(self) -> _Slot:
        from multiprocessing.connection import Pipe

        parent_end, child_end = Pipe(duplex=True)
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the worker: never returns into the caller's code
            try:
                parent_end.close()
                _worker_main(child_end, self.settings, parent, self.timeout)
            finally:
                os._exit(1)
        child_end.close()
        return _Slot(_Child(pid), parent_end)

    def run(self, tasks: list[FileTask]) -> list[FileResult]:
        from collections import deque
        from multiprocessing.connection import wait

        _preload(tasks)
        results: list[Optional[FileResult]] = [None] * len(tasks)
        queue = deque(range(len(tasks)))
        wall = max(self.timeout * _WALL_FACTOR, self.timeout + 5.0)
        try:
            try:
                for _ in range(self.size):
                    self.slots.append(self._start())
            except OSError:
                if not self.slots:  # no worker can start (a process limit): check here, still guarded
                    return [_check_guarded(task, self.settings) for task in tasks]
            for slot in list(self.slots):
                self._dispatch(slot, queue, tasks, results)
            while True:
                busy = [slot for slot in self.slots if slot.index is not None]
                if not busy:
                    break
                now = time.monotonic()
                next_deadline = min(slot.started + wall for slot in busy)
                ready = wait(
                    [slot.conn for slot in busy],  # a worker that ends closes its end: EOF
                    timeout=max(0.05, next_deadline - now),
                )
                now = time.monotonic()
                for slot in busy:
                    if slot.conn in ready:
                        try:
                            index, result = slot.conn.recv()
                        except Exception:  # EOF: the worker died; an unpicklable result: the same to us
                            slot.process.join(5)
                            if slot.process.is_alive():
                                slot.process.kill()
                                slot.process.join()
                            self._lost(slot, queue, tasks, results)
                            continue
                        results[index] = result
                        slot.index = None
                        self._dispatch(slot, queue, tasks, results)
                    elif now - slot.started > wall and not slot.killed_for_time:
                        slot.killed_for_time = True  # no CPU spent but no answer either (a stuck read)
                        slot.process.kill()
        except BaseException:
            self._shutdown(graceful=self.settings.fix_mode == "fix")
            raise
        self._shutdown(graceful=True)
        return [r if r is not None else unanalysed(tasks[i], "no worker could check it") for i, r in enumerate(results)]

    def _dispatch(self, slot: _Slot, queue, tasks, results) -> None:
        while queue:
            index = queue.popleft()
            try:
                slot.conn.send((index, tasks[index]))
            except Exception:
                queue.appendleft(index)  # the worker is gone before it took the file: give it to another
                self._replace(slot, queue, tasks, results)
                return
            slot.index = index
            slot.started = time.monotonic()
            return

    def _lost(self, slot: _Slot, queue, tasks, results) -> None:
        """The worker of `slot` ended while holding a file: that file is reported, the worker replaced."""
        index = slot.index
        assert index is not None
        code = slot.process.exitcode
        if slot.killed_for_time or code == -getattr(signal, "SIGPROF", -1000):
            reason = _budget_reason(self.settings)
        elif code is not None and code < 0:
            try:
                name = f" ({signal.Signals(-code).name})"
            except ValueError:
                name = ""
            reason = f"worker died on signal {-code}{name}"
        else:
            reason = f"worker exited with status {code}"
        results[index] = unanalysed(tasks[index], reason)
        slot.index = None
        self._replace(slot, queue, tasks, results)

    def _replace(self, slot: _Slot, queue, tasks, results) -> None:
        slot.conn.close()
        self.slots.remove(slot)
        if slot.process.is_alive():
            slot.process.kill()
        slot.process.join()
        if not queue:
            return
        try:
            fresh = self._start()
        except OSError:
            if not self.slots:  # nothing left to run the rest: check it here, still under the time budget
                while queue:
                    index = queue.popleft()
                    results[index] = _check_guarded(tasks[index], self.settings)
            return
        self.slots.append(fresh)
        self._dispatch(fresh, queue, tasks, results)

    def _shutdown(self, graceful: bool) -> None:
        """Stop every worker. `graceful`: ask first (SIGTERM: a worker writing a fix finishes the file),
        then kill what is left a moment later; otherwise kill at once."""
        for slot in self.slots:
            try:
                if slot.index is None:
                    slot.conn.send(None)  # an idle worker exits (EOF would not reach it: later workers hold the pipe)
                slot.conn.close()
            except (OSError, ValueError):
                pass
            if slot.process.is_alive() and slot.index is not None:
                try:
                    os.kill(slot.process.pid, signal.SIGTERM if graceful else signal.SIGKILL)
                except OSError:
                    pass
        deadline = time.monotonic() + 2.0
        for slot in self.slots:
            slot.process.join(max(0.0, deadline - time.monotonic()))
            if slot.process.is_alive():
                slot.process.kill()
                slot.process.join()
        self.slots = []


def _preload(tasks: list[FileTask]) -> None:
    """Import the checkers once here, so that every forked worker starts with them (not each on its own)."""
    kinds = {task.kind for task in tasks}
    try:
        if "python" in kinds:
            import dapr_lint.python.analyzer  # noqa: F401
        if "yaml" in kinds:
            import dapr_lint.resources  # noqa: F401
    except Exception:
        pass  # the worker meets the same error on its file and reports it there


def _worker_main(conn, settings: Settings, parent: int, timeout: float) -> None:
    _become_worker(parent)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        if message is None:
            os._exit(0)
        index, task = message
        signal.setitimer(signal.ITIMER_PROF, timeout)  # over budget: SIGPROF ends the worker (its default)
        try:
            result = check_file(task, settings)
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
        try:
            conn.send((index, result))
        except (EOFError, OSError):
            os._exit(0)
        except Exception as exc:  # a result that cannot be pickled: the file's error, not the worker's end
            fallback = FileResult(task.display)
            fallback.errors.append(InternalError(task.display, "sending the result", f"{type(exc).__name__}: {exc}"))
            conn.send((index, fallback))


def _become_worker(parent: int) -> None:
    # The caller (a pre-commit hook, a CI step) reads our stdout and stderr until every process holding
    # them has closed them: a worker never holds them.
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    import faulthandler

    if faulthandler.is_enabled():
        faulthandler.disable()  # a crash here is reported by the parent as the file's DPR001, not dumped
    from dapr_lint.interrupts import defer_while_writing

    def terminate(signum, frame):
        if not defer_while_writing(lambda: os._exit(1)):
            os._exit(1)

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent decides
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGPROF, signal.SIG_DFL)
    _die_with_parent(parent)
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT, hard)
        if soft == resource.RLIM_INFINITY or soft > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError, AttributeError):
        pass


def _die_with_parent(parent: int) -> None:
    """A worker whose parent is gone (even by SIGKILL) ends: the kernel's parent-death signal on Linux,
    and a thread that watches the parent id everywhere."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)  # the parent died before the signal was set up
    import threading

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="dapr-lint-parent-watch", daemon=True).start()


def check_in_repository(path: Path, settings: Settings, config, data: Optional[bytes] = None, ignored=frozenset()) -> FileResult:
    """One file's whole result as `dapr-lint check .` on its repository gives it: the per-file findings,
    refined by the facts of its apps (routes that receive events), and the project findings of its apps
    (DPR101 across modules, DPR401/DPR402, DPR6xx). The other files of the repository are read through
    their summaries (cached under `settings`' cache folder when `cache` is used by the caller), never run.

    `config`: the file's Config (or a function giving the Config of a path) for exclusions; `data`: the
    file's content when it differs from the disk (an editor buffer)."""
    kind = kind_of(path) or "python"
    task = FileTask(str(path), display_path(path), kind, frozenset(ignored), data, _chart_template(path, kind))
    result = check_file(task, settings)
    universe = repository_files([SourceFile(path, kind)], config)
    named = os.path.realpath(path)
    rest = [f for f in universe if os.path.realpath(f.path) != named]
    extra = summarize(rest, settings) if rest and stage.wants_summary(settings) else []
    run_project_stage([result], settings, extra)
    return result
