"""Crawl runs: the sources as crawled, one row per source and run, failures per URL, run reports."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from pipeline.store.schema import now_iso

if TYPE_CHECKING:
    import sqlite_utils


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


def last_finished_starts(db: sqlite_utils.Database) -> dict[str, str]:
    """source -> start of its last finished run (the runs that count for being due again)."""
    return dict(db.execute("SELECT source, max(started_at) FROM crawl_runs WHERE status = 'finished' "
                           "GROUP BY source").fetchall())


def last_finished_run(db: sqlite_utils.Database, source: str) -> dict | None:
    rows = db.query(
        "SELECT * FROM crawl_runs WHERE source = ? AND status = 'finished' ORDER BY id DESC LIMIT 1",
        [source])
    return next(iter(rows), None)


TRANSIENT_REASONS = ("timeout", "connection-lost", "connection-refused", "dns", "http-429", "http-500",
                     "http-502", "http-503", "http-504")


def unresolved_citations(db: sqlite_utils.Database, source: str) -> list[tuple[str, str]]:
    """(cited URL, citing article URL) of pages a source's stored articles cite that are not stored and
    never failed for good: an interrupted crawl stored the article but never reached the page."""
    marks = ",".join("?" for _ in TRANSIENT_REASONS)
    rows = db.execute(
        "SELECT l.cited_url, min(a.url) FROM article_links l JOIN articles a ON a.id = l.news_article_id "
        "WHERE a.source = ? AND l.cited_article_id IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM articles c WHERE c.url = l.cited_url) "
        f"AND NOT EXISTS (SELECT 1 FROM crawl_errors e WHERE e.url = l.cited_url AND e.reason NOT IN ({marks})) "
        "GROUP BY l.cited_url ORDER BY l.cited_url", [source, *TRANSIENT_REASONS])
    return [(row[0], row[1]) for row in rows]


def urls_to_retry(db: sqlite_utils.Database, source: str, days: int = 7) -> list[str]:
    """URLs of a source that failed for a passing reason in the last days and are still not stored."""
    marks = ",".join("?" for _ in TRANSIENT_REASONS)
    rows = db.query(
        f"SELECT DISTINCT e.url FROM crawl_errors e LEFT JOIN articles a ON a.url = e.url "
        f"WHERE e.source = ? AND e.reason IN ({marks}) AND a.id IS NULL AND e.at >= datetime('now', ?)",
        [source, *TRANSIENT_REASONS, f"-{days} days"])
    return [row["url"] for row in rows]


def run_summary(db: sqlite_utils.Database, run_id: str) -> list[dict]:
    runs = list(db.query("SELECT * FROM crawl_runs WHERE run_id = ? ORDER BY source", [run_id]))
    for run in runs:
        run["failures"] = list(db.query(
            "SELECT reason, url, detail FROM crawl_errors WHERE crawl_run_id = ? ORDER BY id", [run["id"]]))
    return runs
