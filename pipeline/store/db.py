"""Opening the database: where it is, WAL and the busy timeout, and migrating it."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import sqlite_utils

from pipeline.store import schema

DEFAULT_DB = Path("data") / "newsdesk.db"
ENV_VAR = "NEWSDESK_DB"
BUSY_TIMEOUT_MS = 30_000


def db_path(path: str | os.PathLike | None = None) -> Path:
    """The database in force: an explicit path, else $NEWSDESK_DB, else data/newsdesk.db."""
    return Path(path or os.environ.get(ENV_VAR) or DEFAULT_DB)


def open_db(path: str | os.PathLike | None = None, *, create: bool = True) -> sqlite_utils.Database:
    """Open (and migrate) the database. With create=False a missing file is an error."""
    file = db_path(path)
    if not create and not file.exists():
        raise FileNotFoundError(f"database {file} does not exist (run 'newsdesk crawl' first or pass --db)")
    file.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(file), timeout=BUSY_TIMEOUT_MS / 1000)
    db = sqlite_utils.Database(conn)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash never corrupts, at most loses the last commit
    db.execute("PRAGMA foreign_keys = ON")
    schema.migrate(db)
    return db
