"""Running the per-file stage over many files: worker processes, their budgets (time, memory) and the signals
that stop a run.

Every file is checked in a worker process (fork: a few milliseconds each, so even one file gets one), so
that nothing a file does can cost the others: a worker that dies (a crash in native code, a signal, the
memory limit) or that overruns the time budget is replaced, and the file it was checking becomes one DPR001
finding saying why (the next file, sent ahead so that a worker never waits for the parent between files,
goes to another worker). Files are handed out largest first; results come back in task order. Workers die with the parent (PR_SET_PDEATHSIG, and a watchdog thread), never hold
the caller's stdout/stderr, ignore the terminal's SIGINT (the parent decides) and finish a file they are
writing before they obey SIGTERM. Where fork is not available the files are checked in this process, the
time budget enforced with a profiling timer."""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import time
from collections import deque
from typing import Any, Callable, Optional

from dapr_lint.diagnostics import Diagnostic, FileResult, InternalError
from dapr_lint.settings import Settings

# What a worker does with one task: the per-file stage (file_stage.check_file), given by the caller.
Work = Callable[[Any, Settings], FileResult]

# CPU seconds one file may take (`per-file-timeout`); the wall-clock limit is a multiple of it.
DEFAULT_FILE_TIMEOUT = 10.0
_WALL_FACTOR = 3.0
# Address space per worker (RLIMIT_AS): a normal file needs a few hundred MiB at most.
MEMORY_LIMIT = 2 << 30

_OUT_OF_MEMORY = f"out of memory (the limit is {MEMORY_LIMIT >> 20} MiB per worker)"
# Objects a worker's collector may leave for later (gc.get_count()[0], what earlier files left in cycles):
# about 160 MiB on dapr/python-sdk, where a worker's whole share of the tree stays under it.
_GARBAGE_OBJECTS = 1_000_000
# Files a worker holds: the one it checks and the next, sent ahead (when its pickle is under _PREFETCH_BYTES,
# well under a pipe's buffer: a send to a busy worker must not wait).
_IN_FLIGHT = 2
_PREFETCH_BYTES = 16 << 10

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


def unanalysed(task: Any, reason: str) -> FileResult:
    """The result of a file that could not be analysed: one DPR001 at its start, and the run's exit code is 2."""
    result = FileResult(task.display)
    result.diagnostics.append(Diagnostic("DPR001", f"could not be analysed: {reason}", task.display, 1, 1, 1, 1))
    result.unanalysed = reason
    return result


def _wall_budget(timeout: float) -> float:
    """Wall-clock seconds a worker may hold one file (a stuck read spends no CPU)."""
    return max(timeout * _WALL_FACTOR, timeout + 5.0)


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


def check_all(tasks: list, settings: Settings, jobs: Optional[int], work: Work) -> list[FileResult]:
    """`work` (the per-file stage) over every task, each in a worker under the budgets; results in task order."""
    if not tasks:
        return []
    if not _can_fork() or not _ISOLATE:
        return [_check_guarded(task, settings, work) for task in tasks]
    reap()
    return _Pool(settings, worker_count(jobs, len(tasks)), work).run(tasks)


def _within_memory(task: Any, settings: Settings, work: Work) -> FileResult:
    try:
        with _collected_after():
            return work(task, settings)
    except MemoryError:
        return unanalysed(task, _OUT_OF_MEMORY)


