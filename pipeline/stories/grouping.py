"""Group articles about the same event into stories.

An article joins a story through hard evidence first: the citations between news and primary
sources (article_links; hubs excluded) or the monthly MSRC release the news is about. Otherwise it
is compared with a bounded set of candidate stories, found through time-bounded look-ups of its
rare words and facts (:mod:`retrieval`) and MinHash buckets (near-duplicates), each against the
story's centroid (:mod:`scoring`): the best candidate is joined when the join model's probability
reaches its threshold; else the article starts a story of its own. ``story_articles.evidence``
records which evidence, and for text which score and shared terms, decided.

Incremental: only articles not yet in a story, or changed since they were processed, are visited,
in date order (a rebuild visits the same articles in the same order). A repair pass then checks
the stories that changed for fragments of one event (:mod:`repair`).
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sqlite_utils
from datasketch import LeanMinHash

from pipeline.store import msrc_release_url, now_iso
from pipeline.store.transactions import transaction
from pipeline.stories.ahead import Ahead
from pipeline.stories.centroids import Centroids, recompute_centroid
from pipeline.stories.evidence import hubs, release_ids
from pipeline.stories.profiles import Profile, TermStats, build_profile, lookup_keys, store_profile
from pipeline.stories.repair import repair_stories
from pipeline.stories.retrieval import stories_sharing, window
from pipeline.stories.scoring import (
    article_side,
    centroid_side,
    features_reaching,
    join_model,
    key_weights,
    shared_keys,
)
from pipeline.stories.signatures import (
    DTYPE,
    article_signature,
    band_keys,
    bucket_months,
    load_signature,
    store_signature,
)

DUPLICATE_JACCARD = 0.35            # MinHash similarity reported as a near-duplicate in the evidence
WINDOW_DAYS = 30                    # candidate stories had an article this close in time
NEAR_CANDIDATES = 4                 # stories scored per article: the most similar by MinHash ...
TEXT_CANDIDATES = 8                 # ... and those sharing the most rare words and facts
MAX_CANDIDATES = NEAR_CANDIDATES + TEXT_CANDIDATES  # at most this many, whatever the archive's size
NEAR_ARTICLES = 50                  # articles sharing an LSH bucket read per article, most buckets first
KIND_ORDER = {"release": 0, "news": 1, "primary": 2}


@dataclass
class Outcome:
    processed: int = 0
    created: int = 0
    repaired: int = 0


@dataclass
class Scored:
    """A candidate story for an article: the join model's probability and the features behind it."""
    story_id: int
    probability: float
    features: dict[str, float]


Decide = Callable[[dict, list[Scored]], Scored | None]  # sees every candidate (the default: those that can join)
PENDING_COLUMNS = ("a.id, a.source, a.url, a.title, a.lead, a.text, a.kind, a.version, a.published_at, "
                   "sa.story_id, sa.article_version")
BATCH = 500  # articles grouped per transaction
_QUEUED = ("FROM grouping_queue q CROSS JOIN articles a ON a.id = q.article_id "  # the queue first
           "LEFT JOIN story_articles sa ON sa.article_id = a.id")
_UNGROUPED = "sa.story_id IS NULL OR sa.article_version < a.version"  # in no story, or changed since
PENDING_SQL = f"SELECT a.id, a.kind, a.published_at {_QUEUED} WHERE {_UNGROUPED}"
UNPROFILED_SQL = ("SELECT sa.article_id FROM grouping_queue q "
                  "CROSS JOIN story_articles sa ON sa.article_id = q.article_id "
                  "LEFT JOIN article_profiles p ON p.article_id = q.article_id WHERE p.article_id IS NULL "
                  "ORDER BY sa.article_id")


def pending_ids(db: sqlite_utils.Database) -> list[int]:
    """Articles never grouped, or changed since they were, in date order (releases, news, primaries
    first among articles of the same time). Only the queued articles are looked at (grouping_queue:
    the triggers of pipeline.store.schema queue every new, changed or ungrouped article)."""
    rows = db.execute(PENDING_SQL).fetchall()
    return [row[0] for row in sorted(rows, key=lambda r: (r[2] or "", KIND_ORDER.get(r[1], 9), r[0]))]


