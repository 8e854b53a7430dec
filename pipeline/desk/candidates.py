"""Candidates: reading them, and the editor's decisions (edit, pick, reject)."""

from __future__ import annotations

import json

import sqlite_utils

from pipeline.store.history import last_change, record
from pipeline.store.schema import now_iso
from pipeline.store.transactions import transaction

STATUSES = ("new", "picked", "rejected")
JSON_FIELDS = ("links", "bullets", "related", "explanation", "facts")
SELECT = ("SELECT c.*, st.kind AS story_kind, st.first_published_at AS published_at FROM candidates c "
          "JOIN stories st ON st.id = c.story_id")


MAX_BULLETS = 6          # the most an edit may leave; the house format asks for 3-4
HOUSE_BULLETS = range(3, 5)


class NotFound(LookupError):
    pass


class EditRefused(ValueError):
    """An edit that would break the house format (empty headline, no bullets, empty or too many bullets)."""


def check_edit(headline: str | None, bullets: list[str] | None) -> list[str]:
    """Refuse what the house format cannot carry; return warnings for what it merely discourages."""
    if headline is not None and not headline.strip():
        raise EditRefused("the headline cannot be empty")
    if bullets is None:
        return []
    if not 1 <= len(bullets) <= MAX_BULLETS:
        raise EditRefused(f"a candidate has 1 to {MAX_BULLETS} bullets, not {len(bullets)}")
    empty = [number for number, text in enumerate(bullets, start=1) if not text.strip()]
    if empty:
        raise EditRefused(f"bullet {empty[0]} is empty")
    if len(bullets) not in HOUSE_BULLETS:
        return [f"the house format has 3-4 bullets; this candidate now has {len(bullets)}"]
    return []


def list_candidates(db: sqlite_utils.Database, status: str | None = None) -> list[dict]:
    """Candidates ranked by score (highest first), newest first among equals."""
    where, params = ("WHERE c.status = ?", [status]) if status else ("", [])
    sql = f"{SELECT} {where} ORDER BY c.score DESC, st.first_published_at DESC, c.id"
    return [decode_row(row) for row in db.query(sql, params)]


def get_candidate(db: sqlite_utils.Database, candidate_id: int) -> dict:
    rows = list(db.query(f"{SELECT} WHERE c.id = ?", [candidate_id]))
    if not rows:
        raise NotFound(_where_it_went(db, candidate_id))
    return decode_row(rows[0])


def _where_it_went(db: sqlite_utils.Database, candidate_id: int) -> str:
    retired = db.execute("SELECT article_ids FROM retired_candidates WHERE id = ?", [candidate_id]).fetchone()
    if retired is None:
        return f"there is no candidate {candidate_id}"
    marks = ",".join("?" for _ in json.loads(retired[0]))
    now = [row[0] for row in db.execute(
        f"SELECT DISTINCT c.id FROM story_articles sa JOIN candidates c ON c.story_id = sa.story_id "
        f"WHERE sa.article_id IN ({marks}) ORDER BY c.id", json.loads(retired[0]))]
    where = (f"its articles are now in candidate{'s' if len(now) > 1 else ''} {', '.join(map(str, now))}"
             if now else "its articles are not in any candidate yet (run newsdesk draft)")
    return f"candidate {candidate_id} was retired when a rebuild regrouped its story; {where}"


class Conflict(RuntimeError):
    """The candidate changed since the editor loaded it (another editor, or a draft run)."""


def check_unchanged(db: sqlite_utils.Database, candidate_id: int, seen: int | None) -> None:
    """Refuse to write over a change the editor has not seen (``seen``: the token the page showed)."""
    if seen is not None and last_change(db, candidate_id) != seen:
        raise Conflict(f"candidate {candidate_id} changed since you loaded it; here is its current state")


def set_status(db: sqlite_utils.Database, candidate_id: int, status: str, *, editor: str | None = None,
               seen: int | None = None) -> dict:
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    with transaction(db):
        check_unchanged(db, candidate_id, seen)
        old = get_candidate(db, candidate_id)["status"]
        db["candidates"].update(candidate_id, {"status": status, "updated_at": now_iso()})
        record(db, candidate_id, "editor", status if status != "new" else "reopened", {"status": [old, status]},
               editor)
    return get_candidate(db, candidate_id)


def edit(db: sqlite_utils.Database, candidate_id: int, *, headline: str | None = None,
         bullets: list[str] | None = None, editor: str | None = None, seen: int | None = None) -> dict:
    """An editor's change: from now on the software never rewrites this candidate."""
    check_edit(headline, bullets)
    with transaction(db):
        check_unchanged(db, candidate_id, seen)
        return _edit(db, candidate_id, headline, bullets, editor)


def _edit(db, candidate_id: int, headline: str | None, bullets: list[str] | None, editor: str | None) -> dict:
    current = get_candidate(db, candidate_id)
    values, changes = {}, {}
    if headline is not None and headline != current["headline"]:
        values["headline"], changes["headline"] = headline, [current["headline"], headline]
    if bullets is not None:
        kept = {b["text"]: b for b in current["bullets"]}  # unchanged bullets keep their provenance
        new = [kept.get(text) or {"text": text, "article_id": None, "sentence_index": None,
                                  "source_sentence": None, "edited": True} for text in bullets]
        if [b["text"] for b in current["bullets"]] != bullets:
            values["bullets"] = json.dumps(new, ensure_ascii=False)
            changes["bullets"] = [[b["text"] for b in current["bullets"]], bullets]
    if not values:
        return current
    db["candidates"].update(candidate_id, {**values, "edited": 1, "needs_review": 0, "updated_at": now_iso()})
    record(db, candidate_id, "editor", "edited", changes, editor)
    return get_candidate(db, candidate_id)


def decode_row(row: dict) -> dict:
    return {**row, **{name: json.loads(row[name]) for name in JSON_FIELDS}}
