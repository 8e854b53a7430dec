"""Story centroids: the summed word counts of a story's articles (title and body apart), the union
of their facts and the story's time span, kept in ``story_centroids`` as articles join.

A new article is compared with centroids, not with single articles: a story told by three sites
and a notice is one point that grows more precise as it grows, so its wording does not chain
unrelated stories together one similar article at a time.
"""

from __future__ import annotations

import json
from collections import Counter, OrderedDict
from dataclasses import dataclass, field

import sqlite_utils

from pipeline.stories.profiles import TERMS_CAP, Profile, TermStats, load_profile, tfidf_norm


@dataclass
class Centroid:
    story_id: int
    articles: int = 0
    title: Counter = field(default_factory=Counter)
    body: Counter = field(default_factory=Counter)
    facts: dict[str, set[str]] = field(default_factory=dict)
    first_published_at: str | None = None
    last_published_at: str | None = None
    title_norm: float = 0.0
    body_norm: float = 0.0

    def add(self, profile: Profile) -> None:
        self.articles += 1
        self.title.update(profile.title)
        self.body.update(profile.body)
        for kind, values in profile.facts.items():
            self.facts.setdefault(kind, set()).update(values)
        when = profile.published_at
        if when:
            self.first_published_at = min(filter(None, (self.first_published_at, when)))
            self.last_published_at = max(filter(None, (self.last_published_at, when)))


class Centroids:
    """The story_centroids table, read through a bounded cache (the stories used least recently
    leave it first) that this run's writes keep current."""

    CACHE_STORIES = 5000

    def __init__(self, db: sqlite_utils.Database, stats: TermStats) -> None:
        self.db, self.stats = db, stats
        self._cache: OrderedDict[int, Centroid] = OrderedDict()

    def load(self, story_ids: list[int]) -> dict[int, Centroid]:
        """The centroids of those stories that have one."""
        missing = [story_id for story_id in story_ids if story_id not in self._cache]
        for story_id in story_ids:
            if story_id in self._cache:
                self._cache.move_to_end(story_id)
        for start in range(0, len(missing), 500):
            chunk = missing[start:start + 500]
            for row in self.db.execute(
                    "SELECT story_id, articles, title, body, facts, first_published_at, last_published_at, "
                    f"title_norm, body_norm FROM story_centroids WHERE story_id IN ({','.join('?' * len(chunk))})",
                    chunk):
                self._cache[row[0]] = Centroid(
                    row[0], row[1], Counter(json.loads(row[2])), Counter(json.loads(row[3])),
                    {kind: set(values) for kind, values in json.loads(row[4]).items()}, *row[5:])
        found = {story_id: self._cache[story_id] for story_id in story_ids if story_id in self._cache}
        self._trim()
        return found

    def _trim(self) -> None:
        while len(self._cache) > self.CACHE_STORIES:
            self._cache.popitem(last=False)

    def add(self, story_id: int, profile: Profile) -> None:
        centroid = self.load([story_id]).get(story_id) or Centroid(story_id)
        centroid.add(profile)
        self.save(centroid)

    def save(self, centroid: Centroid) -> None:
        """Store the centroid's heaviest terms and their vector lengths under today's IDF."""
        centroid.title, centroid.body = _capped(centroid.title), _capped(centroid.body)
        dfs, total = self.stats.lookup([*centroid.title, *centroid.body]), self.stats.total
        centroid.title_norm = tfidf_norm(centroid.title, dfs, total)
        centroid.body_norm = tfidf_norm(centroid.body, dfs, total)
        self.db.execute(
            "INSERT OR REPLACE INTO story_centroids (story_id, articles, title, body, facts, title_norm, body_norm, "
            "first_published_at, last_published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [centroid.story_id, centroid.articles, _json(centroid.title), _json(centroid.body),
             _json({kind: sorted(values) for kind, values in sorted(centroid.facts.items())}),
             centroid.title_norm, centroid.body_norm, centroid.first_published_at, centroid.last_published_at])
        self._cache[centroid.story_id] = centroid
        self._cache.move_to_end(centroid.story_id)
        self._trim()

    def recompute(self, story_id: int) -> Centroid:
        """The centroid again from its articles' profiles (after an editor's merge or split, or a repair)."""
        centroid = Centroid(story_id)
        for row in self.db.execute(
                "SELECT p.article_id, p.version, p.published_at, p.terms, p.facts FROM story_articles sa "
                "JOIN article_profiles p ON p.article_id = sa.article_id WHERE sa.story_id = ? ORDER BY p.article_id",
                [story_id]):
            centroid.add(load_profile(*row))
        if centroid.articles:
            self.save(centroid)
        else:
            self.drop(story_id)
        return centroid

    def drop(self, story_id: int) -> None:
        self.db.execute("DELETE FROM story_centroids WHERE story_id = ?", [story_id])
        self._cache.pop(story_id, None)


def recompute_centroid(db: sqlite_utils.Database, story_id: int) -> Centroid:
    """One story's centroid again, outside a grouping run (an editor's merge or split)."""
    return Centroids(db, TermStats(db)).recompute(story_id)


def _capped(counts: Counter) -> Counter:
    if len(counts) <= TERMS_CAP:
        return counts
    return Counter(dict(sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TERMS_CAP]))


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)
