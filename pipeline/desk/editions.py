"""Editions: the picked items, in the editors' order, exported as one Markdown newsletter and kept."""

from __future__ import annotations

import json
from datetime import date

import sqlite_utils

from pipeline.desk.candidates import SELECT, decode_row
from pipeline.desk.export import render_issue
from pipeline.store import now_iso, transaction
from pipeline.store.history import record

UNPUBLISHED = ("c.status = 'picked' AND c.id NOT IN "
               "(SELECT j.value FROM editions e, json_each(e.candidate_ids) j)")


class NothingPicked(LookupError):
    pass


def next_items(db: sqlite_utils.Database) -> list[dict]:
    """Picked candidates not yet in an edition: the editors' order first, then by score."""
    rows = db.query(f"{SELECT} WHERE {UNPUBLISHED} "
                    "ORDER BY c.position IS NULL, c.position, c.score DESC, st.first_published_at DESC")
    return [decode_row(row) for row in rows]


def create_edition(db: sqlite_utils.Database, *, issue_date: date | None = None, title: str | None = None,
                   editor: str | None = None) -> dict:
    """Export the next edition: stored with its Markdown exactly as published."""
    issue_date = issue_date or date.today()
    with transaction(db):
        items = next_items(db)
        if not items:
            raise NothingPicked("nothing to publish: no picked candidate is waiting for an edition")
        markdown = render_issue(items, issue_date, title=title)
        edition = {"issue_date": issue_date.isoformat(), "title": title or default_title(issue_date),
                   "candidate_ids": json.dumps([c["id"] for c in items]), "markdown": markdown,
                   "editor": editor, "created_at": now_iso()}
        edition_id = db["editions"].insert(edition).last_pk
        for item in items:
            record(db, item["id"], "editor", "published", {"edition": edition_id}, editor)
    return get_edition(db, edition_id)


def default_title(issue_date: date) -> str:
    return f"セキュリティニュース {issue_date.isoformat()}"


def get_edition(db: sqlite_utils.Database, edition_id: int) -> dict:
    rows = list(db.query("SELECT * FROM editions WHERE id = ?", [edition_id]))
    if not rows:
        raise LookupError(f"there is no edition {edition_id}")
    return {**rows[0], "candidate_ids": json.loads(rows[0]["candidate_ids"])}


def list_editions(db: sqlite_utils.Database) -> list[dict]:
    return [{**row, "candidate_ids": json.loads(row["candidate_ids"])}
            for row in db.query("SELECT id, issue_date, title, candidate_ids, editor, created_at FROM editions "
                                "ORDER BY id DESC")]


def editions_citing(db: sqlite_utils.Database, story_ids: list[int]) -> dict[int, list[str]]:
    """story id -> dates of the editions its candidate appeared in (for 「2026/11/10号参照」)."""
    if not story_ids:
        return {}
    marks = ",".join("?" for _ in story_ids)
    found: dict[int, list[str]] = {}
    for story_id, issue_date in db.execute(
            f"SELECT c.story_id, e.issue_date FROM editions e, json_each(e.candidate_ids) j "
            f"JOIN candidates c ON c.id = j.value WHERE c.story_id IN ({marks}) ORDER BY e.issue_date", story_ids):
        found.setdefault(story_id, []).append(issue_date)
    return found
