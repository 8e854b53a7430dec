"""The database: opening it, and the crawl's writes (articles, runs, errors, validators).

The schema itself lives in pipeline/schema.py. Every write that belongs together happens inside
one ``db.atomic()`` block, so a page is stored whole or not at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import zlib
from collections.abc import Iterable
from pathlib import Path

import sqlite_utils

from pipeline import schema
from pipeline.schema import now_iso

DEFAULT_DB = Path("data") / "newsdesk.db"
ENV_VAR = "NEWSDESK_DB"
BUSY_TIMEOUT_MS = 30_000


def db_path(path: str | os.PathLike | None = None) -> Path:
    """The database in force: an explicit path, else $NEWSDESK_DB, else data/newsdesk.db."""
    return Path(path or os.environ.get(ENV_VAR) or DEFAULT_DB)


def open_db(path: str | os.PathLike | None = None, *, create: bool = True) -> sqlite_utils.Database:
    """Open (and migrate) the database. With create=False a missing file is an error."""
    file = db_path(path)
    if not create and not file.exists():
        raise FileNotFoundError(f"database {file} does not exist (run 'newsdesk crawl' first or pass --db)")
    file.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(file), timeout=BUSY_TIMEOUT_MS / 1000)
    db = sqlite_utils.Database(conn)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash never corrupts, at most loses the last commit
    db.execute("PRAGMA foreign_keys = ON")
    schema.migrate(db)
    return db


# --- sources and runs --------------------------------------------------------------------------

def save_source(db: sqlite_utils.Database, key: str, name: str, lang: str, registry: dict) -> None:
    db["sources"].upsert(
        {"key": key, "name": name, "lang": lang, "registry": json.dumps(registry, ensure_ascii=False,
                                                                          default=str),
         "updated_at": now_iso()},
        pk="key",
    )


def start_run(db: sqlite_utils.Database, run_id: str, source: str, since: str | None,
              mirror: str | None) -> int:
    table = db["crawl_runs"]
    table.insert({"run_id": run_id, "source": source, "started_at": now_iso(), "since": since,
                  "mirror": mirror, "status": "running"})
    return table.last_pk


def finish_run(db: sqlite_utils.Database, run_pk: int, reason: str, pages_fetched: int) -> None:
    counts = db.execute(
        "SELECT count(*) FROM crawl_errors WHERE crawl_run_id = ?", [run_pk]
    ).fetchone()[0]
    status = "finished" if reason == "finished" else "failed"
    db["crawl_runs"].update(run_pk, {"finished_at": now_iso(), "status": status, "finish_reason": reason,
                                     "pages_fetched": pages_fetched, "errors": counts})


def record_error(db: sqlite_utils.Database, run_pk: int | None, source: str, url: str, reason: str,
                 detail: str = "") -> None:
    db["crawl_errors"].insert({"crawl_run_id": run_pk, "source": source, "url": url, "reason": reason,
                               "detail": detail[:2000], "at": now_iso()})


def last_finished_run(db: sqlite_utils.Database, source: str) -> dict | None:
    rows = db.query(
        "SELECT * FROM crawl_runs WHERE source = ? AND status = 'finished' ORDER BY id DESC LIMIT 1",
        [source])
    return next(iter(rows), None)


# --- articles ----------------------------------------------------------------------------------

ARTICLE_FIELDS = ("source", "url", "title", "published_at", "modified_at", "author", "lang", "lead",
                  "text", "highlights", "feed_summary", "body_status", "kind")


def content_hash(title: str, lead: str | None, text: str) -> str:
    normalised = re.sub(r"\s+", " ", f"{title}\n{lead or ''}\n{text}").strip()
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def save_article(db: sqlite_utils.Database, article: dict, pages: Iterable[dict],
                 fetched_at: str | None = None, vulnerabilities: list[dict] | None = None,
                 citations: list[dict] | None = None) -> str:
    """Store one extracted article, its raw pages, and what belongs to it, atomically.

    ``vulnerabilities`` (an MSRC release's rows) replace the release's earlier rows; ``citations``
    (url, link_text, signals) record the primary sources a news article cites.
    Returns 'new', 'changed' (old text kept in article_versions) or 'unchanged'.
    """
    fetched_at = fetched_at or now_iso()
    row = {name: article.get(name) for name in ARTICLE_FIELDS}
    row["highlights"] = json.dumps(row["highlights"] or [], ensure_ascii=False)
    row["kind"] = row["kind"] or "news"
    row["content_hash"] = content_hash(row["title"], row["lead"], row["text"])
    with db.atomic():
        existing = next(iter(db.query("SELECT * FROM articles WHERE url = ?", [row["url"]])), None)
        if existing is None:
            outcome = "new"
            row.update(version=1, first_seen_at=fetched_at, last_fetched_at=fetched_at,
                       last_checked_at=fetched_at)
            article_id = db["articles"].insert(row).last_pk
        elif existing["content_hash"] == row["content_hash"]:
            outcome = "unchanged"
            article_id = existing["id"]
            db["articles"].update(article_id, {"last_fetched_at": fetched_at, "last_checked_at": fetched_at,
                                               "modified_at": row["modified_at"] or existing["modified_at"]})
        else:
            outcome = "changed"
            article_id = existing["id"]
            _keep_version(db, existing, superseded_at=fetched_at)
            row.update(version=existing["version"] + 1, last_fetched_at=fetched_at, last_checked_at=fetched_at)
            db["articles"].update(article_id, row)
        for number, page in enumerate(pages, start=1):
            _save_raw_page(db, article_id, number, page, fetched_at)
        if vulnerabilities is not None:
            _replace_vulnerabilities(db, article_id, vulnerabilities)
        for citation in citations or ():
            _save_citation(db, article_id, citation, fetched_at)
        _link_cited(db, article_id, row["url"])
    return outcome


def _replace_vulnerabilities(db: sqlite_utils.Database, article_id: int, rows: list[dict]) -> None:
    db.execute("DELETE FROM vulnerabilities WHERE article_id = ?", [article_id])
    for row in rows:
        db["vulnerabilities"].insert({
            **row, "article_id": article_id, "exploited": int(bool(row["exploited"])),
            "publicly_disclosed": int(bool(row["publicly_disclosed"])),
            "products": json.dumps(list(row.get("products") or []), ensure_ascii=False),
            "kb_numbers": json.dumps(list(row.get("kb_numbers") or [])),
        })


def _save_citation(db: sqlite_utils.Database, article_id: int, citation: dict, found_at: str) -> None:
    cited = next(iter(db.query("SELECT id FROM articles WHERE url = ?", [citation["url"]])), None)
    db["article_links"].upsert({
        "news_article_id": article_id, "cited_url": citation["url"],
        "cited_article_id": cited["id"] if cited else None, "link_text": citation.get("link_text"),
        "signals": json.dumps(citation.get("signals") or [], ensure_ascii=False), "found_at": found_at,
    }, pk=("news_article_id", "cited_url"))


def _link_cited(db: sqlite_utils.Database, article_id: int, url: str) -> None:
    """A cited page stored after the article citing it: fill in the relation."""
    db.execute("UPDATE article_links SET cited_article_id = ? WHERE cited_url = ? AND cited_article_id IS NULL",
               [article_id, url])


# --- conditional requests ----------------------------------------------------------------------

def validators(db: sqlite_utils.Database) -> dict[str, dict]:
    """URL -> stored ETag / Last-Modified of feeds, listings and API lists."""
    return {row["url"]: row for row in db.query("SELECT * FROM http_validators")}


def save_validators(db: sqlite_utils.Database, url: str, etag: str | None, last_modified: str | None,
                    status: int) -> None:
    db["http_validators"].upsert({"url": url, "etag": etag, "last_modified": last_modified, "status": status,
                                  "checked_at": now_iso()}, pk="url")


def mark_checked(db: sqlite_utils.Database, url: str, checked_at: str | None = None) -> None:
    db.execute("UPDATE articles SET last_checked_at = ? WHERE url = ?", [checked_at or now_iso(), url])


def _keep_version(db: sqlite_utils.Database, existing: dict, superseded_at: str) -> None:
    db["article_versions"].insert({
        "article_id": existing["id"], "version": existing["version"], "title": existing["title"],
        "lead": existing["lead"], "text": existing["text"], "content_hash": existing["content_hash"],
        "fetched_at": existing["last_fetched_at"], "superseded_at": superseded_at,
    })


def _save_raw_page(db: sqlite_utils.Database, article_id: int, number: int, page: dict,
                   fetched_at: str) -> None:
    db["raw_pages"].upsert({
        "url": page["url"], "article_id": article_id, "page": number, "fetched_at": fetched_at,
        "status": page.get("status", 200),
        "headers": json.dumps(page.get("headers") or {}, ensure_ascii=False),
        "body_zlib": zlib.compress(page["body"], 6),
        "context": json.dumps(page.get("context") or {}, ensure_ascii=False),
    }, pk="url")


def raw_pages(db: sqlite_utils.Database, article_id: int) -> list[dict]:
    """The stored responses of one article, decompressed, in page order."""
    rows = db.query("SELECT * FROM raw_pages WHERE article_id = ? ORDER BY page", [article_id])
    return [{**row, "body": zlib.decompress(row["body_zlib"]), "headers": json.loads(row["headers"]),
             "context": json.loads(row["context"] or "{}")} for row in rows]


def known_articles(db: sqlite_utils.Database, source: str | None = None) -> dict[str, dict]:
    """Canonical URL -> {last_fetched_at, modified_at, published_at, lang} of stored articles (of one source)."""
    where, params = ("WHERE source = ?", [source]) if source else ("", [])
    rows = db.query(f"SELECT url, last_fetched_at, modified_at, published_at, lang FROM articles {where}", params)
    return {row.pop("url"): row for row in rows}


TRANSIENT_REASONS = ("timeout", "connection-lost", "connection-refused", "dns", "http-429", "http-500",
                     "http-502", "http-503", "http-504")


def urls_to_retry(db: sqlite_utils.Database, source: str, days: int = 7) -> list[str]:
    """URLs of a source that failed for a passing reason in the last days and are still not stored."""
    marks = ",".join("?" for _ in TRANSIENT_REASONS)
    rows = db.query(
        f"SELECT DISTINCT e.url FROM crawl_errors e LEFT JOIN articles a ON a.url = e.url "
        f"WHERE e.source = ? AND e.reason IN ({marks}) AND a.id IS NULL AND e.at >= datetime('now', ?)",
        [source, *TRANSIENT_REASONS, f"-{days} days"])
    return [row["url"] for row in rows]


def article_urls(db: sqlite_utils.Database) -> set[str]:
    return {row[0] for row in db.execute("SELECT url FROM articles")}


def search(db: sqlite_utils.Database, query: str, limit: int = 20) -> list[dict]:
    """Full-text search over title, lead and text; works for Japanese (trigram tokenizer).

    Terms shorter than three characters cannot use the trigram index; they fall back to LIKE.
    """
    query = query.strip()
    if len(query) >= 3:
        phrase = '"' + query.replace('"', '""') + '"'
        sql = ("SELECT a.id, a.source, a.url, a.title, a.published_at FROM articles_fts f "
               "JOIN articles a ON a.id = f.rowid WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?")
        return list(db.query(sql, [phrase, limit]))
    like = f"%{query}%"
    sql = ("SELECT id, source, url, title, published_at FROM articles "
           "WHERE title LIKE ? OR lead LIKE ? OR text LIKE ? ORDER BY published_at DESC LIMIT ?")
    return list(db.query(sql, [like, like, like, limit]))
