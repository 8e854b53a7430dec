"""A Scrapy extension that says how a crawl is going: every few seconds, a line per source on standard
error (pages fetched, articles stored), and one when the source is done. On with NEWSDESK_PROGRESS."""

from __future__ import annotations

import sys

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

INTERVAL = 10.0  # seconds


class CrawlProgress:
    def __init__(self, crawler):
        self.crawler = crawler
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("NEWSDESK_PROGRESS"):
            raise NotConfigured
        extension = cls(crawler)
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def opened(self, spider):
        self.loop = task.LoopingCall(self.report, spider, "")
        self.loop.start(INTERVAL, now=False)

    def closed(self, spider, reason):
        if self.loop and self.loop.running:
            self.loop.stop()
        self.report(spider, f" (done: {reason})")

    def report(self, spider, suffix: str) -> None:
        stats = self.crawler.stats
        pages = stats.get_value("downloader/response_count") or 0
        stored = sum(stats.get_value(f"newsdesk/articles_{k}") or 0 for k in ("new", "changed", "unchanged"))
        print(f"{spider.name}: {pages} pages fetched, {stored} articles stored{suffix}", file=sys.stderr, flush=True)