def settle_queue(db: sqlite_utils.Database) -> None:
    """Drop the queued articles that need nothing: grouped at their current version and profiled
    (checked in the statement itself, so an article queued again meanwhile stays)."""
    with transaction(db):
        db.execute(f"DELETE FROM grouping_queue WHERE article_id NOT IN (SELECT q.article_id {_QUEUED} "
                   f"LEFT JOIN article_profiles p ON p.article_id = a.id WHERE {_UNGROUPED} OR p.article_id IS NULL)")


Progress = Callable[[str, int, int], None]  # (stage, done, total)
# Hears, between pieces of grouping's work, the (story id, article's date) of each article placed since,
# and whether articles are still to come (False: only the repair pass is left).
Meanwhile = Callable[[list[tuple[int, str | None]], bool], None]


def update_stories(db: sqlite_utils.Database, progress: Progress | None = None,
                   decide: Decide | None = None, workers: int | None = None,
                   meanwhile: Meanwhile | None = None) -> Outcome:
    """Group every pending article (changed stories count a revision and are drafted again), then
    repair the stories that changed. ``decide`` picks among scored candidates (default: the join
    model); ``workers`` processes compute profiles ahead (default: the cores but one);
    ``meanwhile`` hears where each batch's articles went once the batch is committed, and is called
    during the repair pass too."""
    outcome = Outcome()
    stats = TermStats(db)
    centroids = Centroids(db, stats)
    profile_grouped(db, centroids)
    ids = pending_ids(db)  # ids only: the texts are read a batch at a time, whatever the archive's size
    batches = [ids[start:start + BATCH] for start in range(0, len(ids), BATCH)]
    with Ahead(computed, len(ids), workers) as ahead:
        queued = deque(_submit(db, ahead, batch) for batch in batches[:2])  # two batches ahead
        for number in range(len(batches)):
            if progress:
                progress("grouping", number * BATCH, len(ids))
            articles, handle = queued.popleft()
            ready = [(profile, load_signature(signature), bands) for profile, signature, bands in ahead.result(handle)]
            if number + 2 < len(batches):
                queued.append(_submit(db, ahead, batches[number + 2]))
            placed = []
            with transaction(db):  # a batch at a time: killed, the next run does the whole batch again
                for article, (profile, minhash, bands) in zip(articles, ready, strict=True):
                    story_id, created = _place(db, article, centroids, decide or best_candidate, profile, minhash,
                                               bands)
                    placed.append((story_id, article["published_at"]))
                    outcome.processed += 1
                    outcome.created += created
                stats.flush()
            if meanwhile:
                meanwhile(placed, number + 1 < len(batches))
    if progress:
        progress("grouping", len(ids), len(ids))
    outcome.repaired = repair_stories(db, centroids, meanwhile and (lambda: meanwhile([], False)))
    settle_queue(db)  # killed before this, the next run finds the same articles done
    return outcome


def computed(article: dict) -> tuple[Profile, bytes, list[int]]:
    """The pure part of placing an article, done ahead in a worker: its profile (with its words'
    JSON), its signature (as bytes: cheap to send between processes) and the signature's LSH bucket
    keys."""
    profile, minhash = build_profile(article), article_signature(article)
    profile.words_json  # noqa: B018 - computed here, carried with the profile
    return profile, minhash.hashvalues.astype(DTYPE).tobytes(), band_keys(minhash)


def _submit(db: sqlite_utils.Database, ahead: Ahead, ids: list[int]) -> tuple[list[dict], object]:
    """Read a batch of pending articles (in the batch's order) and have their profiles computed."""
    rows = {row["id"]: row for row in db.query(
        f"SELECT {PENDING_COLUMNS} FROM articles a LEFT JOIN story_articles sa ON sa.article_id = a.id "
        f"WHERE a.id IN ({','.join('?' * len(ids))})", ids)}
    articles = [rows[article_id] for article_id in ids if article_id in rows]
    return articles, ahead.submit(articles)


def profile_grouped(db: sqlite_utils.Database, centroids: Centroids) -> None:
    """Profile grouped articles that have no profile (an archive grouped before centroids, or the
    stories an editor shaped, kept through a rebuild), and give their stories centroids."""
    missing = [row[0] for row in db.execute(UNPROFILED_SQL)]
    for start in range(0, len(missing), BATCH):
        with transaction(db):
            touched, chunk = set(), missing[start:start + BATCH]
            for article in db.query("SELECT a.*, sa.story_id FROM articles a JOIN story_articles sa ON "
                                    f"sa.article_id = a.id WHERE a.id IN ({','.join('?' * len(chunk))})", chunk):
                profile = build_profile(article)
                dfs = centroids.stats.lookup(profile.terms)
                store_profile(db, profile, lookup_keys(profile, dfs, centroids.stats.total), centroids.stats,
                              article["story_id"])
                touched.add(article["story_id"])
            for story_id in sorted(touched):
                centroids.recompute(story_id)
            centroids.stats.flush()


