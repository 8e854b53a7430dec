"""Opening the database: where it is, WAL and the busy timeout, and migrating it."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import sqlite_utils

from pipeline.store import schema

DEFAULT_DB = Path("data") / "newsdesk.db"
ENV_VAR = "NEWSDESK_DB"
BUSY_ENV_VAR = "NEWSDESK_BUSY_TIMEOUT"   # seconds a command waits for another process's write lock
BUSY_TIMEOUT_MS = 30_000


class DatabaseUnusable(Exception):
    """The file cannot be used: not SQLite, another program's database, or a newer newsdesk's."""


CACHE_KIB = 65536  # SQLite's page cache per connection (default 2 MiB): index look-ups of a large archive stay in it


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
            migrate: bool = True) -> sqlite_utils.Database:
    """Open the database, migrating it unless ``migrate=False`` (read-only commands never migrate).

    With create=False a missing file is an error. A file that is not newsdesk's is refused before
    anything is written to it (DatabaseUnusable).
    """
    file = db_path(path)
    if not create and not file.exists():
        raise FileNotFoundError(f"database {file} does not exist (run 'newsdesk crawl' first or pass --db)")
    timeout = busy_timeout_ms()
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(file), timeout=timeout / 1000)
    except (OSError, sqlite3.Error) as exc:
        raise DatabaseUnusable(f"database {file} cannot be opened: {exc}") from None
    db = sqlite_utils.Database(conn)
    try:
        db.execute(f"PRAGMA busy_timeout = {timeout}")
        _check_ours(db, file, migrate)
        if migrate:
            db.enable_wal()
            db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash loses at most the last commit
        db.execute("PRAGMA foreign_keys = ON")
        db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        if migrate:
            schema.migrate(db)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            raise
        raise DatabaseUnusable(f"database {file} cannot be used: {exc}") from None
    except DatabaseUnusable:
        conn.close()
        raise
    return db


def _check_ours(db: sqlite_utils.Database, file: Path, migrate: bool) -> None:
    tables = set(db.table_names())
    if not tables:
        if not migrate:
            raise DatabaseUnusable(f"database {file} is empty (run 'newsdesk crawl' first)")
        return
    if "schema_migrations" not in tables:
        ours = sorted(tables & schema.TABLES)
        clash = f", and its tables {', '.join(ours)} would clash with newsdesk's" if ours else ""
        raise DatabaseUnusable(f"database {file} is not a newsdesk database (no schema_migrations table{clash}); "
                               "refusing to change it")
    version, latest = schema.schema_version(db), schema.LATEST_VERSION
    if version > latest:
        raise DatabaseUnusable(f"database {file} has schema version {version}, newer than this newsdesk knows "
                               f"({latest}); upgrade newsdesk")
    if version < latest and not migrate:
        raise DatabaseUnusable(f"database {file} has schema version {version}; run a command that writes "
                               f"(newsdesk draft) to upgrade it to {latest}")


def insert_row(db: sqlite_utils.Database, table: str, row: dict) -> int:
    """Insert one row (lists and dicts stored as JSON, as sqlite-utils does) and return its rowid:
    one statement, without sqlite-utils' per-call look-ups of the table's columns. Outside a
    transaction it is committed at once (as sqlite-utils' insert is)."""
    values = [json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v for v in row.values()]
    outside = not db.conn.in_transaction
    cursor = db.conn.execute(f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in row)}) "
                             f"VALUES ({', '.join('?' * len(row))})", values)
    if outside:
        db.conn.commit()
    return cursor.lastrowid
