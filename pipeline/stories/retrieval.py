"""Candidate stories through the term index: each look-up key (a rare word or a fact) reads at most
a fixed number of postings inside a time window, so the work per article is bounded whatever the
archive's size; stories are ranked by the summed IDF of the keys their articles share."""

from __future__ import annotations

import json
from datetime import timedelta

import sqlite_utils

from pipeline.stories.evidence import moment
from pipeline.stories.profiles import idf

POSTINGS_PER_KEY = 20
MAX_KEYS = 200             # keys looked up at once (SQLite allows 500 terms in one compound SELECT)
OPEN_WINDOW = ("", "9999")


def window(published_at: str | None, before_days: float, after_days: float) -> tuple[str, str]:
    """ISO bounds around a date (unbounded when the date is unknown)."""
    when = moment(published_at)
    if when is None:
        return OPEN_WINDOW
    return (when - timedelta(days=before_days)).isoformat(), (when + timedelta(days=after_days)).isoformat()


def story_keys(db: sqlite_utils.Database, story_id: int) -> list[str]:
    """The look-up keys its articles posted, each once, in article order."""
    return list(dict.fromkeys(key for (keys_json,) in db.execute(
        "SELECT p.keys FROM story_articles sa JOIN article_profiles p ON p.article_id = sa.article_id "
        "WHERE sa.story_id = ? ORDER BY sa.article_id", [story_id]) for key in json.loads(keys_json)))


def stories_sharing(db: sqlite_utils.Database, keys: list[str], bounds: tuple[str, str], dfs: dict[str, int],
                    total: int, *, limit: int, exclude_story: int | None = None,
                    per_key: int = POSTINGS_PER_KEY) -> list[tuple[int, float]]:
    """News stories whose articles posted any of ``keys`` within ``bounds`` (the newest ``per_key``
    postings of each key; the first ``MAX_KEYS`` keys): (story id, summed IDF of the keys shared),
    best first. One statement: the postings are read, mapped to stories and ranked inside SQLite."""
    keys = list(dict.fromkeys(keys))[:MAX_KEYS]
    if not keys:
        return []
    weights = ", ".join("(?, ?)" for _ in keys)
    postings = " UNION ALL ".join(
        ["SELECT * FROM (SELECT term, article_id FROM term_postings WHERE term = ? AND published_at BETWEEN ? AND ? "
         f"ORDER BY published_at DESC LIMIT {int(per_key)})"] * len(keys))
    sql = (f"WITH k(term, weight) AS (VALUES {weights}), p(term, article_id) AS ({postings}), "
           "shared AS (SELECT DISTINCT sa.story_id, p.term FROM p "
           "JOIN story_articles sa ON sa.article_id = p.article_id JOIN stories st ON st.id = sa.story_id "
           "WHERE st.kind = 'news' AND st.merged_into IS NULL "
           "AND sa.story_id IS NOT ?) "
           "SELECT shared.story_id, sum(k.weight) AS score FROM shared JOIN k ON k.term = shared.term "
           "GROUP BY shared.story_id ORDER BY score DESC, shared.story_id DESC LIMIT ?")
    params = [value for key in keys for value in (key, idf(dfs.get(key, 0), total))]
    params += [value for key in keys for value in (key, *bounds)]
    return [(story_id, score) for story_id, score in db.execute(sql, [*params, exclude_story, int(limit)])]
