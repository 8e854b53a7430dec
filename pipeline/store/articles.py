"""The crawl's writes and reads of articles: rows, versions, raw pages, citations, validators.

Every write that belongs together happens inside one ``transaction(db)`` block, so a page is stored
whole or not at all.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.store.db import insert_row
from pipeline.store.schema import now_iso
from pipeline.store.transactions import transaction
from pipeline.store.words import article_words, index_article

# raw_pages.body_zlib is zlib's format. On the suite's 181 benchmark pages (170 KB each) python-isal's
# level 2 compresses to 22.8% in 0.34 ms a page and reads back in half of zlib's time; the standard
# library's level 3 (on a platform without isal's wheels) to 22.1% in 1.5 ms (its level 6: 19.7% in 3.5 ms).
try:
    from isal import isal_zlib as zlib
    BODY_ZLIB_LEVEL = 2
except ImportError:
    import zlib
    BODY_ZLIB_LEVEL = 3

if TYPE_CHECKING:
    import sqlite_utils

CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # everything but tab and newline
TEXT_FIELDS = ("title", "author", "lead", "text", "feed_summary")
MSRC_RELEASE_URL = "https://msrc.microsoft.com/update-guide/releaseNote/{id}"


def msrc_release_url(release_id: str) -> str:
    """The canonical URL under which an MSRC monthly release (``2026-Nov``) is stored as an article."""
    return MSRC_RELEASE_URL.format(id=release_id)


# --- articles ----------------------------------------------------------------------------------

ARTICLE_FIELDS = ("source", "url", "title", "published_at", "modified_at", "author", "lang", "lead",
                  "text", "highlights", "feed_summary", "body_status", "kind")


def strip_controls(text: str | None) -> str | None:
    return CONTROL_CHARS.sub("", text) if text else text


def content_hash(title: str | None, lead: str | None, text: str | None) -> str:
    normalised = re.sub(r"\s+", " ", f"{title}\n{lead or ''}\n{text}").strip()
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Digest:
    """What the store derives from an article's title, lead and text: the content hash and the words
    of the word index. Pure, so the crawl's worker processes compute it beside the extraction, off the
    writer; the store uses it only when it is of the very text it stores."""
    title: str | None
    lead: str | None
    text: str | None
    content_hash: str
    words: tuple[str, str] | None  # the title's and the lead and text's, as the word index holds them

    def of(self, row: dict) -> bool:
        return (self.title, self.lead, self.text) == (row["title"], row["lead"], row["text"])


def digest(title: str | None, lead: str | None, text: str | None, *, words: bool = True) -> Digest:
    """The digest of the text as the store keeps it (control characters stripped); ``words=False``
    leaves the words to the store, which needs them only for a new or changed text."""
    title, lead, text = strip_controls(title), strip_controls(lead), strip_controls(text)
    return Digest(title, lead, text, content_hash(title, lead, text),
                  article_words(title, lead, text) if words else None)


def save_article(db: sqlite_utils.Database, article: dict, pages: Iterable[dict],
                 fetched_at: str | None = None, vulnerabilities: list[dict] | None = None,
                 citations: list[dict] | None = None, digested: Digest | None = None) -> str:
    """Store one extracted article, its raw pages, and what belongs to it, atomically.

    ``vulnerabilities`` (an MSRC release's rows) replace the release's earlier rows; ``citations``
    (url, link_text, signals) record the primary sources a news article cites; ``digested`` is the
    article's digest when a worker computed it already (ignored unless it is of the stored text).
    Returns 'new', 'changed' (old text kept in article_versions) or 'unchanged'.
    """
    fetched_at = fetched_at or now_iso()
    row = {name: article.get(name) for name in ARTICLE_FIELDS}
    for name in TEXT_FIELDS:  # crawled text is stored inert: no escape sequences reach a terminal later
        row[name] = strip_controls(row[name])
    row["highlights"] = json.dumps([strip_controls(h) for h in row["highlights"] or []], ensure_ascii=False)
    row["kind"] = row["kind"] or "news"
    with transaction(db):
        existing = next(iter(db.query("SELECT * FROM articles WHERE url = ?", [row["url"]])), None)
        if article.get("text_from_feed") and existing and _keeps_feed_text(row, existing):
            # Reached from a listing this time: the feed's summary is missing, not changed.
            row["feed_summary"], row["text"] = existing["feed_summary"], existing["text"]
        if digested is None or not digested.of(row):
            digested = digest(row["title"], row["lead"], row["text"])
        row["content_hash"] = digested.content_hash
        if existing is None:
            outcome = "new"
            row.update(version=1, first_seen_at=fetched_at, last_fetched_at=fetched_at,
                       last_checked_at=fetched_at)
            article_id = insert_row(db, "articles", row)
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
        if outcome != "unchanged":
            index_article(db, article_id, *(digested.words or article_words(row["title"], row["lead"], row["text"])))
        for number, page in enumerate(pages, start=1):
            _save_raw_page(db, article_id, number, page, fetched_at)
        if vulnerabilities is not None:
            _replace_vulnerabilities(db, article_id, vulnerabilities)
        for citation in citations or ():
            _save_citation(db, article_id, citation, fetched_at)
        _link_cited(db, article_id, row["url"])
    return outcome


def _keeps_feed_text(row: dict, existing: dict) -> bool:
    """The stored text is its lead and the feed's summary, and this visit brought no summary."""
    derived = "\n\n".join(part for part in (existing["lead"], existing["feed_summary"]) if part)
    return not row["feed_summary"] and bool(existing["feed_summary"]) and existing["text"] == derived \
        and (row["lead"] or "") == (existing["lead"] or "")


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
    """One response; ``body_zlib`` when the caller compressed the body already (a worker), else ``body``."""
    body_zlib = page.get("body_zlib")
    insert_row(db, "raw_pages", {
        "url": page["url"], "article_id": article_id, "page": number, "fetched_at": fetched_at,
        "status": page.get("status", 200),
        "headers": json.dumps(page.get("headers") or {}, ensure_ascii=False),
        "body_zlib": body_zlib if body_zlib is not None else compress_body(page["body"]),
        "context": json.dumps(page.get("context") or {}, ensure_ascii=False),
    }, upsert_on="url")


def compress_body(body: bytes) -> bytes:
    """A response body as raw_pages keeps it (pure: the crawl runs it in its worker processes)."""
    return zlib.compress(body, BODY_ZLIB_LEVEL)


def raw_pages(db: sqlite_utils.Database, article_id: int) -> list[dict]:
    """The stored responses of one article, decompressed, in page order."""
    return [decompress_page(page) for page in stored_pages(db, [article_id]).get(article_id, [])]


def stored_pages(db: sqlite_utils.Database, article_ids: list[int]) -> dict[int, list[dict]]:
    """Article id -> its stored responses in page order, bodies still compressed (``body_zlib``)."""
    marks = ",".join("?" for _ in article_ids)
    pages: dict[int, list[dict]] = {}
    for row in db.query(f"SELECT * FROM raw_pages WHERE article_id IN ({marks}) ORDER BY article_id, page",
                        list(article_ids)):
        pages.setdefault(row["article_id"], []).append(row)
    return pages


def decompress_page(row: dict) -> dict:
    """A stored_pages row with its body, headers and context decoded (pure: reextract's workers run it)."""
    return {**row, "body": zlib.decompress(row["body_zlib"]), "headers": json.loads(row["headers"]),
            "context": json.loads(row["context"] or "{}")}


def known_articles(db: sqlite_utils.Database, source: str | None = None) -> dict[str, dict]:
    """Canonical URL -> {last_fetched_at, modified_at, published_at, lang} of stored articles (of one source)."""
    where, params = ("WHERE source = ?", [source]) if source else ("", [])
    rows = db.query(f"SELECT url, last_fetched_at, modified_at, published_at, lang FROM articles {where}", params)
    return {row.pop("url"): row for row in rows}


def article_urls(db: sqlite_utils.Database) -> set[str]:
    return {row[0] for row in db.execute("SELECT url FROM articles")}


def article_detail(db: sqlite_utils.Database, article_id: int) -> dict:
    """One stored article with the primary sources it cites, the articles citing it, and its story."""
    rows = list(db.query("SELECT * FROM articles WHERE id = ?", [article_id]))
    if not rows:
        raise LookupError(f"there is no article {article_id}")
    article = {**rows[0], "highlights": json.loads(rows[0]["highlights"] or "[]")}
    article["cites"] = list(db.query(
        "SELECT l.cited_url AS url, l.link_text, l.cited_article_id AS article_id, c.title FROM article_links l "
        "LEFT JOIN articles c ON c.id = l.cited_article_id WHERE l.news_article_id = ? ORDER BY l.cited_url",
        [article_id]))
    article["cited_by"] = list(db.query(
        "SELECT a.id AS article_id, a.url, a.title FROM article_links l JOIN articles a ON a.id = l.news_article_id "
        "WHERE l.cited_article_id = ? ORDER BY a.id", [article_id]))
    story = list(db.query(
        "SELECT st.id, st.title, sa.role, sa.evidence, c.id AS candidate_id FROM story_articles sa "
        "JOIN stories st ON st.id = sa.story_id LEFT JOIN candidates c ON c.story_id = st.id "
        "WHERE sa.article_id = ?", [article_id]))
    article["story"] = story[0] if story else None
    return article
