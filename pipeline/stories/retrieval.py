"""Candidate stories through the term index: each look-up key (a rare word or a fact) reads at most
a fixed number of postings inside a time window, so the work per article is bounded whatever the
archive's size; stories are ranked by the summed IDF of the keys their articles share."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import timedelta

import sqlite_utils

from pipeline.stories.evidence import moment
from pipeline.stories.profiles import idf

POSTINGS_PER_KEY = 40
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
    postings of each key): (story id, score), best first."""
    matched: dict[int, set[str]] = defaultdict(set)
    keys = list(dict.fromkeys(keys))
    one = ("SELECT * FROM (SELECT term, article_id FROM term_postings WHERE term = ? AND published_at BETWEEN ? AND ? "
           f"ORDER BY published_at DESC LIMIT {int(per_key)})")
    for start in range(0, len(keys), 40):  # one statement per 40 keys, each key bounded by its own LIMIT
        chunk = keys[start:start + 40]
        for term, article_id in db.execute(" UNION ALL ".join([one] * len(chunk)),
                                          [value for key in chunk for value in (key, *bounds)]):
            matched[article_id].add(term)
    if not matched:
        return []
    keys_of: dict[int, set[str]] = defaultdict(set)
    ids = list(matched)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for article_id, story_id in db.execute(
                "SELECT sa.article_id, sa.story_id FROM story_articles sa JOIN stories st ON st.id = sa.story_id WHERE "
                f"st.kind = 'news' AND st.merged_into IS NULL AND sa.article_id IN ({','.join('?' * len(chunk))})",
                chunk):
            if story_id != exclude_story:
                keys_of[story_id] |= matched[article_id]
    scored = [(story_id, sum(idf(dfs.get(key, 0), total) for key in found)) for story_id, found in keys_of.items()]
    return sorted(scored, key=lambda pair: (-pair[1], -pair[0]))[:limit]
