"""Cursors of resumable jobs (table job_cursors): where the next run of a killed job resumes.

A job saves its cursor in the same transaction as the work it covers, so the cursor never runs
ahead of what is stored; a job that finishes removes its cursor and the next run starts over.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.store.schema import now_iso

if TYPE_CHECKING:  # sqlite_utils (and numpy) cost search's start-up over 100 ms
    import sqlite_utils


def job_cursor(db: sqlite_utils.Database, job: str, fingerprint: str) -> int:
    """The last article id a killed run of the job stored, or 0 (none, or it ran with another registry)."""
    row = db.execute("SELECT last_id, fingerprint FROM job_cursors WHERE job = ?", [job]).fetchone()
    return row[0] if row and row[1] == fingerprint else 0


def save_cursor(db: sqlite_utils.Database, job: str, last_id: int, fingerprint: str, started_at: str) -> None:
    """Call inside the transaction that stores the work up to ``last_id``."""
    db.execute("INSERT INTO job_cursors (job, last_id, fingerprint, started_at, updated_at) VALUES (?, ?, ?, ?, ?) "
               "ON CONFLICT (job) DO UPDATE SET last_id = excluded.last_id, fingerprint = excluded.fingerprint, "
               "started_at = excluded.started_at, updated_at = excluded.updated_at",
               [job, last_id, fingerprint, started_at, now_iso()])


def clear_cursor(db: sqlite_utils.Database, job: str) -> None:
    db.execute("DELETE FROM job_cursors WHERE job = ?", [job])
