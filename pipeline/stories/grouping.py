"""Group articles about the same event into stories.

An article joins a story through, in order: the citations between news and primary sources
(article_links), a monthly MSRC release the news is about, or near-duplicate text (MinHash of
character shingles with locality-sensitive hashing, kept in SQLite so each new article costs a few
indexed look-ups whatever the archive's size). Otherwise it starts a story of its own.

Incremental: only articles not yet in a story, or changed since they were processed, are visited.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import sqlite_utils
from datasketch import LeanMinHash

from pipeline.store import msrc_release_url, now_iso
from pipeline.store.transactions import transaction
from pipeline.stories.evidence import hubs, identifiers, moment, release_ids
from pipeline.stories.signatures import article_signature, band_keys, load_signature, store_signature

DUPLICATE_JACCARD = 0.35            # estimated similarity at which two articles tell one story
WINDOW_DAYS = 14                    # near-duplicates are published close together
KIND_ORDER = {"release": 0, "news": 1, "primary": 2}


@dataclass
class Outcome:
    processed: int = 0
    created: int = 0


PENDING_COLUMNS = ("a.id, a.source, a.url, a.title, a.lead, a.text, a.kind, a.version, a.published_at, "
                   "sa.story_id, sa.article_version")
BATCH = 500  # articles grouped per transaction


def pending_ids(db: sqlite_utils.Database) -> list[int]:
    """Articles never grouped, or changed since they were; releases first, then news, then primaries."""
    rows = db.execute(
        "SELECT a.id, a.kind, a.published_at FROM articles a LEFT JOIN story_articles sa ON sa.article_id = a.id "
        "WHERE sa.story_id IS NULL OR sa.article_version < a.version").fetchall()
    return [row[0] for row in sorted(rows, key=lambda r: (KIND_ORDER.get(r[1], 9), r[2] or "", r[0]))]


Progress = Callable[[str, int, int], None]  # (stage, done, total)


def update_stories(db: sqlite_utils.Database, progress: Progress | None = None) -> Outcome:
    """Group every pending article (changed stories count a revision and are drafted again)."""
    outcome = Outcome()
    ids = pending_ids(db)  # ids only: the texts are read one at a time, whatever the archive's size
    for start in range(0, len(ids), BATCH):
        if progress:
            progress("grouping", start, len(ids))
        with transaction(db):
            for article_id in ids[start:start + BATCH]:
                article = next(iter(db.query(
                    f"SELECT {PENDING_COLUMNS} FROM articles a LEFT JOIN story_articles sa "
                    "ON sa.article_id = a.id WHERE a.id = ?", [article_id])))
                with transaction(db):
                    _story_id, created = _place(db, article)
                outcome.processed += 1
                outcome.created += created
    if progress:
        progress("grouping", len(ids), len(ids))
    return outcome


def _place(db: sqlite_utils.Database, article: dict) -> tuple[int, bool]:
    minhash = article_signature(article)
    if article["story_id"] is not None:  # a changed article stays in its story
        db.execute("UPDATE story_articles SET article_version = ? WHERE article_id = ?",
                   [article["version"], article["id"]])
        store_signature(db, article, minhash)
        _touch(db, article["story_id"], article)
        return article["story_id"], False
    found = (_story_by_citation(db, article) or _story_by_release(db, article)
             or _story_by_similarity(db, article, minhash))
    created = found is None
    story_id, evidence = (_new_story(db, article), {"by": "new"}) if created else found
    _join(db, story_id, article, evidence)
    store_signature(db, article, minhash)
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


def _story_by_similarity(db: sqlite_utils.Database, article: dict, minhash: LeanMinHash) -> Found:
    """The story of the most similar article sharing an LSH bucket, if similar enough, close in time, and
    not about other vulnerabilities (both name CVE or KB numbers, and none in common)."""
    keys = list(enumerate(band_keys(minhash)))
    sql = (f"WITH k(band, bucket) AS (VALUES {', '.join('(?, ?)' for _ in keys)}) "
           "SELECT DISTINCT s.article_id, s.minhash, sa.story_id, a.title, a.lead, a.text FROM k "
           "CROSS JOIN lsh_buckets b ON b.band = k.band AND b.bucket = k.bucket "
           "JOIN article_signatures s ON s.article_id = b.article_id "
           "JOIN story_articles sa ON sa.article_id = b.article_id "
           "JOIN stories st ON st.id = sa.story_id AND st.kind = 'news' "
           "JOIN articles a ON a.id = b.article_id WHERE b.article_id != ?")
    params = [value for pair in keys for value in pair] + [article["id"]]
    window = _window(article["published_at"])
    if window:
        sql += " AND (a.published_at IS NULL OR a.published_at BETWEEN ? AND ?)"
        params += list(window)
    mine = identifiers(article)
    scored = sorted(((minhash.jaccard(load_signature(r["minhash"])), r) for r in db.query(sql, params)),
                    key=lambda pair: -pair[0])
    for similarity, row in scored:
        if similarity < DUPLICATE_JACCARD:
            break
        theirs = identifiers(row)
        if mine and theirs and not mine & theirs:
            continue  # the same wording about other CVEs (a vendor's next advisory): not one story
        return row["story_id"], {"by": "near-duplicate", "jaccard": round(similarity, 3), "of": row["article_id"]}
    return None


def _window(published_at: str | None) -> tuple[str, str] | None:
    when = moment(published_at)
    if when is None:
        return None
    span = timedelta(days=WINDOW_DAYS)
    return (when - span).isoformat(), (when + span).isoformat()


def _new_story(db: sqlite_utils.Database, article: dict) -> int:
    stamp = now_iso()
    return db["stories"].insert({
        "kind": "release" if article["kind"] == "release" else "news", "title": article["title"],
        "first_published_at": article["published_at"], "last_published_at": article["published_at"],
        "created_at": stamp, "updated_at": stamp}).last_pk


def _join(db: sqlite_utils.Database, story_id: int, article: dict, evidence: dict) -> None:
    db["story_articles"].insert({"story_id": story_id, "article_id": article["id"],
                                 "role": _role(db, story_id, article), "article_version": article["version"],
                                 "added_at": now_iso(), "evidence": json.dumps(evidence, ensure_ascii=False)})
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


def split_article(db: sqlite_utils.Database, article_id: int) -> int:
    """Take one article out of its story into a story of its own (an editor's decision)."""
    article = db.execute("SELECT id, kind, title, published_at FROM articles WHERE id = ?",
                         [article_id]).fetchone()
    if article is None:
        raise LookupError(f"there is no article {article_id}")
    row = dict(zip(("id", "kind", "title", "published_at"), article, strict=True))
    with transaction(db):
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
    return story_id
