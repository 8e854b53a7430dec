"""A pool of worker processes for CPU-bound jobs (extraction, compression), one job per worker at a time.

Why not ``concurrent.futures.ProcessPoolExecutor``: a job that hangs there holds its worker for
good, and killing that worker breaks the whole pool. Here every job has a deadline; a worker past
it is killed and replaced, and only that job fails (``JobTimeout``), so a slow page never stalls the
others. A worker that dies (a crash, the OOM killer) fails its job with ``WorkerDied`` and is
replaced too.

Each worker is a fresh interpreter started with ``subprocess`` (as multiprocessing's 'spawn' would
start it, without the resource-tracker process spawn adds: 13 MiB for nothing here). It inherits no
open database connection, no Twisted reactor and no threads from the parent, and talks to it over a
socket pair. Each ignores SIGINT (the parent decides when to stop) and exits by itself when the
parent is gone. When no worker can be started, ``submit`` answers ``PoolUnavailable`` and callers
run the job in their own process instead.

Results arrive on one thread per worker in the parent: ``submit`` returns a
``concurrent.futures.Future``; Twisted callers wrap it with ``reactor.callFromThread``.
"""

from __future__ import annotations

import importlib
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from multiprocessing.connection import Connection

from crawler.memory import map_big_blocks, release_memory

log = logging.getLogger(__name__)
START_TIMEOUT = 120.0   # seconds a new worker may take to import what it needs
STOP_TIMEOUT = 5.0      # seconds a worker gets to exit when the pool closes, before it is killed
TRIM_EVERY = 8          # jobs between two returns of a worker's free heap (malloc_trim costs ~2 ms)


class PoolUnavailable(RuntimeError):
    """No worker process could be started: run the job in this process."""


class JobTimeout(TimeoutError):
    """The job ran past its deadline; its worker was killed and replaced."""


class WorkerDied(RuntimeError):
    """The worker running the job exited without answering (a crash); it was replaced."""


class JobFailed(RuntimeError):
    """The job raised an exception that could not be sent back as it was."""


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class WorkerPool:
    """``size`` worker processes; ``timeout`` seconds per job (None: no limit); ``preload`` modules are
    imported by each worker before it counts as started."""

    def __init__(self, size: int, timeout: float | None = None, preload: tuple[str, ...] = ()):
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.size, self.timeout, self.preload = size, timeout, preload
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._live = size
        self._closed = False
        self._slots = [threading.Thread(target=self._serve, name=f"worker-slot-{n}", daemon=True)
                       for n in range(size)]
        for slot in self._slots:
            slot.start()

    @property
    def available(self) -> bool:
        return self._live > 0 and not self._closed

    def submit(self, function, *args) -> Future:
        """Run ``function(*args)`` in a worker (``function`` must be importable by name)."""
        future: Future = Future()
        with self._lock:
            if self.available:
                self._jobs.put((future, function, args))
                return future
        future.set_exception(PoolUnavailable("no extraction worker is running"))
        return future

    def close(self) -> None:
        """Let the workers finish their current job and exit; jobs still queued fail with PoolUnavailable."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        for _ in self._slots:
            self._jobs.put(None)
        for slot in self._slots:
            slot.join()
        self._drain()

    # --- one thread per worker ----------------------------------------------------------------
    def _serve(self) -> None:
        worker = self._start_worker()
        while worker is not None:
            job = self._jobs.get()
            if job is None:
                worker.stop()
                return
            future, function, args = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(worker.run(function, args, self.timeout))
            except (JobTimeout, WorkerDied) as exc:
                future.set_exception(exc)
                worker.kill()
                worker = self._start_worker()
            except BaseException as exc:  # noqa: BLE001 - the job's own exception, handed to the caller
                future.set_exception(exc)
        self._slot_lost()

    def _start_worker(self) -> _Worker | None:
        if self._closed:
            return None
        try:
            return _Worker(self.preload)
        except Exception as exc:  # noqa: BLE001 - no process, no pipe, a failing import: run in-process
            log.warning("could not start a worker process (%s)", exc)
            return None

    def _slot_lost(self) -> None:
        with self._lock:
            self._live -= 1
            last = self._live == 0
        if last:
            self._drain()

    def _drain(self) -> None:
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return
            if job is not None and job[0].set_running_or_notify_cancel():
                job[0].set_exception(PoolUnavailable("the extraction workers stopped"))


class _Worker:
    """One worker process and the parent's end of its socket."""

    def __init__(self, preload: tuple[str, ...]):
        ours, theirs = socket.socketpair()
        self.conn = Connection(ours.detach())
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from crawler.workers import worker_entry; worker_entry()",
                 str(theirs.fileno()), str(os.getpid()), *preload],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, env=_worker_env())
        except BaseException:
            self.conn.close()
            raise
        finally:
            theirs.close()
        try:
            if not self.conn.poll(START_TIMEOUT) or self._receive() != "ready":
                raise WorkerDied(f"the worker did not start within {START_TIMEOUT:.0f} s")
        except BaseException:
            self.kill()
            raise

    def run(self, function, args, timeout: float | None):
        try:
            self.conn.send((function, args))
        except OSError:
            raise WorkerDied(f"the worker process exited (code {self.process.poll()})") from None
        if not self.conn.poll(timeout):
            raise JobTimeout(f"took longer than {timeout:g} s")
        ok, value = self._receive()
        if not ok:
            raise value
        return value

    def _receive(self):
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            _wait(self.process, 1)
            raise WorkerDied(f"the worker process exited (code {self.process.returncode})") from None

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        _wait(self.process, STOP_TIMEOUT)
        self.kill()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.conn.close()


def _wait(process: subprocess.Popen, seconds: float) -> None:
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        pass


def _worker_env() -> dict[str, str]:
    """The parent's environment, with its module search path (what spawn hands its children too)."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(path or os.getcwd() for path in sys.path)}


# --- inside the worker process ---------------------------------------------------------------

def worker_entry() -> None:
    """A worker process's start (see _Worker): argv holds its socket, the parent's pid and the modules to preload."""
    fd, parent_pid, *preload = sys.argv[1:]
    worker_main(Connection(int(fd)), int(parent_pid), tuple(preload))


def worker_main(conn, parent_pid: int, preload: tuple[str, ...]) -> None:
    map_big_blocks()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), daemon=True).start()
    for name in preload:
        importlib.import_module(name)
    conn.send("ready")
    done = 0
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        function, args = message
        try:
            answer = (True, function(*args))
        except Exception as exc:  # noqa: BLE001 - sent back to the caller
            answer = (False, exc)
        try:
            conn.send(answer)
        except Exception as exc:  # noqa: BLE001 - an exception or result that does not pickle
            conn.send((False, JobFailed(f"{type(exc).__name__}: {exc}")))
        del message, function, args, answer
        done += 1
        if done % TRIM_EVERY == 0:  # the heap's free memory goes back: the worker stays near its idle size
            release_memory()


def _exit_when_orphaned(parent_pid: int) -> None:
    """The parent was killed (SIGKILL leaves no time to stop us): exit rather than run on alone."""
    while os.getppid() == parent_pid:
        time.sleep(1.0)
    os._exit(1)
