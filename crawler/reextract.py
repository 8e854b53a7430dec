"""Re-run extraction over the stored raw responses, without re-crawling.

Used after an extraction rule changes: every article is extracted again from its kept responses
(all pages of a multi-page article; the CVRF document of an MSRC release); a changed result
becomes a new version, exactly as if it had been crawled again.
"""

from __future__ import annotations

from collections import Counter

import sqlite_utils

from crawler.extract.article import Article, ExtractError, extract_article, guess_lang
from crawler.extract.cvrf import CvrfError
from crawler.extract.decode import DecodeError, decode_html
from crawler.extract.msrc_release import release_from_stored
from crawler.sources import PRIMARY, Source
from pipeline import store


def reextract(db: sqlite_utils.Database, sources: dict[str, Source], only: str | None = None) -> Counter:
    """Returns counts of outcomes: new/changed/unchanged/failed/skipped (source no longer registered)."""
    outcomes: Counter = Counter()
    sql = "SELECT id, source, url, kind FROM articles" + (" WHERE source = ?" if only else "")
    for row in list(db.query(sql, [only] if only else [])):
        source = PRIMARY if row["kind"] == "primary" else sources.get(row["source"])
        pages = store.raw_pages(db, row["id"])
        if source is None or not pages:
            outcomes["skipped"] += 1
            continue
        try:
            article, vulnerabilities = _extract(row, source, pages)
        except (DecodeError, ExtractError, CvrfError):
            outcomes["failed"] += 1
            continue
        saved = store.save_article(db, {**article, "source": row["source"]}, [], vulnerabilities=vulnerabilities)
        outcomes[saved] += 1
    return outcomes


def _extract(row: dict, source: Source, pages: list[dict]) -> tuple[dict, list[dict] | None]:
    if row["kind"] == "release":
        article, vulnerabilities, _warnings = release_from_stored(pages[0], source.tzinfo)
        return {**article, "kind": "release"}, vulnerabilities
    parts = [_extract_page(page, row["url"], source) for page in pages]
    first = parts[0]
    first.text = "\n\n".join(part.text for part in parts)
    result = {**first.as_row(), "url": row["url"], "kind": row["kind"]}
    if row["kind"] == "primary":
        result["lang"] = guess_lang(first.title + first.text)
    return result, None


def _extract_page(page: dict, url: str, source: Source) -> Article:
    html, _ = decode_html(page["body"], page["headers"].get("Content-Type"))
    return extract_article(html, url, source, page["context"])
