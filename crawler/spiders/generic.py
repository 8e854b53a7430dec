"""The generic source spider: feeds and listing pages in, article pages out.

Crawling code only: it finds article URLs by the source's pattern, fetches them, and hands the
response to the page objects in crawler.extract. Every failure becomes a FetchFailure item, so the
store records it against the source and URL while the crawl goes on.

Incremental by design: feeds and listings are conditional requests (a 304 costs no parsing), a
known article is fetched again only when its feed entry says it was updated or its revisit interval
has passed, and URLs that failed for a passing reason last time are tried again.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import scrapy
from scrapy.http import TextResponse

from crawler.extract.article import Article, guess_lang
from crawler.extract.citations import find_citations
from crawler.extract.feed import FeedError, parse_feed
from crawler.extraction import Extracted, Failure
from crawler.failures import classify
from crawler.items import ArticleItem, ArticleSeen, FetchFailure
from crawler.middlewares import CONDITIONAL, RECORD_ONLY, requested_url
from crawler.offload import PageExtractor
from crawler.sources import PRIMARY, Source, load_sources
from crawler.urls import canonical_url

if TYPE_CHECKING:
    from pipeline.store.articles import Digest

MAX_PAGES = 10


class Spider(scrapy.Spider):
    source: Source
    keep_validators = True  # False: ConditionalRequestMiddleware forgets this run's validators

    def __init__(self, *args, since: str | None = None, claimed: set | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Cited pages already requested by any spider of this process (a story cited by two sites).
        self.claimed: set[str] = claimed if claimed is not None else set()
        self.allowed_domains = list(self.source.allowed_domains)
        try:
            self.since: date | None = date.fromisoformat(since) if since else None
        except ValueError:
            raise ValueError(f"since must be a date written YYYY-MM-DD, not {since!r}") from None
        self.since_explicit = since is not None
        self.known: dict[str, dict] = {}
        self.retry_urls: list[str] = []
        self.offered: set[str] = set()
        self.stored: set[str] = set()
        self.registry: list[Source] = []
        self.vendor_domains: tuple[str, ...] = ()
        self.revisit = timedelta(hours=self.source.revisit_hours)
        self.unresolved: list[tuple[str, str]] = []  # (cited URL, citing article URL) not fetched yet
        self.entry_points: set[str] = set()  # feeds and listing pages requested
        self.entry_failures = 0  # of them, how many could not be read: the run is then incomplete
        self.extractor: PageExtractor = PageExtractor(None, None)  # extraction in-process until from_crawler

    @classmethod
    def from_crawler(cls, crawler, *args, pool=None, **kwargs):
        """``pool``: the extraction worker pool the spiders of this process share (crawler.offload)."""
        kwargs.setdefault("since", crawler.settings.get("NEWSDESK_SINCE"))
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.extractor = PageExtractor.from_crawler(crawler, pool)
        state = crawl_state(crawler.settings.get("NEWSDESK_DB"), spider.source)
        spider.since = spider.since or state["since"]
        spider.known, spider.retry_urls, spider.stored = state["known"], state["retry"], state["stored"]
        spider.unresolved = state["unresolved"]
        spider.vendor_domains = tuple(crawler.settings.getlist("NEWSDESK_VENDOR_DOMAINS"))
        spider.registry = list(load_sources(crawler.settings.get("NEWSDESK_SOURCES")).values())
        return spider

    @classmethod
    def handles_request(cls, request) -> bool:
        return cls.source.is_article(request.url)

    # --- start ------------------------------------------------------------------------------
    async def start(self):
        for request in self.start_requests():
            yield request

    def start_requests(self):
        """Feeds first; listings once every feed is read, so an article found in both keeps its feed entry."""
        self.feeds_pending = len(self.source.feeds)
        for feed in self.source.feeds:
            yield self.conditional(feed, self.parse_feed, self.on_feed_error, priority=10)
        if not self.source.feeds:
            yield from self.listing_requests()
        for url in self.retry_urls:
            if self.source.is_article(url):
                yield from self.article_request(url, {}, force=True)
        yield from self.citation_requests(self.unresolved)  # cited by articles an interrupted run stored

    def conditional(self, url, callback, errback, **kwargs) -> scrapy.Request:
        """A request the ConditionalRequestMiddleware revalidates; the callback sees 304s."""
        self.entry_points.add(url)
        return scrapy.Request(url, callback=callback, errback=errback, priority=kwargs.pop("priority", 0),
                              meta={CONDITIONAL: True, "handle_httpstatus_list": [304]}, **kwargs)

    def listing_requests(self):
        for listing in self.source.listings:
            yield self.listing_request(listing, 1)

    def feed_done(self):
        self.feeds_pending -= 1
        if self.feeds_pending == 0:
            yield from self.listing_requests()

    def listing_request(self, template: str, page: int) -> scrapy.Request:
        kwargs = {"cb_kwargs": {"template": template, "page": page}, "priority": 5}
        request = self.conditional(template.format(page=page), self.parse_listing, self.on_error, **kwargs)
        if self.since_explicit:  # reaching further back than before: read every page afresh
            request.meta[CONDITIONAL] = RECORD_ONLY
        return request

    # --- feeds and listings -----------------------------------------------------------------
    def parse_feed(self, response):
        if response.status != 304:
            yield from self.feed_articles(response)
        yield from self.feed_done()

    def on_feed_error(self, failure):
        yield from self.on_error(failure)
        yield from self.feed_done()

    def feed_articles(self, response):
        try:
            entries, warning = parse_feed(response.body, response.url, self.source.tzinfo)
        except FeedError as exc:
            yield self.failure(response.url, "feed", str(exc))
            return
        if warning:
            yield self.failure(response.url, "feed", warning)
        for entry in entries:
            url = canonical_url(entry.url, self.source.url_rewrites)
            if self.source.is_article(url):
                yield from self.article_request(url, entry.as_context())

    def parse_listing(self, response, template: str, page: int):
        if response.status == 304:
            return
        if not isinstance(response, TextResponse):
            yield self.failure(response.url, "not-html", "listing page is not text")
            return
        urls = {canonical_url(response.urljoin(href), self.source.url_rewrites)
                for href in response.css("a::attr(href)").getall()}
        in_window = sorted(url for url in urls if self.source.is_article(url) and self.in_window(url))
        for url in in_window:
            yield from self.article_request(url, {})
        next_page = canonical_url(template.format(page=page + 1))
        # Page on only while this page still reached into the window and links the next page itself.
        if "{page}" in template and in_window and next_page in urls and page < self.source.max_listing_pages:
            yield self.listing_request(template, page + 1)

    def in_window(self, url: str) -> bool:
        """Listing pages reach back to `since` only; URLs without a date are always in."""
        match = re.match(self.source.article_pattern, url)
        groups = match.groupdict() if match else {}
        if not self.since or not {"year", "month", "day"} <= groups.keys():
            return True
        try:
            return date(int(groups["year"]), int(groups["month"]), int(groups["day"])) >= self.since
        except ValueError:
            return True

    # --- articles ---------------------------------------------------------------------------
    def article_request(self, url: str, context: dict, force: bool = False):
        """The request for an article, or an ArticleSeen when the stored copy is still current.

        Each URL once per run (a feed and a listing both offer it): later offers yield nothing.
        """
        if url in self.offered:
            return
        self.offered.add(url)
        known = self.known.get(url)
        if known and not force and not self.due(known, context):
            yield ArticleSeen(url=url)
        else:
            yield scrapy.Request(url, callback=self.parse_article, errback=self.on_error,
                                 cb_kwargs={"context": context})

    def due(self, known: dict, context: dict) -> bool:
        """Fetch a known article again when its feed entry is newer or its revisit interval passed."""
        fetched = datetime.fromisoformat(known["last_fetched_at"])
        updated = context.get("updated") or context.get("published")
        if updated and datetime.fromisoformat(updated) > fetched:
            return True
        return datetime.now(UTC) - fetched >= self.revisit

    async def parse_article(self, response, context: dict, first: Article | None = None,
                            pages: list | None = None):
        url = canonical_url(response.url, self.source.url_rewrites)
        extracted = await self.extract(response, url, self.source, context)
        if isinstance(extracted, FetchFailure):
            yield extracted
            return
        article = extracted.article
        pages = (pages or []) + [raw_page(response, context, extracted.body_zlib)]
        if first is not None:
            first.text += "\n\n" + article.text
            first.links += article.links
            article = first
        else:
            article.url = self.canonical_for(article.canonical_url, url)
        next_url = self.continuation(article, response.url, len(pages))
        if next_url:
            yield scrapy.Request(next_url, callback=self.parse_article, errback=self.on_error,
                                 cb_kwargs={"context": context, "first": article, "pages": pages})
            return
        # a worker digested this page's text only; an article of several pages is digested by the store
        for output in self.article_items(article, pages, extracted.digest if len(pages) == 1 else None):
            yield output

    def continuation(self, article: Article, page_url: str, page_count: int) -> str | None:
        """The next page of a multi-page article, when it is one (same article, not already read)."""
        next_url = article.next_page_url
        article.next_page_url = None
        if not next_url or page_count >= MAX_PAGES:
            return None
        next_url = canonical_url(next_url)
        if not next_url.startswith(article.url) or next_url == canonical_url(page_url):
            return None
        return next_url

    def article_items(self, article: Article, pages: list[dict], digest: Digest | None = None):
        citations = []
        if self.source.follow_citations:
            citations = find_citations(article.links, self.source.allowed_domains, self.vendor_domains)
        yield ArticleItem(source=self.source.key, article=article.as_row(), pages=pages,
                          warnings=article.warnings, citations=[c.as_row() for c in citations], digest=digest)
        yield from self.citation_requests([(citation.url, article.url) for citation in citations])

    def citation_requests(self, cited: list[tuple[str, str]]):
        """One hop to each cited page (cited URL, citing article URL) not yet stored or requested."""
        for url, cited_by in cited:
            if self.source.follow_citations and self.fetch_citation(url):
                yield scrapy.Request(url, callback=self.parse_primary, errback=self.on_error,
                                     meta={"allow_offsite": True}, cb_kwargs={"cited_by": cited_by})

    def fetch_citation(self, url: str) -> bool:
        """Fetch a cited page once; never one that a registered source crawls itself (its spider stores it)."""
        if url in self.stored or url in self.claimed or any(s.is_article(url) for s in self.registry):
            return False
        self.claimed.add(url)
        return True

    async def parse_primary(self, response, cited_by: str):
        """A cited official page: generic extraction, stored as kind 'primary'. One hop: no links followed."""
        url = canonical_url(response.url)
        extracted = await self.extract(response, url, PRIMARY, {})
        if isinstance(extracted, FetchFailure):
            yield extracted
            return
        article = extracted.article
        article.url = url
        row = {**article.as_row(), "kind": "primary", "lang": guess_lang(article.title + article.text)}
        page = raw_page(response, {"cited_by": cited_by}, extracted.body_zlib)
        yield ArticleItem(source=PRIMARY.key, article=row, pages=[page], warnings=[], digest=extracted.digest)

    async def extract(self, response, url: str, source: Source, context: dict) -> Extracted | FetchFailure:
        """The page's article, extracted in a worker process while the reactor goes on (crawler.offload)."""
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        outcome = await self.extractor.extract(response.body, content_type, url, source, context)
        if isinstance(outcome, Failure):
            return self.failure(url, outcome.reason, outcome.detail)
        return outcome

    def canonical_for(self, declared: str | None, fetched: str) -> str:
        """Trust a page's rel=canonical only when it is an article URL of this same source."""
        if declared:
            declared = canonical_url(declared, self.source.url_rewrites)
            if self.source.is_article(declared):
                return declared
        return fetched

    # --- failures ---------------------------------------------------------------------------
    def on_error(self, failure):
        yield self.failure(requested_url(failure.request), *classify(failure))

    def failure(self, url: str, reason: str, detail: str) -> FetchFailure:
        if url in self.entry_points:
            self.entry_failures += 1
        self.logger.warning("%s: %s %s (%s)", self.source.key, reason, url, detail)
        return FetchFailure(source=self.source.key, url=url, reason=reason, detail=detail)


