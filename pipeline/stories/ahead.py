"""Pure work computed ahead in worker processes while the main process does the database work:
the second core is busy and the database keeps a single writer. Grouping computes article profiles
and signatures this way, drafting the summaries. Small runs compute in-process (starting workers
costs more than it saves)."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from functools import partial

POOL_MIN_ITEMS = 1000        # fewer pending items than this are computed in-process


def _batch(work: Callable, items: list) -> list:
    return [work(item) for item in items]


def default_workers() -> int:
    """The cores but one (the main process keeps one busy), at least one."""
    return max(1, (os.cpu_count() or 1) - 1)


class Ahead:
    """Submit batches of items; get each batch's results of ``work`` back, in order.

    ``work`` must be a module-level function (it is sent to the workers by name)."""

    def __init__(self, work: Callable, pending: int, workers: int | None = None, *, niceness: int = 0) -> None:
        """``niceness``: the workers' (os.nice), for work that should take only the cores others leave idle."""
        self.work = work
        workers = default_workers() if workers is None else workers
        use_pool = workers > 0 and pending >= POOL_MIN_ITEMS
        # fork: workers inherit the loaded code (no re-import of the caller's script) and never touch
        # the parent's database connection, which only the parent uses
        self.pool = multiprocessing.get_context("fork").Pool(workers, os.nice, (niceness,)) if use_pool else None

    def submit(self, items: list):
        if self.pool is None:
            return items
        return self.pool.apply_async(partial(_batch, self.work), (items,))

    def ready(self, handle) -> bool:
        """Whether ``result`` would return without waiting for a worker."""
        return self.pool is None or handle.ready()

    def result(self, handle) -> list:
        return _batch(self.work, handle) if self.pool is None else handle.get()

    def __enter__(self) -> Ahead:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
