"""A Scrapy extension that says how a crawl is going, per source: pages fetched and articles stored.

On a terminal a live rich display (one line per source, shared by the spiders of the process);
otherwise a plain line per source every INTERVAL seconds and when the source is done, on standard
error. On with the NEWSDESK_PROGRESS setting (`newsdesk crawl` and `run` set it unless --quiet).
"""

from __future__ import annotations

import sys

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.middlewares import RESPONSES_READ

INTERVAL = 10.0          # seconds between plain lines
LIVE_INTERVAL = 0.5      # seconds between updates of the live display
_live: dict = {"progress": None, "open": 0}  # the display the spiders of this process share


class CrawlProgress:
    def __init__(self, crawler):
        self.crawler = crawler
        self.loop: task.LoopingCall | None = None
        self.task_id = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("NEWSDESK_PROGRESS"):
            raise NotConfigured
        extension = cls(crawler)
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def counts(self) -> tuple[int, int]:
        stats = self.crawler.stats
        pages = stats.get_value("downloader/response_count") or 0
        stored = sum(stats.get_value(f"newsdesk/articles_{k}") or 0 for k in ("new", "changed", "unchanged"))
        return pages, stored

    def opened(self, spider):
        if sys.stderr.isatty():
            self.task_id = _display().add_task(spider.name, total=None)
            _live["open"] += 1
            self.loop = task.LoopingCall(self.update, spider, "")
            self.loop.start(LIVE_INTERVAL, now=True)
        else:
            self.loop = task.LoopingCall(self.line, spider, "")
            self.loop.start(INTERVAL, now=False)

    def closed(self, spider, reason):
        if self.loop and self.loop.running:
            self.loop.stop()
        if reason == "finished" and not self.crawler.stats.get_value(RESPONSES_READ):
            reason = "nothing could be read"
        if self.task_id is None:
            self.line(spider, f" (done: {reason})")
            return
        self.update(spider, f" (done: {reason})")
        _live["open"] -= 1
        if _live["open"] == 0:
            _live["progress"].stop()
            _live["progress"] = None

    def line(self, spider, suffix: str) -> None:
        pages, stored = self.counts()
        print(f"{spider.name}: {pages} pages fetched, {stored} articles stored{suffix}", file=sys.stderr, flush=True)

    def update(self, spider, suffix: str) -> None:
        pages, stored = self.counts()
        _live["progress"].update(self.task_id, description=f"{spider.name}: {pages} pages fetched, "
                                                           f"{stored} articles stored{suffix}")


def _display():
    if _live["progress"] is None:
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        _live["progress"] = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                                     console=Console(stderr=True))
        _live["progress"].start()
    return _live["progress"]
