"""Each term posting carries its article's story (term_postings.story_id, migration 13), so candidate
look-ups read the postings alone (issue 10: rebuild time). The schema's triggers keep it true
whatever moves an article, and the look-up ranks stories exactly as joining each posting's story."""

from __future__ import annotations

import json

from test_work_queues import back_to_before

from pipeline import store, stories
from pipeline.stories import retrieval
from pipeline.stories.grouping import merge_stories, split_article
from pipeline.stories.profiles import TermStats, idf

STALE = ("SELECT count(*) FROM term_postings p LEFT JOIN story_articles sa ON sa.article_id = p.article_id "
         "WHERE p.story_id IS NOT sa.story_id")


def grouped(db, count=120):
    from bench.story_eval import articles, load_into

    load_into(db, articles()[:count])
    stories.update_stories(db)
    assert db.execute("SELECT count(DISTINCT story_id) FROM term_postings").fetchone()[0] > 10
    return db


def joined_ranking(db, keys, bounds, dfs, total, limit, exclude_story=None):
    """What the look-up must equal: each posting's story found through story_articles."""
    scores = {}
    for key in dict.fromkeys(keys):
        for (story_id,) in db.execute(
                "SELECT DISTINCT sa.story_id FROM (SELECT article_id FROM term_postings WHERE term = ? AND "
                "published_at BETWEEN ? AND ? ORDER BY published_at DESC LIMIT ?) p JOIN story_articles sa "
                "ON sa.article_id = p.article_id JOIN stories st ON st.id = sa.story_id WHERE st.kind = 'news' "
                "AND st.merged_into IS NULL", [key, *bounds, retrieval.POSTINGS_PER_KEY]):
            if story_id != exclude_story:
                scores[story_id] = scores.get(story_id, 0.0) + idf(dfs.get(key, 0), total)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], -item[0]))[:limit]
    return [(story_id, round(score, 9)) for story_id, score in ranked]


def test_grouping_leaves_every_posting_with_its_articles_story(db):
    grouped(db)
    assert db.execute(STALE).fetchone()[0] == 0


def test_moves_splits_merges_and_a_rebuild_keep_the_postings_story_true(db):
    grouped(db)
    article_id, story_id = db.execute(
        "SELECT sa.article_id, sa.story_id FROM story_articles sa WHERE (SELECT count(*) FROM story_articles o "
        "WHERE o.story_id = sa.story_id) > 1 ORDER BY sa.article_id LIMIT 1").fetchone()
    new_story = split_article(db, article_id)
    assert {row[0] for row in db.execute("SELECT story_id FROM term_postings WHERE article_id = ?",
                                         [article_id])} == {new_story}
    merge_stories(db, story_id, new_story)
    assert db.execute(STALE).fetchone()[0] == 0
    with store.transaction(db):
        db.execute("DELETE FROM story_articles WHERE article_id = ?", [article_id])  # another program ungroups it
    assert db.execute("SELECT count(*) FROM term_postings WHERE article_id = ? AND story_id IS NOT NULL",
                      [article_id]).fetchone()[0] == 0
    stories.rebuild_stories(db)
    assert db.execute(STALE).fetchone()[0] == 0


def test_the_look_up_ranks_stories_as_joining_each_postings_story(db):
    grouped(db)
    stats = TermStats(db)
    rows = db.execute("SELECT p.keys, p.published_at, sa.story_id FROM article_profiles p "
                      "JOIN story_articles sa ON sa.article_id = p.article_id ORDER BY p.article_id").fetchall()
    compared = 0
    for keys_json, published, story_id in rows[::3]:
        keys = json.loads(keys_json)
        bounds, dfs = retrieval.window(published, 30, 30), stats.lookup(keys)
        for exclude in (None, story_id):
            found = retrieval.stories_sharing(db, keys, bounds, dfs, stats.total, limit=5, exclude_story=exclude)
            assert [(s, round(score, 9)) for s, score in found] == \
                joined_ranking(db, keys, bounds, dfs, stats.total, 5, exclude)
            compared += bool(found)
    assert compared > 20


def test_a_database_made_before_posting_stories_gets_them_from_the_migration(tmp_path):
    path = tmp_path / "old.db"
    db = grouped(store.open_db(path))
    back_to_before(db, 13)
    db.conn.commit()
    db.close()
    db = store.open_db(path)
    assert db.execute(STALE).fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM term_postings WHERE story_id IS NULL").fetchone()[0] == 0
