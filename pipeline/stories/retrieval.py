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
    best first. The postings carry their story (term_postings.story_id), so one statement reads them
    all; only the best stories are then checked for being live news stories."""
    keys = list(dict.fromkeys(keys))[:MAX_KEYS]
    if not keys or limit <= 0:
        return []
    postings = " UNION ALL ".join(
        ["SELECT * FROM (SELECT term, story_id FROM term_postings WHERE term = ? AND published_at BETWEEN ? AND ? "
         f"ORDER BY published_at DESC LIMIT {int(per_key)})"] * len(keys))
    weight = {key: idf(dfs.get(key, 0), total) for key in keys}
    scores: dict[int, float] = {}
    seen: set[tuple[int, str]] = set()
    for term, story_id in db.execute(postings, [value for key in keys for value in (key, *bounds)]):
        if story_id is not None and story_id != exclude_story and (story_id, term) not in seen:
            seen.add((story_id, term))  # a key counts once per story, however many of its articles posted it
            scores[story_id] = scores.get(story_id, 0.0) + weight[term]
    ranked = sorted(scores.items(), key=lambda item: (-item[1], -item[0]))
    found: list[tuple[int, float]] = []
    for start in range(0, len(ranked), limit):  # a chunk of the best at a time, until enough are live
        if len(found) >= limit:
            break
        chunk = ranked[start:start + limit]
        live = {row[0] for row in db.execute(
            f"SELECT id FROM stories WHERE id IN ({','.join('?' * len(chunk))}) AND kind = 'news' "
            "AND merged_into IS NULL", [story_id for story_id, _ in chunk])}
        found += [item for item in chunk if item[0] in live]
    return found[:limit]