@contextlib.contextmanager
def _collected_after():
    """No cyclic garbage collection while one file is checked; its young garbage collected after it.

    A LibCST parse allocates a node object per token and the tree stays alive until the file is done, so the
    collector's automatic passes during it traverse a growing live tree again and again, finding nothing:
    measured 10 % of a single-process run over dapr/python-sdk. What a file leaves in cycles (the model's
    scopes) is young, and one generation-0 pass after the file frees it."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(0)


def _can_fork() -> bool:
    # macOS: system libraries are not fork-safe (CPython itself stopped forking there); Windows has no fork
    return hasattr(os, "fork") and sys.platform not in ("darwin", "win32")


class _OverBudget(BaseException):
    pass


def _check_guarded(task: Any, settings: Settings, work: Work) -> FileResult:
    """`work` in this process, stopped by a profiling timer after the time budget (where there is one)."""
    import threading

    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return _within_memory(task, settings, work)

    def over_budget(signum, frame):
        raise _OverBudget()

    previous = signal.signal(signal.SIGPROF, over_budget)
    try:
        signal.setitimer(signal.ITIMER_PROF, file_timeout(settings))
        try:
            return _within_memory(task, settings, work)
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
    except _OverBudget:
        return unanalysed(task, _budget_reason(settings))
    finally:
        signal.signal(signal.SIGPROF, previous)


@contextlib.contextmanager
def stop_on_signals():
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
    """One worker process and the files sent to it, in the order it checks them: the first is the one it is
    checking, the next waits in its pipe (so that the worker never waits for the parent between files)."""

    def __init__(self, process, conn) -> None:
        self.process = process
        self.conn = conn
        self.held: deque[int] = deque()
        self.started = 0.0  # when the first of `held` became the file the worker checks
        self.killed_for_time = False


class _Pool:
    def __init__(self, settings: Settings, size: int, work: Work) -> None:
        self.settings = settings
        self.size = size
        self.work = work
        self.slots: list[_Slot] = []
        self.timeout = file_timeout(settings)
        import selectors

        self.selector = selectors.DefaultSelector()  # kept for the run: one registration per worker

    def _start(self) -> _Slot:
        from multiprocessing.connection import Pipe

        parent_end, child_end = Pipe(duplex=True)
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the worker: never returns into the caller's code
            try:
                parent_end.close()
                _worker_main(child_end, self.settings, parent, self.timeout, self.work)
            finally:
                os._exit(1)
        child_end.close()
        slot = _Slot(_Child(pid), parent_end)
        self.selector.register(parent_end, 1, slot)  # selectors.EVENT_READ
        return slot

    def run(self, tasks: list) -> list[FileResult]:
        _preload(tasks)
        # What exists now (the imported checkers, the run's settings) outlives the pool: frozen, the parent's
        # collector does not traverse it again while the workers run (a full collection measured 25-30 ms over
        # dapr/python-sdk, taken from a worker's core), and each worker inherits it frozen. Thawed after, so a
        # long-lived process (the language server) collects it as before; a freeze of the caller's is left alone.
        frozen = gc.get_freeze_count() == 0
        if frozen:
            gc.freeze()
        try:
            return self._run(tasks)
        finally:
            if frozen:
                gc.unfreeze()

    def _run(self, tasks: list) -> list[FileResult]:
        results: list[Optional[FileResult]] = [None] * len(tasks)
        queue = deque(_largest_first(tasks))
        wall = _wall_budget(self.timeout)
        try:
            try:
                for _ in range(self.size):
                    slot = self._start()
                    self.slots.append(slot)
                    self._dispatch(slot, queue, tasks, results)  # at work while the next worker is forked
            except OSError:
                if not self.slots:  # no worker can start (a process limit): check here, still guarded
                    return [_check_guarded(task, self.settings, self.work) for task in tasks]
            while True:
                busy = [slot for slot in self.slots if slot.held]
                if not busy:
                    break
                now = time.monotonic()
                next_deadline = min(slot.started + wall for slot in busy)
                # a worker that ends closes its end: EOF, readable
                events = self.selector.select(timeout=max(0.05, next_deadline - now))
                ready = {key.data for key, _ in events}
                now = time.monotonic()
                for slot in busy:
                    if slot in ready:
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
                        slot.held.popleft()  # the worker answers in the order it was given the files
                        slot.started = now  # it went on with the next file it holds, if any
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
        """Keep `slot` holding up to _IN_FLIGHT files: the one it checks and the next (a small one only, so that
        a send to a busy worker never waits)."""
        import pickle  # here: a run the cache serves never starts a worker

        while queue and len(slot.held) < _IN_FLIGHT:
            index = queue[0]
            payload = pickle.dumps((index, tasks[index]), pickle.HIGHEST_PROTOCOL)
            if slot.held and len(payload) > _PREFETCH_BYTES:
                return  # sent when the worker is free (a large buffer from an editor or standard input)
            try:
                slot.conn.send_bytes(payload)
            except Exception:
                if slot.held:  # it died holding a file: its EOF is read next, and _lost reports that file
                    return
                self._replace(slot, queue, tasks, results)  # gone before it took the file: give it to another
                return
            queue.popleft()
            if not slot.held:
                slot.started = time.monotonic()
            slot.held.append(index)

    def _lost(self, slot: _Slot, queue, tasks, results) -> None:
        """The worker of `slot` ended while holding files: the one it was checking is reported, the others go
        back to the front of the queue, and the worker is replaced."""
        index = slot.held.popleft()
        queue.extendleft(reversed(slot.held))  # never started: another worker checks them
        slot.held.clear()
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
        self._replace(slot, queue, tasks, results)

    def _replace(self, slot: _Slot, queue, tasks, results) -> None:
        self.selector.unregister(slot.conn)
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
                    results[index] = _check_guarded(tasks[index], self.settings, self.work)
            return
        self.slots.append(fresh)
        self._dispatch(fresh, queue, tasks, results)

    def _shutdown(self, graceful: bool) -> None:
        """Stop every worker. `graceful`: ask first (SIGTERM: a worker writing a fix finishes the file),
        then kill what is left a moment later; otherwise kill at once."""
        import pickle

        stopping: list[_Child] = []
        for slot in self.slots:
            told = False
            try:
                if not slot.held:  # an idle worker exits (EOF would not reach it: later workers hold the pipe)
                    slot.conn.send_bytes(pickle.dumps(None))
                    told = True
                self.selector.unregister(slot.conn)
                slot.conn.close()
            except (OSError, ValueError, KeyError):
                pass
            if slot.process.is_alive() and slot.held:
                try:
                    os.kill(slot.process.pid, signal.SIGTERM if graceful else signal.SIGKILL)
                except OSError:
                    pass
            # an idle worker told to exit is reaped later (reap): its exit, the kernel taking back its memory
            # (~15 ms over dapr/python-sdk), overlaps the project stage instead of coming before it
            (_EXITING if told else stopping).append(slot.process)
        _join_or_kill(stopping)
        self.slots = []
        self.selector.close()


def _largest_first(tasks: list) -> list[int]:
    """The order tasks are handed out: the largest files first, so that what is left at the end, when a worker
    may wait for the other to finish, is small files (ties, and files whose size is unknown, in task order)."""

    def size(task: Any) -> int:
        data = getattr(task, "data", None)
        if data is not None:
            return len(data)
        try:
            return os.stat(task.path).st_size
        except (AttributeError, OSError, TypeError, ValueError):
            return 0  # the worker reports an unreadable file

    sizes = [size(task) for task in tasks]
    return sorted(range(len(tasks)), key=lambda index: -sizes[index])


# Workers of ended pools told to exit and not reaped yet (by the next pool, or at the end of the run).
_EXITING: list[_Child] = []


def reap() -> None:
    """Wait for the workers of ended pools to exit; one that has not within 2 s is killed."""
    exiting = list(_EXITING)
    _EXITING.clear()
    _join_or_kill(exiting)


def _join_or_kill(children: list[_Child]) -> None:
    deadline = time.monotonic() + 2.0
    for child in children:
        child.join(max(0.0, deadline - time.monotonic()))
        if child.is_alive():
            child.kill()
            child.join()


def _preload(tasks: list) -> None:
    """Import the checkers once here, so that every forked worker starts with them (not each on its own)."""
    kinds = {task.kind for task in tasks}
    try:
        if "python" in kinds:
            import dapr_lint.engine.python_stage  # noqa: F401
        if "yaml" in kinds:
            import dapr_lint.resources  # noqa: F401
    except Exception:
        pass  # the worker meets the same error on its file and reports it there


def _worker_main(conn, settings: Settings, parent: int, timeout: float, work: Work) -> None:
    import pickle

    _become_worker(parent)
    while True:
        try:
            message = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            os._exit(0)
        if message is None:
            os._exit(0)
        index, task = message
        signal.setitimer(signal.ITIMER_PROF, timeout)  # over budget: SIGPROF ends the worker (its default)
        try:
            result = _in_worker(task, settings, work)
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


def _in_worker(task: Any, settings: Settings, work: Work) -> FileResult:
    """`work` on one file in a worker, whose collector is off for good (_become_worker): the cycles earlier
    files left (a LibCST tree, a model: a million objects over dapr/python-sdk) are kept until they pass
    _GARBAGE_OBJECTS, and what is left when the worker ends is never traversed nor freed one by one (measured
    10 % of the workers' CPU on that tree). `--fix` frees them before every file, as a run in-process does.
    A file that runs out of memory while garbage is kept is checked once more after it is freed, so that
    what a file gets does not depend on the files its worker checked before it."""
    kept = gc.get_count()[0]
    if kept and (settings.fix_mode is not None or kept > _GARBAGE_OBJECTS):
        gc.collect(0)
        kept = 0
    for attempt in range(2):
        try:
            return work(task, settings)
        except MemoryError:
            pass  # retried out of the handler, so that the failed attempt's frames are gone
        if not kept or attempt:
            break
        gc.collect(0)
    return unanalysed(task, _OUT_OF_MEMORY)


def _become_worker(parent: int) -> None:
    # What the worker inherited (the imported checkers) lives as long as it does: the collector need not look
    # at it again; the collector runs only when _in_worker asks.
    gc.freeze()
    gc.disable()
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