def _place(db: sqlite_utils.Database, article: dict, centroids: Centroids, decide: Decide, profile: Profile,
           minhash: LeanMinHash, bands: list[int]) -> tuple[int, bool]:
    stats = centroids.stats
    dfs = stats.lookup(profile.terms)
    keys = lookup_keys(profile, dfs, stats.total)
    if article["story_id"] is not None:  # a changed article stays in its story
        db.execute("UPDATE story_articles SET article_version = ? WHERE article_id = ?",
                   [article["version"], article["id"]])
        store_signature(db, article, minhash, bands)
        store_profile(db, profile, keys, stats, article["story_id"])
        centroids.recompute(article["story_id"])
        _touch(db, article["story_id"], article)
        return article["story_id"], False
    found = (_story_by_citation(db, article) or _story_by_release(db, article)
             or _story_by_text(db, article, profile, minhash, bands, keys, centroids, decide))
    created = found is None
    story_id, evidence = (_new_story(db, article), {"by": "new"}) if created else found
    _join(db, story_id, article, evidence)
    store_signature(db, article, minhash, bands)
    store_profile(db, profile, keys, stats, story_id)
    centroids.add(story_id, profile)
    return story_id, created


Found = tuple[int, dict] | None  # (story id, the evidence recorded in story_articles.evidence)


def _story_by_citation(db: sqlite_utils.Database, article: dict) -> Found:
    """The story of a page this article cites, of news citing this page, or of news citing the same page;
    hubs (top pages, listings that unrelated stories cite) are no evidence."""
    cited = [row[0] for row in db.execute("SELECT cited_url FROM article_links WHERE news_article_id = ?",
                                          [article["id"]])]
    ignored = hubs(db, [*cited, article["url"]])
    cited = [url for url in cited if url not in ignored]
    marks = ",".join("?" for _ in cited) or "NULL"
    queries = [("cites", f"SELECT sa.story_id, c.url FROM articles c JOIN story_articles sa "
                         f"ON sa.article_id = c.id WHERE c.url IN ({marks}) LIMIT 1", cited)]
    if article["url"] not in ignored:
        queries.append(("cited by", "SELECT sa.story_id, l.cited_url FROM article_links l JOIN story_articles sa "
                                    "ON sa.article_id = l.news_article_id WHERE l.cited_url = ? LIMIT 1",
                        [article["url"]]))
    queries.append(("cites the same page as", f"SELECT sa.story_id, l.cited_url FROM article_links l "
                    f"JOIN story_articles sa ON sa.article_id = l.news_article_id WHERE l.cited_url IN ({marks}) "
                    f"AND l.news_article_id != ? LIMIT 1", [*cited, article["id"]]))
    for relation, sql, params in queries:
        row = db.execute(sql, params).fetchone()
        if row:
            return row[0], {"by": "citation", "relation": relation, "url": row[1]}
    return None


def _story_by_release(db: sqlite_utils.Database, article: dict) -> Found:
    """News about a monthly security update joins that release's story, however it names the release."""
    if article["kind"] != "news":
        return None
    cited = [row[0] for row in db.execute("SELECT cited_url FROM article_links WHERE news_article_id = ?",
                                          [article["id"]])]
    for release in release_ids(article, cited):
        row = db.execute("SELECT sa.story_id FROM articles a JOIN story_articles sa ON sa.article_id = a.id "
                         "WHERE a.url = ? AND a.kind = 'release'", [msrc_release_url(release)]).fetchone()
        if row:
            return row[0], {"by": "release", "release": release}
    return None


