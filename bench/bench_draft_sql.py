"""Where an incremental draft's database time goes: every SQL statement timed, on a grouped archive.

Run from the repository root, on an archive that ``bench_drafting.py --workdir DIR --keep`` left
grouped and drafted (the file given is never written: it is copied first):

    .venv/bin/python bench/bench_drafting.py --sizes 10000 100000 --workdir /tmp/d --keep
    .venv/bin/python bench/bench_draft_sql.py /tmp/d/archive-10000.db /tmp/d/archive-100000.db

For each archive: copy it (with its WAL and the generator's truth) to ``--work``, add ``--new``
articles with ``bench.synthetic.add_incremental`` (``--seed``), then ``pipeline.drafts.draft`` with
the connection wrapped so that each statement's execution and fetch are timed. Printed: the draft's
wall time, the summed SQL time and the ``--top`` statements by time (count, seconds, the first 110
characters). The same seed adds the same kind of articles to every archive, so two sizes compare.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


class TimedConnection:
    """A sqlite3 connection whose execute and executemany are timed per statement (rows fetched
    at once, so the time includes reading them)."""

    def __init__(self, conn):
        self._conn = conn
        self.seconds: Counter = Counter()
        self.calls: Counter = Counter()

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def execute(self, sql, *args):
        start = time.perf_counter()
        cursor = self._conn.execute(sql, *args)
        rows = _Rows(cursor.fetchall(), cursor)
        self._count(sql, start)
        return rows

    def executemany(self, sql, *args):
        start = time.perf_counter()
        cursor = self._conn.executemany(sql, *args)
        self._count(sql, start)
        return cursor

    def _count(self, sql: str, start: float) -> None:
        key = re.sub(r"\s+", " ", sql).strip()[:110]
        self.seconds[key] += time.perf_counter() - start
        self.calls[key] += 1


class _Rows(list):
    """The fetched rows, read as a cursor is."""

    def __init__(self, rows, cursor):
        super().__init__(rows)
        self.lastrowid, self.rowcount, self.description = cursor.lastrowid, cursor.rowcount, cursor.description

    def fetchone(self):
        return self.pop(0) if self else None

    def fetchall(self):
        rows = list(self)
        self.clear()
        return rows

    def fetchmany(self, size=1):
        rows = self[:size]
        del self[:size]
        return rows


def copy_archive(source: Path, work: Path) -> Path:
    target = work / source.name
    for suffix in ("", "-wal", "-shm", ".truth.json"):
        done = Path(f"{target}{suffix}")
        done.unlink(missing_ok=True)
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", done)
    return target


def measure(archive: Path, work: Path, new: int, seed: int) -> tuple[float, TimedConnection]:
    from bench.synthetic import add_incremental
    from pipeline import drafts, store
    from pipeline.analyse.relevance import load_profile

    copy = copy_archive(archive, work)
    add_incremental(copy, new, seed=seed)
    db = store.open_db(copy)
    timed = db.conn = TimedConnection(db.conn)
    start = time.perf_counter()
    drafts.draft(db, load_profile())
    return time.perf_counter() - start, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("archives", nargs="+", type=Path, help="grouped archives (bench_drafting.py --keep)")
    parser.add_argument("--new", type=int, default=500, help="articles added before the draft (default 500)")
    parser.add_argument("--seed", type=int, default=24)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--work", type=Path, default=Path("/tmp/newsdesk-bench-draft-sql"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    for archive in args.archives:
        seconds, timed = measure(archive, args.work, args.new, args.seed)
        print(f"{archive.name}: draft {seconds:.3f} s, SQL {sum(timed.seconds.values()):.3f} s")
        for sql, spent in timed.seconds.most_common(args.top):
            print(f"  {spent:7.3f} s {timed.calls[sql]:7d}  {sql}")


if __name__ == "__main__":
    main()
