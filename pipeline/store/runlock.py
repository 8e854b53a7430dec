"""One scheduled run at a time: a lock file beside the database (``newsdesk.db.lock``).

The lock is an flock on that file, so the kernel lets go of it when the holder dies, even by SIGKILL;
the file also records who held it (pid, start), so the next run can say it took over from a run that
did not finish. A live run holding the lock for longer than MAX_HOURS is reported as probably hung.
"""

from __future__ import annotations

import fcntl
import json
import os
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

MAX_HOURS = 6


class Busy(RuntimeError):
    """Another run holds the lock."""

    def __init__(self, message: str, hung: bool):
        super().__init__(message)
        self.hung = hung


def lock_path(db_file: Path) -> Path:
    return Path(f"{db_file}.lock")


@contextmanager
def run_lock(db_file: Path, notes: list[str] | None = None):
    """Hold the run lock for the block; raises Busy when another live run holds it. ``notes`` gets a
    line when a previous run ended without releasing it (it was killed)."""
    path = lock_path(db_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole block
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _busy(path) from None
        previous = _holder(path)
        if previous and notes is not None:
            notes.append(f"taking over the lock of an earlier run (pid {previous.get('pid')}, started "
                         f"{previous.get('started_at')}) that ended without releasing it")
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "started_at": datetime.now(UTC).isoformat(timespec="seconds")}))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()  # a clean finish leaves an empty file: nothing to take over
            handle.flush()
    finally:
        handle.close()


def _holder(path: Path) -> dict | None:
    try:
        text = path.read_text(encoding="utf-8").strip()
        return json.loads(text) if text else None
    except (OSError, ValueError):
        return None


def _busy(path: Path) -> Busy:
    holder = _holder(path) or {}
    started = holder.get("started_at")
    try:
        hung = datetime.now(UTC) - datetime.fromisoformat(started) > timedelta(hours=MAX_HOURS)
    except (TypeError, ValueError):
        hung = False
    if hung:
        return Busy(f"another run (pid {holder.get('pid')}) has held {path} since {started}, over {MAX_HOURS} "
                    "hours: it is probably hung; stop it and start again", hung=True)
    return Busy(f"another run (pid {holder.get('pid')}, started {started}) is still running; not starting a "
                "second one", hung=False)


@contextmanager
def grouping_lock(db_path: str):
    """Wait for, then hold, the database's grouping lock (``newsdesk.db.grouping.lock``): grouping keeps
    document frequencies and centroids cached between its transactions, so two drafts (two
    ``draft --rebuild`` started together, say) take turns instead of interleaving. An in-memory
    database ('') needs none."""
    if not db_path:
        yield
        return
    with open(f"{db_path}.grouping.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released by the kernel when the holder dies
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