def _story_by_text(db: sqlite_utils.Database, article: dict, profile: Profile, minhash: LeanMinHash,
                   bands: list[int], keys: list[str], centroids: Centroids, decide: Decide) -> Found:
    """The best of a bounded set of candidate stories, scored against their centroids."""
    bounds = window(article["published_at"], WINDOW_DAYS, WINDOW_DAYS)
    near = _near_duplicates(db, article, minhash, bands, bounds)
    stats = centroids.stats
    ranked = stories_sharing(db, keys, bounds, stats.lookup(keys), stats.total, limit=TEXT_CANDIDATES)
    nearest = sorted(near, key=lambda s: -near[s][0])[:NEAR_CANDIDATES]
    ids = list(dict.fromkeys([*nearest, *(s for s, _ in ranked)]))
    found = centroids.load(ids)
    dfs = stats.lookup([*profile.terms, *(f"org:{org}" for c in found.values()
                                          for org in c.facts.get("org", ()))])
    total = stats.total
    mine, model, weights = article_side(profile, dfs, total), join_model(), key_weights(keys, dfs, total)
    # the model's own decision is spared the candidates that cannot reach its threshold
    threshold = model.threshold if decide is best_candidate else None
    scored = []
    for story_id in ids:
        if story_id in found:
            named = features_reaching(model, threshold, mine, centroid_side(found[story_id]), weights, dfs, total,
                                      near.get(story_id, (0.0, None))[0])
            if named is not None:
                scored.append(Scored(story_id, model.probability(named), named))
    choice = decide(article, scored)
    if choice is None:
        return None
    evidence = {"by": "similar", "score": round(choice.probability, 3), "model": model.version,
                "shared": shared_keys(keys, centroid_side(found[choice.story_id])),
                "features": {k: round(v, 3) for k, v in choice.features.items() if v}}
    if choice.story_id in near and near[choice.story_id][0] >= DUPLICATE_JACCARD:
        evidence["near_duplicate_of"] = near[choice.story_id][1]
    return choice.story_id, evidence


def best_candidate(article: dict, scored: list[Scored]) -> Scored | None:
    """The most probable story, if the join model's threshold is reached (ties: the older story)."""
    best = max(scored, key=lambda s: (s.probability, -s.story_id), default=None)
    return best if best is not None and best.probability >= join_model().threshold else None


def _near_duplicates(db: sqlite_utils.Database, article: dict, minhash: LeanMinHash, bands: list[int],
                     bounds: tuple[str, str]) -> dict[int, tuple[float, int]]:
    """Stories with an article sharing an LSH bucket within the time bounds (the buckets are keyed by
    month and date, so only those weeks are read): story id -> (best MinHash similarity, that article). The
    articles sharing the most buckets are read first, at most ``NEAR_ARTICLES`` of them; only their
    signatures and stories are then looked up."""
    keys, months = list(enumerate(bands)), bucket_months(db, bounds)
    sql = (f"WITH k(band, bucket) AS (VALUES {', '.join('(?, ?)' for _ in keys)}), "
           f"m(month) AS (VALUES {', '.join('(?)' for _ in months)}), "
           "hits(article_id) AS (SELECT b.article_id FROM m CROSS JOIN k CROSS JOIN lsh_buckets b "
           "ON b.month = m.month AND b.band = k.band AND b.bucket = k.bucket AND b.published_at BETWEEN ? AND ? "
           "WHERE b.article_id != ? "
           f"GROUP BY b.article_id ORDER BY count(*) DESC, b.article_id DESC LIMIT {NEAR_ARTICLES}) "
           "SELECT h.article_id, s.minhash, sa.story_id FROM hits h "
           "JOIN article_signatures s ON s.article_id = h.article_id "
           "JOIN story_articles sa ON sa.article_id = h.article_id "
           "JOIN stories st ON st.id = sa.story_id AND st.kind = 'news'")
    rows = db.execute(sql, [value for pair in keys for value in pair] + months + [*bounds, article["id"]]).fetchall()
    if not rows:
        return {}
    theirs = np.frombuffer(b"".join(row[1] for row in rows), dtype=DTYPE).reshape(len(rows), -1)
    similarities = (theirs == np.asarray(minhash.hashvalues, dtype=DTYPE)).mean(axis=1)  # MinHash Jaccard
    found: dict[int, tuple[float, int]] = {}
    for (article_id, _blob, story_id), similarity in zip(rows, similarities.tolist(), strict=True):
        if similarity > found.get(story_id, (-1.0, 0))[0]:
            found[story_id] = (round(similarity, 3), article_id)
    return found


def _new_story(db: sqlite_utils.Database, article: dict) -> int:
    stamp = now_iso()
    return db.execute("INSERT INTO stories (kind, title, first_published_at, last_published_at, created_at, "
                      "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                      ["release" if article["kind"] == "release" else "news", article["title"],
                       article["published_at"], article["published_at"], stamp, stamp]).lastrowid


