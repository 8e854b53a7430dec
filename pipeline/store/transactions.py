"""Write transactions that wait for the write lock instead of failing when another process writes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction: all of it or nothing.

    It starts with BEGIN IMMEDIATE, taking the write lock first and waiting up to the busy timeout
    for another writer. A deferred BEGIN would read first and then fail at once when the read must
    become a write while another process writes (SQLite does not wait there, to avoid deadlock).
    Nested blocks are savepoints.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.rollback()
        raise
    db.conn.execute("COMMIT")
