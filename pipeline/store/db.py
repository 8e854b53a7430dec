"""Opening the database: where it is, WAL and the busy timeout, and migrating it.

``open_db`` gives the sqlite_utils Database every stage works with; ``open_reader`` a plain
read-only sqlite3 connection for a command that only reads and must start fast (search: importing
sqlite_utils alone costs over 100 ms, numpy included).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.store import schema

if TYPE_CHECKING:
    import sqlite_utils

DEFAULT_DB = Path("data") / "newsdesk.db"
ENV_VAR = "NEWSDESK_DB"
BUSY_ENV_VAR = "NEWSDESK_BUSY_TIMEOUT"   # seconds a command waits for another process's write lock
BUSY_TIMEOUT_MS = 30_000


class DatabaseUnusable(Exception):
    """The file cannot be used: not SQLite, another program's database, or a newer newsdesk's."""


CACHE_KIB = 65536  # SQLite's page cache per connection (default 2 MiB): index look-ups of a large archive stay in it
WRITER_CACHE_KIB = 4096  # the crawl's and reextract's: appends and one-URL look-ups; memory goes to workers


def db_path(path: str | os.PathLike | None = None) -> Path:
    """The database in force: an explicit path, else $NEWSDESK_DB, else data/newsdesk.db."""
    return Path(path or os.environ.get(ENV_VAR) or DEFAULT_DB)


def busy_timeout_ms() -> int:
    """The busy timeout in force: $NEWSDESK_BUSY_TIMEOUT seconds, else 30 s."""
    try:
        seconds = float(os.environ.get(BUSY_ENV_VAR) or BUSY_TIMEOUT_MS / 1000)
    except ValueError:
        raise DatabaseUnusable(f"{BUSY_ENV_VAR} must be a number of seconds") from None
    return int(max(seconds, 0) * 1000)


def open_db(path: str | os.PathLike | None = None, *, create: bool = True,
            migrate: bool = True, cache_kib: int = CACHE_KIB) -> sqlite_utils.Database:
    """Open the database, migrating it unless ``migrate=False`` (read-only commands never migrate);
    ``cache_kib``: SQLite's page cache (it fills as pages are read or written).

    With create=False a missing file is an error. A file that is not newsdesk's is refused before
    anything is written to it (DatabaseUnusable).
    """
    import sqlite_utils  # here, not at the top: open_reader's callers never load it

    file = db_path(path)
    if not create and not file.exists():
        raise FileNotFoundError(f"database {file} does not exist (run 'newsdesk crawl' first or pass --db)")
    conn = _connect(file)
    db = sqlite_utils.Database(conn)
    with _closed_when_unusable(conn, file):
        _check_ours(conn, file, migrate)
        if migrate:
            db.enable_wal()
            db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash loses at most the last commit
        db.execute("PRAGMA foreign_keys = ON")
        db.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
        if migrate:
            schema.migrate(db)
    return db


def open_reader(path: str | os.PathLike | None = None) -> sqlite3.Connection:
    """An existing database as a plain sqlite3 connection that cannot write (``PRAGMA query_only``),
    with the checks of ``open_db(create=False, migrate=False)``."""
    file = db_path(path)
    if not file.exists():
        raise FileNotFoundError(f"database {file} does not exist (run 'newsdesk crawl' first or pass --db)")
    conn = _connect(file)
    with _closed_when_unusable(conn, file):
        _check_ours(conn, file, migrate=False)
        conn.execute("PRAGMA query_only = ON")
    return conn


def _connect(file: Path) -> sqlite3.Connection:
    """A connection that waits up to the busy timeout for another process's lock."""
    timeout = busy_timeout_ms()
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(file), timeout=timeout / 1000)
        conn.execute(f"PRAGMA busy_timeout = {timeout}")
    except (OSError, sqlite3.Error) as exc:
        raise DatabaseUnusable(f"database {file} cannot be opened: {exc}") from None
    return conn


@contextmanager
def _closed_when_unusable(conn: sqlite3.Connection, file: Path) -> Iterator[None]:
    """A file that cannot be used closes the connection and is one DatabaseUnusable (a lock stays an
    OperationalError: the command line says how long it waited)."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        conn.close()
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            raise
        raise DatabaseUnusable(f"database {file} cannot be used: {exc}") from None
    except DatabaseUnusable:
        conn.close()
        raise


def _check_ours(conn: sqlite3.Connection, file: Path, migrate: bool) -> None:
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        if not migrate:
            raise DatabaseUnusable(f"database {file} is empty (run 'newsdesk crawl' first)")
        return
    if "schema_migrations" not in tables:
        ours = sorted(tables & schema.TABLES)
        clash = f", and its tables {', '.join(ours)} would clash with newsdesk's" if ours else ""
        raise DatabaseUnusable(f"database {file} is not a newsdesk database (no schema_migrations table{clash}); "
                               "refusing to change it")
    version, latest = schema.schema_version(conn), schema.LATEST_VERSION
    if version > latest:
        raise DatabaseUnusable(f"database {file} has schema version {version}, newer than this newsdesk knows "
                               f"({latest}); upgrade newsdesk")
    if version < latest and not migrate:
        raise DatabaseUnusable(f"database {file} has schema version {version}; run a command that writes "
                               f"(newsdesk draft) to upgrade it to {latest}")


def insert_row(db: sqlite_utils.Database, table: str, row: dict, upsert_on: str | None = None) -> int:
    """Insert one row (lists and dicts stored as JSON, as sqlite-utils does) and return its rowid:
    one statement, without sqlite-utils' per-call look-ups of the table's columns. ``upsert_on`` (a
    unique column) updates the row holding the same value instead, as sqlite-utils' upsert does.
    Outside a transaction it is committed at once (as sqlite-utils' insert is)."""
    values = [json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v for v in row.values()]
    outside = not db.conn.in_transaction
    conflict = ""
    if upsert_on:
        conflict = f" ON CONFLICT([{upsert_on}]) DO UPDATE SET " + ", ".join(
            f"[{c}] = excluded.[{c}]" for c in row if c != upsert_on)
    cursor = db.conn.execute(f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in row)}) "
                             f"VALUES ({', '.join('?' * len(row))}){conflict}", values)
    if outside:
        db.conn.commit()
    return cursor.lastrowid