def _join(db: sqlite_utils.Database, story_id: int, article: dict, evidence: dict) -> None:
    db.execute("INSERT INTO story_articles (story_id, article_id, role, article_version, added_at, evidence) "
               "VALUES (?, ?, ?, ?, ?, ?)", [story_id, article["id"], _role(db, story_id, article), article["version"],
                                             now_iso(), json.dumps(evidence, ensure_ascii=False)])
    _touch(db, story_id, article)


def _role(db: sqlite_utils.Database, story_id: int, article: dict) -> str:
    if article["kind"] in ("release", "primary"):
        return article["kind"]
    has_news = db.execute("SELECT 1 FROM story_articles WHERE story_id = ? AND role = 'news'",
                          [story_id]).fetchone()
    return "duplicate" if has_news else "news"


def _touch(db: sqlite_utils.Database, story_id: int, article: dict) -> None:
    published = article["published_at"]
    db.execute(
        "UPDATE stories SET updated_at = ?, revision = revision + 1, "
        "first_published_at = CASE WHEN first_published_at IS NULL OR ? < first_published_at "
        "THEN ? ELSE first_published_at END, "
        "last_published_at = CASE WHEN last_published_at IS NULL OR ? > last_published_at "
        "THEN ? ELSE last_published_at END WHERE id = ?",
        [now_iso(), published, published, published, published, story_id])


# --- reading and editing stories ------------------------------------------------------------------

def story_articles(db: sqlite_utils.Database, story_id: int) -> list[dict]:
    """A story's articles with their roles: news first, then duplicates, primaries, release."""
    order = "CASE sa.role WHEN 'release' THEN 0 WHEN 'news' THEN 1 WHEN 'duplicate' THEN 2 ELSE 3 END"
    return list(db.query(
        f"SELECT a.*, sa.role, sa.added_at, sa.evidence FROM story_articles sa JOIN articles a ON a.id = sa.article_id "
        f"WHERE sa.story_id = ? ORDER BY {order}, a.published_at", [story_id]))


def merge_stories(db: sqlite_utils.Database, keep: int, absorb: int) -> None:
    """Move every article of story `absorb` into `keep` (an editor's decision)."""
    with transaction(db):
        db.execute("UPDATE story_articles SET story_id = ?, role = CASE WHEN role = 'news' THEN 'duplicate' "
                   "ELSE role END, evidence = ? WHERE story_id = ?",
                   [keep, json.dumps({"by": "editor", "action": "merge", "from_story": absorb}), absorb])
        db.execute("UPDATE stories SET merged_into = ?, updated_at = ? WHERE id = ?", [keep, now_iso(), absorb])
        db.execute("UPDATE stories SET updated_at = ?, revision = revision + 1 WHERE id = ?", [now_iso(), keep])
        recompute_centroid(db, keep)
        recompute_centroid(db, absorb)


def split_article(db: sqlite_utils.Database, article_id: int) -> int:
    """Take one article out of its story into a story of its own (an editor's decision)."""
    article = db.execute("SELECT id, kind, title, published_at FROM articles WHERE id = ?",
                         [article_id]).fetchone()
    if article is None:
        raise LookupError(f"there is no article {article_id}")
    row = dict(zip(("id", "kind", "title", "published_at"), article, strict=True))
    with transaction(db):
        former = db.execute("SELECT story_id FROM story_articles WHERE article_id = ?", [article_id]).fetchone()
        db.execute("UPDATE stories SET updated_at = ?, revision = revision + 1 WHERE id = (SELECT story_id "
                   "FROM story_articles WHERE article_id = ?)", [now_iso(), article_id])  # drafted again
        db.execute("DELETE FROM story_articles WHERE article_id = ?", [article_id])
        story_id = _new_story(db, row)
        version = db.execute("SELECT version FROM articles WHERE id = ?", [article_id]).fetchone()[0]
        db["story_articles"].insert({"story_id": story_id, "article_id": article_id,
                                     "role": "primary" if row["kind"] == "primary" else
                                     ("release" if row["kind"] == "release" else "news"),
                                     "article_version": version, "added_at": now_iso(),
                                     "evidence": json.dumps({"by": "editor", "action": "split"})})
        recompute_centroid(db, story_id)
        if former:
            recompute_centroid(db, former[0])
    return story_id
