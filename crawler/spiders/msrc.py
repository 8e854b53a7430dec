"""MSRC monthly security update releases, from the CVRF v3.0 API and the Japanese release notes.

Requests run in order: the ja-JP release notes (every OData page), then the update list, then the
CVRF document of each release in the window that is new or whose CurrentReleaseDate moved. Both
lists are conditional requests (a 304 means unchanged). A release becomes one article (kind
'release', at its Security Update Guide URL) with its CVEs as vulnerability rows; the parsing
itself is crawler.extract.cvrf.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin

import scrapy

from crawler.extract.cvrf import (
    CvrfError,
    ReleaseNote,
    UpdateEntry,
    odata_next_link,
    parse_cvrf,
    parse_release_notes,
    parse_updates,
)
from crawler.extract.msrc_release import local_date, release_parts, same_instant
from crawler.items import ArticleItem, ArticleSeen
from crawler.middlewares import CONDITIONAL, RECORD_ONLY
from crawler.spiders.generic import Spider as GenericSpider
from crawler.spiders.generic import raw_page
from pipeline.store import msrc_release_url

MAX_NOTE_PAGES = 20
def conditional_meta(revalidate: bool) -> dict:
    """Lists are conditional requests (a 304 reaches the callback); RECORD_ONLY reads them in full."""
    return {CONDITIONAL: True if revalidate else RECORD_ONLY, "handle_httpstatus_list": [304]}


class Spider(GenericSpider):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.notes: dict[str, ReleaseNote] = {}    # release id -> Japanese release note
        self.notes_unchanged = False                # the notes answered 304: nothing received
        self.pending: list[UpdateEntry] | None = None  # releases to fetch, once the update list is read

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.since and not spider.since_explicit:
            # The update list is one response and stored releases are skipped unless revised, so the
            # default window stays history_days wide: a release that failed last run is tried again.
            history = datetime.now(UTC).date() - timedelta(days=spider.source.history_days)
            spider.since = min(spider.since, history)
        return spider

    def failure(self, url: str, reason: str, detail: str):
        # The update list answers 304 until a release is revised: after a failure, read it in full
        # next run (its validators are not kept), so the release that failed is fetched again.
        self.keep_validators = False
        return super().failure(url, reason, detail)

    def start_requests(self):
        yield self.notes_request(self.source.options["release_notes_url"], conditional=True)

    # --- release notes ----------------------------------------------------------------------
    def notes_request(self, url: str, page: int = 1, conditional: bool = False) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_notes, errback=self.on_notes_error, dont_filter=True,
                              meta=conditional_meta(conditional), cb_kwargs={"page": page})

    def parse_notes(self, response, page: int):
        next_link = None
        if response.status == 304:
            self.notes_unchanged = True
        else:
            try:
                notes, next_link = parse_release_notes(response.body), odata_next_link(response.body)
            except CvrfError as exc:
                yield self.failure(response.url, "cvrf", str(exc))
            else:
                self.notes.update((note.release_number, note) for note in notes)
        if next_link and page < MAX_NOTE_PAGES:
            yield self.notes_request(response.urljoin(next_link), page + 1)
        else:
            yield from self.notes_done()

    def on_notes_error(self, failure):
        yield from self.on_error(failure)
        yield from self.notes_done()

    def notes_done(self):
        """Notes read (or failed): on to the update list, or to the documents that waited for them."""
        if self.pending is None:
            yield self.updates_request()
        else:
            yield from self.document_requests()

    # --- update list ------------------------------------------------------------------------
    def updates_request(self) -> scrapy.Request:
        # An explicit --since may reach further back than before: read the list afresh then.
        meta = conditional_meta(revalidate=not self.since_explicit)
        return scrapy.Request(self.source.options["updates_url"], callback=self.parse_update_list,
                              errback=self.on_error, dont_filter=True, meta=meta)

    def parse_update_list(self, response):
        if response.status == 304:
            return
        try:
            entries = [entry for entry in parse_updates(response.body) if self.release_in_window(entry)]
        except CvrfError as exc:
            yield self.failure(response.url, "cvrf", str(exc))
            return
        self.pending = [entry for entry in entries if self.is_new_or_revised(entry)]
        for entry in entries:
            if entry not in self.pending:
                yield ArticleSeen(url=msrc_release_url(entry.id))
        if self.pending and self.notes_unchanged:
            # 304 kept the notes unread, but the releases about to be stored need them: read them now.
            self.notes_unchanged = False
            yield self.notes_request(self.source.options["release_notes_url"])
        else:
            yield from self.document_requests()

    def release_in_window(self, entry: UpdateEntry) -> bool:
        """Released or revised on or after `since` (a date in the source's timezone)."""
        dates = [local_date(d, self.source.tzinfo)
                 for d in (entry.initial_release_date, entry.current_release_date) if d]
        return not self.since or not dates or max(dates) >= self.since

    def is_new_or_revised(self, entry: UpdateEntry) -> bool:
        """Not stored, revised (CurrentReleaseDate moved), or stored in English before its Japanese note came."""
        known = self.known.get(msrc_release_url(entry.id))
        return (known is None or not same_instant(known.get("modified_at"), entry.current_release_date)
                or (known.get("lang") == "en" and entry.id in self.notes))

    # --- CVRF documents ---------------------------------------------------------------------
    def document_requests(self):
        for entry in self.pending or ():
            url = entry.cvrf_url or urljoin(self.source.options["updates_url"], f"cvrf/{entry.id}")
            yield scrapy.Request(url, headers={"Accept": "application/json"}, callback=self.parse_document,
                                 errback=self.on_error, cb_kwargs={"entry": entry})

    def parse_document(self, response, entry: UpdateEntry):
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        try:
            release = parse_cvrf(response.body, content_type or None)
        except CvrfError as exc:
            yield self.failure(response.url, "cvrf", str(exc))
            return
        if release.id != entry.id:
            yield self.failure(response.url, "cvrf", f"document is release {release.id!r}, expected {entry.id!r}")
            return
        note = self.notes.get(entry.id)
        article, vulnerabilities, warnings = release_parts(release, entry, note, self.source.tzinfo)
        context = {"update": dataclasses.asdict(entry), "release_note": note and dataclasses.asdict(note)}
        yield ArticleItem(source=self.source.key, article=article, pages=[raw_page(response, context)],
                          warnings=warnings, vulnerabilities=vulnerabilities)


# --- the release as an article (pure: also rebuilds one from its stored response) -----------------
