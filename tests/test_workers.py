"""The worker pool: jobs run in other processes, a job past its deadline or a crashing worker fails
alone and its worker is replaced, and a pool whose workers cannot start says so (callers then
extract in their own process)."""

from __future__ import annotations

import ctypes
import os
import time

import pytest

from crawler import memory
from crawler.workers import JobTimeout, PoolUnavailable, WorkerDied, WorkerPool


# Jobs: module-level, so a spawned worker imports them by name.
def pid_of_worker(value):
    return os.getpid(), value


def sleep_then(seconds: float, value):
    time.sleep(seconds)
    return value


def crash():
    os._exit(3)


def refuse(message: str):
    raise ValueError(message)


@pytest.fixture
def pool():
    workers = WorkerPool(2, timeout=3.0)
    yield workers
    workers.close()


def test_jobs_run_in_other_processes_on_every_worker(pool):
    results = [pool.submit(pid_of_worker, n).result(timeout=120) for n in range(8)]
    assert [value for _pid, value in results] == list(range(8))
    assert os.getpid() not in {pid for pid, _ in results}
    slow = [pool.submit(sleep_then, 0.5, n) for n in range(2)]
    assert [future.result(timeout=30) for future in slow] == [0, 1]


def test_a_job_past_its_deadline_fails_alone_and_its_worker_is_replaced(pool):
    hung = pool.submit(sleep_then, 600, "never")
    others = [pool.submit(pid_of_worker, n) for n in range(6)]
    assert [future.result(timeout=120)[1] for future in others] == list(range(6))  # not stalled behind it
    with pytest.raises(JobTimeout):
        hung.result(timeout=120)
    assert pool.submit(pid_of_worker, "after").result(timeout=120)[1] == "after"
    assert pool.available


def test_a_crashing_worker_fails_its_job_and_is_replaced(pool):
    with pytest.raises(WorkerDied, match="code 3"):
        pool.submit(crash).result(timeout=120)
    assert [pool.submit(pid_of_worker, n).result(timeout=120)[1] for n in range(4)] == list(range(4))


def test_the_job_s_own_exception_reaches_the_caller(pool):
    with pytest.raises(ValueError, match="bad page"):
        pool.submit(refuse, "bad page").result(timeout=120)
    assert pool.submit(pid_of_worker, 1).result(timeout=120)[1] == 1


def test_a_pool_whose_workers_cannot_start_is_unavailable():
    pool = WorkerPool(2, timeout=3.0, preload=("no_such_module_for_the_pool_test",))
    try:
        with pytest.raises(PoolUnavailable):
            pool.submit(pid_of_worker, 1).result(timeout=120)
        deadline = time.monotonic() + 60
        while pool.available and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not pool.available
        with pytest.raises(PoolUnavailable):
            pool.submit(pid_of_worker, 2).result(timeout=1)
    finally:
        pool.close()


def test_a_closed_pool_takes_no_more_jobs_and_its_workers_are_gone():
    pool = WorkerPool(1, timeout=3.0)
    worker_pid, _ = pool.submit(pid_of_worker, 0).result(timeout=120)
    pool.close()
    with pytest.raises(PoolUnavailable):
        pool.submit(pid_of_worker, 1).result(timeout=1)
    with pytest.raises(ProcessLookupError):
        os.kill(worker_pid, 0)


def _children() -> dict[int, str]:
    found = {}
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            if ppid == os.getpid():
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    found[int(entry)] = cmdline.read().replace(b"\0", b" ").decode()
        except (OSError, ValueError, IndexError):
            continue
    return found


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads the process table from /proc")
def test_the_pool_starts_its_workers_and_no_helper_process(pool):
    workers = {pool.submit(pid_of_worker, n).result(timeout=120)[0] for n in range(8)}
    children = _children()
    assert workers <= set(children) and len(workers) == 2
    assert not [line for line in children.values() if "resource_tracker" in line or "forkserver" in line]


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]


def _mapped_bytes() -> int:
    """glibc's own count of the bytes its allocator holds in mapped blocks (mallinfo2().hblkhd)."""
    mallinfo2 = memory._LIBC.mallinfo2
    mallinfo2.restype = _MallInfo2
    return mallinfo2().hblkhd


@pytest.mark.skipif(memory._LIBC is None or not hasattr(memory._LIBC, "mallinfo2"),
                    reason="glibc's mallopt and mallinfo2 are not available here")
def test_big_blocks_are_mapped_and_unmapped_when_freed():
    assert memory.map_big_blocks()              # glibc accepted the fixed threshold
    before = _mapped_bytes()
    blocks = [b"x" * (memory.BIG_BLOCK * 2 + n) for n in range(200)]   # 50 MiB in pages-sized blocks
    # mapped (all but those a free chunk of the heap could already hold, which earlier tests may have left)
    assert _mapped_bytes() - before >= 100 * memory.BIG_BLOCK * 2
    del blocks
    assert _mapped_bytes() - before < memory.BIG_BLOCK * 8               # and given back when freed
    memory.release_memory()
