"""Re-run extraction over the stored raw responses, without re-crawling.

Used after an extraction rule changes: every article is extracted again from its kept responses
(all pages of a multi-page article; the CVRF document of an MSRC release); a changed result
becomes a new version, exactly as if it had been crawled again.

Articles are read in id order, a chunk at a time (never the whole archive in memory), extracted in
``workers`` worker processes (0: in this process), and stored in batches, one transaction each,
together with the job's cursor (pipeline.store.cursors): a run killed half-way is resumed by the
next one after the last article it stored; a run that finishes starts the next one over.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future

import sqlite_utils

from crawler.extraction import Failure, Reextracted, reextract_article
from crawler.settings import NEWSDESK_EXTRACT_TIMEOUT
from crawler.sources import PRIMARY, Source
from crawler.workers import JobTimeout, PoolUnavailable, WorkerDied, WorkerPool
from pipeline import store

log = logging.getLogger(__name__)
CHUNK = 200            # articles read from the database at a time
BATCH = 100            # articles stored per transaction ...
BATCH_SECONDS = 2.0    # ... or what was done in this long
Progress = Callable[[str, int, int], None]
OnFailure = Callable[[str, str, str, str], None]   # (source, url, reason, detail)


def reextract(db: sqlite_utils.Database, sources: dict[str, Source], only: str | None = None, *,
              workers: int = 0, progress: Progress | None = None, on_failure: OnFailure | None = None,
              restart: bool = False, timeout: float | None = NEWSDESK_EXTRACT_TIMEOUT) -> Counter:
    """Returns counts of outcomes: new/changed/unchanged/failed/skipped (source no longer registered)."""
    job = "reextract" + (f":{only}" if only else "")
    db.execute(f"PRAGMA cache_size = -{store.WRITER_CACHE_KIB}")  # a writer in id order: memory goes to workers
    run = _Run(db, job, registry_fingerprint(sources), progress, on_failure)
    after = 0 if restart else store.job_cursor(db, job, run.fingerprint)
    run.total = _count(db, only, after)
    pool = WorkerPool(workers, timeout, preload=("crawler.extraction",)) if workers > 0 else None
    try:
        pending: deque = deque()
        for row, pages in _stored_articles(db, only, after):
            job_args = (row, PRIMARY if row["kind"] == "primary" else sources.get(row["source"]), pages)
            pending.append((row, job_args, _submit(pool, *job_args)))
            while len(pending) > 4 * max(workers, 1):
                run.done(*pending.popleft())
        while pending:
            run.done(*pending.popleft())
        run.commit(finished=True)
    finally:
        if pool is not None:
            pool.close()
    return run.outcomes


def registry_fingerprint(sources: dict[str, Source]) -> str:
    entries = {key: dataclasses.asdict(source) for key, source in sorted(sources.items())}
    return hashlib.sha256(json.dumps(entries, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _count(db: sqlite_utils.Database, only: str | None, after: int) -> int:
    where, params = _where(only, after)
    return db.execute(f"SELECT count(*) FROM articles {where}", params).fetchone()[0]


def _where(only: str | None, after: int) -> tuple[str, list]:
    return ("WHERE id > ?" + (" AND source = ?" if only else ""), [after, only] if only else [after])


def _stored_articles(db: sqlite_utils.Database, only: str | None, after: int) -> Iterator[tuple[dict, list[dict]]]:
    """(article id, source, url, kind) and its stored pages (compressed), in id order, CHUNK at a time."""
    while True:
        where, params = _where(only, after)
        rows = list(db.query(f"SELECT id, source, url, kind FROM articles {where} ORDER BY id LIMIT {CHUNK}",
                             params))
        if not rows:
            return
        pages = store.stored_pages(db, [row["id"] for row in rows])
        for row in rows:
            yield row, pages.get(row["id"], [])
        after = rows[-1]["id"]


def _submit(pool: WorkerPool | None, row: dict, source: Source | None, pages: list[dict]) -> Future:
    """The extraction of one article, in a worker when there is a pool; a finished Future otherwise."""
    if source is None or not pages:
        return _finished("skipped")
    if pool is not None and pool.available:
        return pool.submit(reextract_article, row, source, pages)
    return _finished(reextract_article(row, source, pages))


def _finished(value) -> Future:
    future: Future = Future()
    future.set_result(value)
    return future


def _result(future: Future, job_args: tuple) -> Reextracted | Failure | str:
    try:
        return future.result()
    except PoolUnavailable:  # the workers are gone: extract it here
        return reextract_article(*job_args)
    except JobTimeout as exc:
        return Failure("extract", f"extraction {exc}: the article was given up")
    except WorkerDied as exc:
        return Failure("extract", f"extraction ended its worker process ({exc})")
    except Exception as exc:  # noqa: BLE001 - one article never ends the run
        return Failure("extract", f"{type(exc).__name__}: {exc}")


class _Run:
    """The articles done but not yet committed, the outcomes, and the cursor."""

    def __init__(self, db, job: str, fingerprint: str, progress: Progress | None, on_failure: OnFailure | None):
        self.db, self.job, self.fingerprint = db, job, fingerprint
        self.progress, self.on_failure = progress, on_failure
        self.started_at = store.now_iso()
        self.outcomes: Counter = Counter()
        self.batch: list[tuple[dict, Reextracted | Failure | str]] = []
        self.committed_at = time.monotonic()
        self.total = self.count = 0

    def done(self, row: dict, job_args: tuple, future: Future) -> None:
        self.batch.append((row, _result(future, job_args)))
        if len(self.batch) >= BATCH or time.monotonic() - self.committed_at >= BATCH_SECONDS:
            self.commit()

    def commit(self, finished: bool = False) -> None:
        """Store the batch and move the cursor in one transaction; a finished run removes the cursor."""
        counted: Counter = Counter()
        with store.transaction(self.db):
            for row, result in self.batch:
                counted[self._store(row, result)] += 1
            if finished:
                store.clear_cursor(self.db, self.job)
            elif self.batch:
                store.save_cursor(self.db, self.job, self.batch[-1][0]["id"], self.fingerprint, self.started_at)
        self.outcomes.update(counted)
        self.count += len(self.batch)
        self.batch, self.committed_at = [], time.monotonic()
        if self.progress and self.total:
            self.progress("reextract", self.count, self.total)

    def _store(self, row: dict, result: Reextracted | Failure | str) -> str:
        if isinstance(result, str):
            return result
        if isinstance(result, Failure):
            self._failed(row, result.reason, result.detail)
            return "failed"
        try:
            return store.save_article(self.db, {**result.article, "source": row["source"]}, [],
                                      vulnerabilities=result.vulnerabilities, digested=result.digest)
        except Exception as exc:  # noqa: BLE001 - save_article's savepoint left nothing half-written
            self._failed(row, "store", f"{type(exc).__name__}: {exc}")
            return "failed"

    def _failed(self, row: dict, reason: str, detail: str) -> None:
        log.warning("reextract %s %s: %s (%s)", row["source"], row["url"], reason, detail)
        if self.on_failure:
            self.on_failure(row["source"], row["url"], reason, detail)
