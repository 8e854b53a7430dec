"""Regrouping the whole archive (``draft --rebuild``) without renumbering what survives.

The rebuild remembers each story's articles (story_rebuild), clears the grouping and groups every
article again. Then each remembered story is reconciled, one transaction each: when a new story has
exactly its articles, the old story (its id, its candidate's id and history) takes them back;
otherwise its candidate is retired (retired_candidates says which articles it had, so `show ID`
can say where they went). Killed at any point, the next draft finishes the reconciling.
Stories an editor touched (edited, picked or rejected candidates) keep their articles throughout.
"""

from __future__ import annotations

import sqlite_utils

from pipeline.store import now_iso, transaction
from pipeline.stories.grouping import Meanwhile, Outcome, update_stories
from pipeline.stories.lifecycle import PROTECTED, delete_candidate, retire
from pipeline.stories.signatures import article_signature, store_signature


def rebuild_stories(db: sqlite_utils.Database, progress=None, workers: int | None = None,
                    meanwhile: Meanwhile | None = None) -> Outcome:
    """Group the whole archive again; stories that come out with the same articles keep their ids
    (``meanwhile``: as for update_stories)."""
    with transaction(db):
        for (empty,) in db.execute(  # stories left without articles (an editor split them out): retired now
                f"SELECT id FROM stories st WHERE id NOT IN ({PROTECTED}) AND merged_into IS NULL AND NOT EXISTS "
                "(SELECT 1 FROM story_articles sa WHERE sa.story_id = st.id)").fetchall():
            retire(db, empty, [])
        db.execute("INSERT OR IGNORE INTO story_rebuild (story_id, article_id) SELECT story_id, article_id "
                   f"FROM story_articles WHERE story_id NOT IN ({PROTECTED})")
        for table in ("lsh_buckets", "article_signatures", "term_postings", "term_stats", "article_profiles",
                      "story_centroids"):  # kept stories are profiled again first by update_stories
            db.execute(f"DELETE FROM {table}")
        db.execute(f"DELETE FROM story_articles WHERE story_id NOT IN ({PROTECTED})")
        kept = db.query("SELECT a.id, a.version, a.title, a.lead, a.text FROM story_articles sa "
                        "JOIN articles a ON a.id = sa.article_id")
        for article in list(kept):
            store_signature(db, article, article_signature(article))
    outcome = update_stories(db, progress, workers=workers, meanwhile=meanwhile)
    finish_rebuild(db)
    return outcome


def finish_rebuild(db: sqlite_utils.Database) -> None:
    """Reconcile every story a rebuild remembered (nothing to do when no rebuild is under way)."""
    for (story_id,) in db.execute("SELECT DISTINCT story_id FROM story_rebuild ORDER BY story_id").fetchall():
        with transaction(db):
            _reconcile(db, story_id)


def _reconcile(db: sqlite_utils.Database, story_id: int) -> None:
    old = {row[0] for row in db.execute("SELECT article_id FROM story_rebuild WHERE story_id = ?", [story_id])}
    now = {row[0] for row in db.execute(
        "SELECT article_id FROM story_articles WHERE story_id = (SELECT story_id FROM story_articles "
        "WHERE article_id = ?)", [min(old)])}
    new_story = db.execute("SELECT story_id FROM story_articles WHERE article_id = ?", [min(old)]).fetchone()
    if new_story and now == old and new_story[0] != story_id:
        _take_back(db, story_id, new_story[0])
    elif not (new_story and new_story[0] == story_id):
        retire(db, story_id, sorted(old))
    db.execute("DELETE FROM story_rebuild WHERE story_id = ?", [story_id])


def _take_back(db: sqlite_utils.Database, story_id: int, new_id: int) -> None:
    """The old story takes its articles back from the identical new one, which goes (with its draft)."""
    db.execute("UPDATE story_articles SET story_id = ? WHERE story_id = ?", [story_id, new_id])
    db.execute("UPDATE story_centroids SET story_id = ? WHERE story_id = ?", [story_id, new_id])
    db.execute("UPDATE stories SET (kind, title, first_published_at, last_published_at) = "
               "(SELECT kind, title, first_published_at, last_published_at FROM stories WHERE id = ?), "
               "updated_at = ?, revision = revision + 1 WHERE id = ?", [new_id, now_iso(), story_id])
    delete_candidate(db, new_id)
    db.execute("DELETE FROM stories WHERE id = ?", [new_id])
