"""A scheduled draft reads only what changed: the work queues that the schema's triggers keep
(grouping_queue, drafting_queue) hold new, changed and ungrouped articles and the stories they touch,
whatever wrote them, and a draft empties them (issue 10: incremental cost independent of the archive)."""

from __future__ import annotations

from test_durability import fill

from pipeline import store, stories
from pipeline.analyse.relevance import load_profile
from pipeline.drafts import _NEEDS_DRAFT, draft, stories_to_draft
from pipeline.stories.grouping import PENDING_SQL, UNPROFILED_SQL, pending_ids


def back_to_before(db, version: int) -> None:
    """The file as a release before migration ``version`` (12 or 13) left it (14 and 15 undone too)."""
    if version <= 12:
        for table in ("grouping_queue", "drafting_queue"):
            db.execute(f"DROP TABLE {table}")
    for (trigger,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND (name LIKE "
                                 "'term_postings_%' OR (? AND name LIKE '%queue%'))", [version <= 12]).fetchall():
        db.execute(f"DROP TRIGGER {trigger}")
    db.execute("ALTER TABLE term_postings DROP COLUMN story_id")
    db.execute("DROP INDEX stories_unrepaired")  # migration 14
    db.execute("CREATE TABLE lsh_dated (band INTEGER NOT NULL, bucket INTEGER NOT NULL, published_at TEXT NOT NULL, "
               "article_id INTEGER NOT NULL, PRIMARY KEY (band, bucket, published_at, article_id)) WITHOUT ROWID")
    db.execute("INSERT INTO lsh_dated SELECT band, bucket, published_at, article_id FROM lsh_buckets")
    db.execute("DROP TABLE lsh_buckets")  # migration 15: the buckets led by band, not by month
    db.execute("ALTER TABLE lsh_dated RENAME TO lsh_buckets")
    db.execute("CREATE INDEX lsh_buckets_article ON lsh_buckets(article_id)")
    db.execute("DELETE FROM schema_migrations WHERE version >= ?", [version])


def queued(db, table: str) -> set[int]:
    return {row[0] for row in db.execute(f"SELECT * FROM {table}")}


def test_new_articles_are_queued_and_a_draft_empties_both_queues(db):
    fill(db)
    ids = {row[0] for row in db.execute("SELECT id FROM articles")}
    assert queued(db, "grouping_queue") == ids and len(pending_ids(db)) == 3
    outcome = draft(db, load_profile())
    assert outcome.articles_grouped == 3 and outcome.drafted == 3
    assert queued(db, "grouping_queue") == set() and queued(db, "drafting_queue") == set()
    assert draft(db, load_profile()).articles_grouped == 0  # nothing queued: nothing done


def test_a_changed_article_is_queued_and_its_story_redrafted(db):
    fill(db)
    draft(db, load_profile())
    article_id, story_id = db.execute("SELECT article_id, story_id FROM story_articles LIMIT 1").fetchone()
    db.execute("UPDATE articles SET version = version + 1, text = text || '続報です。' WHERE id = ?", [article_id])
    db.conn.commit()
    assert queued(db, "grouping_queue") == {article_id} and pending_ids(db) == [article_id]
    outcome = draft(db, load_profile())
    assert outcome.articles_grouped == 1 and outcome.redrafted == 1
    assert queued(db, "grouping_queue") == set() and queued(db, "drafting_queue") == set()
    assert db.execute("SELECT article_version FROM story_articles WHERE article_id = ?", [article_id]).fetchone()[0] \
        == db.execute("SELECT version FROM articles WHERE id = ?", [article_id]).fetchone()[0]
    assert story_id in {row[0] for row in db.execute("SELECT story_id FROM candidates")}


def test_an_editors_merge_queues_the_story_for_a_new_draft(db):
    fill(db)
    draft(db, load_profile())
    keep, absorb = [row[0] for row in db.execute("SELECT id FROM stories ORDER BY id LIMIT 2")]
    stories.merge_stories(db, keep, absorb)
    assert keep in queued(db, "drafting_queue") and stories_to_draft(db) == [keep]


def test_a_killed_draft_leaves_the_queue_for_the_next_run(db):
    fill(db)
    try:
        stories.update_stories(db, decide=_killed)
    except KeyboardInterrupt:
        pass
    assert len(queued(db, "grouping_queue")) == 3  # the batch's transaction rolled back, the queue with it
    assert draft(db, load_profile()).articles_grouped == 3


def _killed(article, candidates):
    raise KeyboardInterrupt


def test_the_scheduled_queries_read_the_queues_not_the_archive(db):
    fill(db)
    draft(db, load_profile())
    for sql in (PENDING_SQL, UNPROFILED_SQL, f"{_NEEDS_DRAFT} ORDER BY st.id"):
        plan = [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}")]
        assert plan[0] == "SCAN q", plan  # the queue is read; the archive's tables only looked up by key
        assert all(step == "SCAN q" or step.startswith(("SEARCH", "CORRELATED", "USE TEMP")) for step in plan), plan


def test_a_database_made_before_the_queues_is_queued_by_the_migration(tmp_path):
    path = tmp_path / "old.db"
    db = store.open_db(path)
    fill(db)
    draft(db, load_profile())
    fill_more = db.execute("SELECT max(id) FROM articles").fetchone()[0]
    back_to_before(db, 12)
    db.execute("DELETE FROM story_articles WHERE article_id = ?", [fill_more])  # ungrouped while no queue existed
    db.conn.commit()
    db.close()
    db = store.open_db(path)
    assert queued(db, "grouping_queue") == {fill_more}
    assert draft(db, load_profile()).articles_grouped == 1
