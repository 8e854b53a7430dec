"""Hands items to the store. The store (pipeline.store) owns the schema; this only calls it."""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter

from scrapy import signals

from crawler.items import ArticleItem, ArticleSeen, FetchFailure
from crawler.middlewares import RESPONSES_READ
from pipeline import store

NOTHING_READ = "nothing-read"
INCOMPLETE = "incomplete"


class StorePipeline:
    def __init__(self, db_file: str, run_id: str, mirror: str | None, stats):
        self.db_file = db_file
        self.run_id = run_id
        self.mirror = mirror
        self.stats = stats
        self.db = None
        self.run_pk = None
        self.outcomes: Counter = Counter()

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        pipeline = cls(settings.get("NEWSDESK_DB"), settings.get("NEWSDESK_RUN_ID") or uuid.uuid4().hex[:12],
                       settings.get("NEWSDESK_MIRROR"), crawler.stats)
        # Signals carry the spider; spider_closed also carries the finish reason.
        crawler.signals.connect(pipeline.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def spider_opened(self, spider):
        self.db = store.open_db(self.db_file)
        source = spider.source
        store.save_source(self.db, source.key, source.name, source.lang, dataclasses.asdict(source))
        self.run_pk = store.start_run(self.db, self.run_id, source.key,
                                      spider.since.isoformat() if spider.since else None, self.mirror)

    def spider_closed(self, spider, reason):
        if self.db is None:
            return
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
        if isinstance(item, ArticleSeen):
            store.mark_checked(self.db, item.url)
            self.outcomes["skipped"] += 1
        elif isinstance(item, FetchFailure):
            store.record_error(self.db, self.run_pk, item.source, item.url, item.reason, item.detail)
        elif isinstance(item, ArticleItem):
            outcome = store.save_article(self.db, {**item.article, "source": item.source}, item.pages,
                                         vulnerabilities=item.vulnerabilities, citations=item.citations)
            self.outcomes[outcome] += 1
            self.stats.inc_value(f"newsdesk/articles_{outcome}")
            for warning in item.warnings:
                store.record_error(self.db, self.run_pk, item.source, item.article["url"], "rule", warning)
        return item
