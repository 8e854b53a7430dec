"""Re-run extraction over the stored raw responses, without re-crawling.

Used after an extraction rule changes: every article is extracted again from its kept response;
a changed result becomes a new version, exactly as if it had been crawled again.
"""

from __future__ import annotations

from collections import Counter

import sqlite_utils

from crawler.extract.article import ExtractError, extract_article
from crawler.extract.decode import DecodeError, decode_html
from crawler.sources import Source
from pipeline import store


def reextract(db: sqlite_utils.Database, sources: dict[str, Source], only: str | None = None) -> Counter:
    """Returns counts of outcomes: new/changed/unchanged/failed/skipped (source no longer registered)."""
    outcomes: Counter = Counter()
    sql = "SELECT id, source, url FROM articles" + (" WHERE source = ?" if only else "")
    for row in list(db.query(sql, [only] if only else [])):
        source = sources.get(row["source"])
        pages = store.raw_pages(db, row["id"])
        if source is None or not pages:
            outcomes["skipped"] += 1
            continue
        first = pages[0]
        try:
            html, _ = decode_html(first["body"], first["headers"].get("Content-Type"))
            article = extract_article(html, row["url"], source, first["context"])
        except (DecodeError, ExtractError):
            outcomes["failed"] += 1
            continue
        article.url = row["url"]
        outcomes[store.save_article(db, {**article.as_row(), "source": row["source"]}, [])] += 1
    return outcomes
