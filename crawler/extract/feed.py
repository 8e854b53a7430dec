"""Feeds (RSS 1.0/RDF, RSS 2.0, Atom) to entries, with feedparser."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from urllib.parse import urljoin

import feedparser
from bs4 import BeautifulSoup

from crawler.extract.dates import from_struct_time, parse_date


class FeedError(ValueError):
    """The feed could not be read at all."""


@dataclass(frozen=True)
class FeedEntry:
    url: str
    title: str | None
    summary: str | None
    published: str | None
    updated: str | None

    def as_context(self) -> dict:
        return {"title": self.title, "summary": self.summary, "published": self.published,
                "updated": self.updated}


def parse_feed(body: bytes, feed_url: str, tz: tzinfo) -> tuple[list[FeedEntry], str | None]:
    """Entries of a feed, and a warning when the XML was malformed but entries were recovered."""
    parsed = feedparser.parse(body, sanitize_html=True, resolve_relative_uris=False)
    problem = str(parsed.get("bozo_exception", "")) if parsed.get("bozo") else None
    entries = [_entry(raw, feed_url, tz) for raw in parsed.entries if raw.get("link")]
    if not entries and problem:
        raise FeedError(f"malformed feed: {problem}")
    if not entries and not parsed.get("version"):
        raise FeedError("not a feed (no RSS or Atom document found)")
    return entries, (f"malformed feed, {len(entries)} entries recovered: {problem}" if problem else None)


def _entry(raw, feed_url: str, tz: tzinfo) -> FeedEntry:
    published = (from_struct_time(raw.get("published_parsed"), tz)
                 or parse_date(raw.get("published") or raw.get("dc_date"), tz))
    return FeedEntry(
        url=urljoin(feed_url, raw["link"].strip()),
        title=(raw.get("title") or "").strip() or None,
        summary=_plain(raw.get("summary") or "") or None,
        published=published,
        updated=from_struct_time(raw.get("updated_parsed"), tz),
    )


def _plain(html: str) -> str:
    return " ".join(BeautifulSoup(html, "lxml").get_text(" ").split()) if "<" in html else html.strip()
