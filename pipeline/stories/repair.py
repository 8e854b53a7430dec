"""The repair pass: a stream splits one event into fragments when an article arrives before the
wording or facts that bind it to the rest. Each story that changed since it was last checked is
compared, centroid against centroid, with the stories sharing its rare words and facts; two
stories merge (the younger into the older) when the join model's probability reaches the
stricter repair threshold and no facts conflict. Stories an editor touched (edited, picked,
rejected, merged or split) are never merged by software."""

from __future__ import annotations

import json
from collections.abc import Callable

import sqlite_utils

from pipeline.store import now_iso
from pipeline.store.schema import UNREPAIRED
from pipeline.store.transactions import transaction
from pipeline.stories.centroids import Centroids
from pipeline.stories.lifecycle import is_protected, retire
from pipeline.stories.retrieval import stories_sharing, story_keys, window
from pipeline.stories.scoring import centroid_side, features_reaching, join_model, key_weights

REPAIR_WINDOW_DAYS = 14
REPAIR_CANDIDATES = 5
KEYS_PER_STORY = 20
CONFLICTS = ("id_conflict", "org_conflict")
MEANWHILE_EVERY = 100


def repair_stories(db: sqlite_utils.Database, centroids: Centroids, meanwhile: Callable[[], None] | None = None) -> int:
    """Check every news story of two or more articles changed since its last check; the number of
    merges made. (A story of one article was just compared with its neighbours when it was placed,
    by the same model under a lower threshold; a neighbour that grew since is checked itself.)
    ``meanwhile`` is called every ``MEANWHILE_EVERY`` checks."""
    merged = 0
    changed = db.execute(f"SELECT id, (SELECT count(*) > 1 FROM story_articles sa WHERE sa.story_id = st.id) "
                         f"FROM stories st INDEXED BY stories_unrepaired WHERE {UNREPAIRED} ORDER BY id").fetchall()
    with transaction(db):  # stories of one article need no check: they leave the index until they grow
        db.conn.executemany("UPDATE stories SET repaired_revision = revision WHERE id = ?",
                            [(story_id,) for story_id, several in changed if not several])
    for number, story_id in enumerate(story_id for story_id, several in changed if several):
        with transaction(db):
            merged += _check(db, story_id, centroids)
        if meanwhile and number % MEANWHILE_EVERY == MEANWHILE_EVERY - 1:
            meanwhile()
    return merged


def _check(db: sqlite_utils.Database, story_id: int, centroids: Centroids) -> int:
    partner = None if is_protected(db, story_id) else _fragment_of(db, story_id, centroids)
    if partner is not None:
        older, younger = sorted((story_id, partner[0]))
        _merge(db, older, younger, partner[1], centroids)
        story_id = older
    db.execute("UPDATE stories SET repaired_revision = revision WHERE id = ?", [story_id])
    return partner is not None


def _fragment_of(db: sqlite_utils.Database, story_id: int, centroids: Centroids) -> tuple[int, float] | None:
    centroid = centroids.load([story_id]).get(story_id)
    if centroid is None:
        return None
    keys = story_keys(db, story_id)[:KEYS_PER_STORY]
    stats = centroids.stats
    bounds = window(centroid.first_published_at, REPAIR_WINDOW_DAYS, REPAIR_WINDOW_DAYS)
    ranked = stories_sharing(db, keys, bounds, stats.lookup(keys), stats.total, limit=REPAIR_CANDIDATES,
                             exclude_story=story_id)
    others = centroids.load([other for other, _ in ranked])
    dfs = stats.lookup([*keys, *centroid.title, *centroid.body, *(f"org:{org}" for c in (centroid, *others.values())
                                                                  for org in c.facts.get("org", ()))])
    total = stats.total
    model, mine = join_model(), centroid_side(centroid).prepared(dfs, total)
    weights = key_weights(keys, dfs, total)
    best = None
    for other_id, other in sorted(others.items()):
        named = features_reaching(model, model.repair_threshold, mine, centroid_side(other), weights, dfs, total)
        if named is None:
            continue  # cannot reach it whatever the cosines
        probability = model.probability(named)
        if (probability >= model.repair_threshold and not any(named[c] for c in CONFLICTS)
                and (best is None or probability > best[1]) and not is_protected(db, other_id)):
            best = (other_id, probability)
    return best


def _merge(db: sqlite_utils.Database, keep: int, absorb: int, probability: float, centroids: Centroids) -> None:
    evidence = json.dumps({"by": "repair", "score": round(probability, 3), "from_story": absorb})
    moved = [row[0] for row in db.execute("SELECT article_id FROM story_articles WHERE story_id = ? "
                                          "ORDER BY article_id", [absorb])]
    has_news = db.execute("SELECT 1 FROM story_articles WHERE story_id = ? AND role = 'news'", [keep]).fetchone()
    db.execute("UPDATE story_articles SET story_id = ?, evidence = ?, role = CASE WHEN role = 'news' AND ? "
               "THEN 'duplicate' ELSE role END WHERE story_id = ?", [keep, evidence, bool(has_news), absorb])
    span = ("(SELECT {}(a.published_at) FROM story_articles sa JOIN articles a ON a.id = sa.article_id "
            "WHERE sa.story_id = ?)")
    db.execute(f"UPDATE stories SET updated_at = ?, revision = revision + 1, first_published_at = "
               f"{span.format('min')}, last_published_at = {span.format('max')} WHERE id = ?",
               [now_iso(), keep, keep, keep])
    centroids.recompute(keep)
    centroids.drop(absorb)
    retire(db, absorb, moved)
