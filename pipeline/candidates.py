"""Candidates: reading them, and the editor's decisions (pick, reject)."""

from __future__ import annotations

import json

import sqlite_utils

from pipeline.store import now_iso

STATUSES = ("new", "picked", "rejected")


class NotFound(LookupError):
    pass


def list_candidates(db: sqlite_utils.Database, status: str | None = None) -> list[dict]:
    where, params = ("WHERE c.status = ?", [status]) if status else ("", [])
    sql = (f"SELECT c.*, a.source, a.published_at, a.title AS article_title FROM candidates c "
           f"JOIN articles a ON a.id = c.article_id {where} ORDER BY a.published_at DESC, c.id DESC")
    return [_decode(row) for row in db.query(sql, params)]


def get_candidate(db: sqlite_utils.Database, candidate_id: int) -> dict:
    rows = list(db.query(
        "SELECT c.*, a.source, a.published_at, a.title AS article_title FROM candidates c "
        "JOIN articles a ON a.id = c.article_id WHERE c.id = ?", [candidate_id]))
    if not rows:
        raise NotFound(f"there is no candidate {candidate_id}")
    return _decode(rows[0])


def set_status(db: sqlite_utils.Database, candidate_id: int, status: str) -> dict:
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    get_candidate(db, candidate_id)
    db["candidates"].update(candidate_id, {"status": status, "updated_at": now_iso()})
    return get_candidate(db, candidate_id)


def _decode(row: dict) -> dict:
    return {**row, "bullets": json.loads(row["bullets"])}
