"""What software may not change (stories an editor touched) and how a story leaves: its candidate
retired, its id remembered with its articles so ``show ID`` can say where they went."""

from __future__ import annotations

import json

import sqlite_utils

from pipeline.store import now_iso

PROTECTED = "SELECT story_id FROM candidates WHERE edited = 1 OR status != 'new'"


def is_protected(db: sqlite_utils.Database, story_id: int) -> bool:
    """An editor edited, picked or rejected its candidate, or merged or split its articles."""
    return bool(db.execute(
        "SELECT 1 FROM candidates WHERE story_id = ? AND (edited = 1 OR status != 'new') UNION ALL "
        "SELECT 1 FROM story_articles WHERE story_id = ? AND json_valid(evidence) "
        "AND json_extract(evidence, '$.by') = 'editor' LIMIT 1", [story_id, story_id]).fetchone())


def retire(db: sqlite_utils.Database, story_id: int, article_ids: list[int]) -> None:
    """The story did not survive: its candidate is retired, its id remembered with its articles."""
    candidate = db.execute("SELECT id FROM candidates WHERE story_id = ?", [story_id]).fetchone()
    if candidate:
        db.execute("INSERT OR REPLACE INTO retired_candidates (id, article_ids, retired_at) VALUES (?, ?, ?)",
                   [candidate[0], json.dumps(article_ids), now_iso()])
    delete_candidate(db, story_id)
    if not db.execute("SELECT 1 FROM story_articles WHERE story_id = ?", [story_id]).fetchone():
        db.execute("UPDATE stories SET merged_into = NULL WHERE merged_into = ?", [story_id])
        db.execute("DELETE FROM story_centroids WHERE story_id = ?", [story_id])
        db.execute("DELETE FROM stories WHERE id = ?", [story_id])


def delete_candidate(db: sqlite_utils.Database, story_id: int) -> None:
    db.execute("DELETE FROM candidate_history WHERE candidate_id IN (SELECT id FROM candidates WHERE story_id = ?)",
               [story_id])
    db.execute("DELETE FROM candidates WHERE story_id = ?", [story_id])
