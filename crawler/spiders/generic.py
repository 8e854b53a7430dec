"""The generic source spider: feeds and listing pages in, article pages out.

Crawling code only: it finds article URLs by the source's pattern, fetches them, and hands the
response to the page object in crawler.extract. Every failure becomes a FetchFailure item, so the
store records it against the source and URL while the crawl goes on.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import scrapy
from scrapy.http import TextResponse

from crawler.extract.article import ExtractError, extract_article
from crawler.extract.decode import DecodeError, decode_html
from crawler.extract.feed import FeedError, parse_feed
from crawler.failures import classify
from crawler.items import ArticleItem, FetchFailure
from crawler.middlewares import real_url
from crawler.sources import Source
from crawler.urls import canonical_url

HTML_TYPES = ("text/html", "application/xhtml+xml")


class Spider(scrapy.Spider):
    source: Source

    def __init__(self, *args, since: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed_domains = list(self.source.allowed_domains)
        self.since: date | None = date.fromisoformat(since) if since else None

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        kwargs.setdefault("since", crawler.settings.get("NEWSDESK_SINCE"))
        spider = super().from_crawler(crawler, *args, **kwargs)
        state = crawl_state(crawler.settings.get("NEWSDESK_DB"), spider.source)
        spider.since = spider.since or state["since"]
        spider.known = state["known"]
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
            yield scrapy.Request(feed, callback=self.parse_feed, errback=self.on_feed_error, priority=10)
        if not self.source.feeds:
            yield from self.listing_requests()

    def listing_requests(self):
        for listing in self.source.listings:
            yield self.listing_request(listing, 1)

    def feed_done(self):
        self.feeds_pending -= 1
        if self.feeds_pending == 0:
            yield from self.listing_requests()

    def listing_request(self, template: str, page: int) -> scrapy.Request:
        return scrapy.Request(template.format(page=page), callback=self.parse_listing, errback=self.on_error,
                              cb_kwargs={"template": template, "page": page}, priority=5)

    # --- feeds and listings -----------------------------------------------------------------
    def parse_feed(self, response):
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
                yield self.article_request(url, entry.as_context())

    def parse_listing(self, response, template: str, page: int):
        if not isinstance(response, TextResponse):
            yield self.failure(response.url, "not-html", "listing page is not text")
            return
        urls = {canonical_url(response.urljoin(href), self.source.url_rewrites)
                for href in response.css("a::attr(href)").getall()}
        in_window = sorted(url for url in urls if self.source.is_article(url) and self.in_window(url))
        for url in in_window:
            yield self.article_request(url, {})
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
    def article_request(self, url: str, context: dict) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_article, errback=self.on_error,
                              cb_kwargs={"context": context})

    def parse_article(self, response, context: dict):
        url = canonical_url(response.url, self.source.url_rewrites)
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        if content_type and content_type.split(";")[0].strip().lower() not in HTML_TYPES:
            yield self.failure(url, "not-html", f"expected an HTML page, got {content_type}")
            return
        try:
            html, _encoding = decode_html(response.body, content_type)
            article = extract_article(html, url, self.source, context)
        except (DecodeError, ExtractError) as exc:
            yield self.failure(url, "decode" if isinstance(exc, DecodeError) else "extract", str(exc))
            return
        article.url = self.canonical_for(article.canonical_url, url)
        yield ArticleItem(source=self.source.key, article=article.as_row(),
                          pages=[raw_page(response, context)], warnings=article.warnings)

    def canonical_for(self, declared: str | None, fetched: str) -> str:
        """Trust a page's rel=canonical only when it is an article URL of this same source."""
        if declared:
            declared = canonical_url(declared, self.source.url_rewrites)
            if self.source.is_article(declared):
                return declared
        return fetched

    # --- failures ---------------------------------------------------------------------------
    def on_error(self, failure):
        request = failure.request
        yield self.failure(real_url(request), *classify(failure))

    def failure(self, url: str, reason: str, detail: str) -> FetchFailure:
        self.logger.warning("%s: %s %s (%s)", self.source.key, reason, url, detail)
        return FetchFailure(source=self.source.key, url=url, reason=reason, detail=detail)


def raw_page(response, context: dict) -> dict:
    headers = {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}
    return {"url": response.url, "status": response.status, "headers": headers, "body": response.body,
            "context": context}


def crawl_state(db_file: str | None, source: Source) -> dict:
    """What the store knows before a crawl: the default `since` and the source's known articles.

    A first run reaches back history_days; later runs reach back to a day before the last finished run.
    """
    from pipeline.store import known_articles, last_finished_run, open_db  # the store owns the schema

    today = datetime.now(UTC).date()
    state = {"since": today - timedelta(days=source.history_days), "known": {}}
    try:
        db = open_db(db_file)
    except Exception:  # noqa: BLE001 - the pipeline reports a broken database when it opens it
        return state
    try:
        last = last_finished_run(db, source.key)
        if last is not None:
            state["since"] = date.fromisoformat(last["started_at"][:10]) - timedelta(days=1)
        state["known"] = known_articles(db, source.key)
    finally:
        db.close()
    return state
