"""Hands items to the store. The store (pipeline.store) owns the schema; this only calls it.

One writer, in batches: items wait in memory until NEWSDESK_STORE_BATCH of them arrived or
NEWSDESK_STORE_BATCH_SECONDS passed, then go to the store in one transaction (each article in its own
savepoint inside it). Counts and progress move only once a batch is committed, so nothing is
reported stored that a killed run could lose; what a killed run had not committed is simply not in
the database, and the next run fetches it again (it decides what is new from the stored rows).
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections import Counter

from scrapy import signals
from twisted.internet import task

from crawler.items import ArticleItem, ArticleSeen, FetchFailure
from crawler.middlewares import RESPONSES_READ
from pipeline import store

NOTHING_READ = "nothing-read"
INCOMPLETE = "incomplete"
log = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, db_file: str, run_id: str, mirror: str | None, stats, batch_size: int = 1,
                 batch_seconds: float = 0.0):
        self.db_file = db_file
        self.run_id = run_id
        self.mirror = mirror
        self.stats = stats
        self.batch_size = max(batch_size, 1)
        self.batch_seconds = batch_seconds
        self.pending: list = []
        self.timer: task.LoopingCall | None = None
        self.db = None
        self.run_pk = None
        self.source_key = ""
        self.outcomes: Counter = Counter()

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        pipeline = cls(settings.get("NEWSDESK_DB"), settings.get("NEWSDESK_RUN_ID") or uuid.uuid4().hex[:12],
                       settings.get("NEWSDESK_MIRROR"), crawler.stats,
                       batch_size=settings.getint("NEWSDESK_STORE_BATCH", 1),
                       batch_seconds=settings.getfloat("NEWSDESK_STORE_BATCH_SECONDS", 0.0))
        # Signals carry the spider; spider_closed also carries the finish reason.
        crawler.signals.connect(pipeline.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def spider_opened(self, spider):
        self.db = store.open_db(self.db_file, cache_kib=store.WRITER_CACHE_KIB)
        source = spider.source
        self.source_key = source.key
        store.save_source(self.db, source.key, source.name, source.lang, dataclasses.asdict(source))
        self.run_pk = store.start_run(self.db, self.run_id, source.key,
                                      spider.since.isoformat() if spider.since else None, self.mirror)
        if self.batch_seconds > 0:
            self.timer = task.LoopingCall(self.timed_flush)
            self.timer.start(self.batch_seconds, now=False)

    def close_spider(self, spider=None):
        """Scrapy calls this before the spider_closed signal: what waits is stored before the counts are read."""
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        self.flush()

    def spider_closed(self, spider, reason):
        if self.db is None:
            return
        self.close_spider(spider)
        pages = self.stats.get_value("downloader/response_count") or 0
        if reason == "finished" and not self.stats.get_value(RESPONSES_READ):
            reason = NOTHING_READ  # every request failed: the next run must not start after this one
        elif reason == "finished" and getattr(spider, "entry_failures", 0):
            reason = INCOMPLETE  # a feed or listing page was not read: the window must not move past it
        self.db["crawl_runs"].update(self.run_pk, {f"articles_{k}": v for k, v in self.outcomes.items()})
        store.finish_run(self.db, self.run_pk, reason, pages)
        self.db.close()
        self.db = None

    def process_item(self, item):
        self.pending.append(item)
        if len(self.pending) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        """Store the waiting items in one transaction; count them once it is committed."""
        if not self.pending or self.db is None:
            return
        batch, self.pending = self.pending, []
        counted: Counter = Counter()
        with store.transaction(self.db):
            for item in batch:
                outcome = self.store_item(item)
                if outcome:
                    counted[outcome] += 1
        self.outcomes.update(counted)
        for outcome, count in counted.items():
            if outcome != "skipped":
                self.stats.inc_value(f"newsdesk/articles_{outcome}", count)

    def timed_flush(self) -> None:
        try:
            self.flush()
        except Exception:  # noqa: BLE001 - keep the timer going; the next flush tries again
            log.exception("could not store a batch of %s items; they are fetched again by the next run",
                          self.source_key)

    def store_item(self, item) -> str | None:
        """One item inside the batch's transaction; an item the store refuses is recorded, not lost silently."""
        try:
            with store.transaction(self.db):  # a savepoint: a failing item leaves nothing half-written
                return self._write(item)
        except Exception as exc:  # noqa: BLE001 - one bad item never loses the batch
            url = getattr(item, "url", None) or item.article.get("url", "")
            log.error("could not store %s (%s: %s)", url, type(exc).__name__, exc)
            store.record_error(self.db, self.run_pk, getattr(item, "source", self.source_key), url, "store",
                               f"{type(exc).__name__}: {exc}")
            return None

    def _write(self, item) -> str | None:
        if isinstance(item, ArticleSeen):
            store.mark_checked(self.db, item.url)
            return "skipped"
        if isinstance(item, FetchFailure):
            store.record_error(self.db, self.run_pk, item.source, item.url, item.reason, item.detail)
            return None
        if isinstance(item, ArticleItem):
            outcome = store.save_article(self.db, {**item.article, "source": item.source}, item.pages,
                                         vulnerabilities=item.vulnerabilities, citations=item.citations,
                                         digested=item.digest)
            for warning in item.warnings:
                store.record_error(self.db, self.run_pk, item.source, item.article["url"], "rule", warning)
            return outcome
        return None