def raw_page(response, context: dict, body_zlib: bytes | None = None) -> dict:
    """The response as the store keeps it; ``body_zlib`` when a worker compressed the body already."""
    headers = {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}
    body = {"body_zlib": body_zlib} if body_zlib is not None else {"body": response.body}
    return {"url": response.url, "status": response.status, "headers": headers, "context": context, **body}


def crawl_state(db_file: str | None, source: Source) -> dict:
    """What the store knows before a crawl: the default `since`, known articles, URLs to try again.

    A first run reaches back history_days; later runs reach back to a day before the last finished run.
    Every stored URL is kept too, so a cited page already stored (from any source) is not fetched again.
    """
    from pipeline import store  # the store owns the schema

    today = datetime.now(UTC).date()
    state = {"since": today - timedelta(days=source.history_days), "known": {}, "retry": [], "stored": set(),
             "unresolved": []}
    try:
        db = store.open_db(db_file)
    except Exception:  # noqa: BLE001 - the pipeline reports a broken database when it opens it
        return state
    try:
        last = store.last_finished_run(db, source.key)
        if last is not None:
            state["since"] = date.fromisoformat(last["started_at"][:10]) - timedelta(days=1)
        state["known"] = store.known_articles(db, source.key)
        state["stored"] = store.article_urls(db)
        state["retry"] = store.urls_to_retry(db, source.key)
        state["unresolved"] = store.unresolved_citations(db, source.key)
    finally:
        db.close()
    return state
