"""A Scrapy stats collector that also writes each crawl's stats to a JSON-lines file.

The suite runs ``newsdesk crawl --set STATS_CLASS=bench.crawlstats.FileStatsCollector`` with
``NEWSDESK_BENCH_STATS=FILE``: when a spider closes, one line ``{"spider", "stats"}`` is appended,
so requests and bytes of a run are read from Scrapy's own counters, not from its log.
"""

from __future__ import annotations

import json
import os
from datetime import datetime

from scrapy.statscollectors import MemoryStatsCollector

ENV_VAR = "NEWSDESK_BENCH_STATS"


class FileStatsCollector(MemoryStatsCollector):
    def _persist_stats(self, stats, *args) -> None:
        super()._persist_stats(stats, *args)
        path = os.environ.get(ENV_VAR)
        if not path:
            return
        spider = getattr(self._crawler, "spider", None)
        line = {"spider": getattr(spider, "name", None), "stats": {k: _plain(v) for k, v in stats.items()}}
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def read_stats(path: str | os.PathLike) -> list[dict]:
    """The lines written so far (one per closed spider)."""
    try:
        with open(path, encoding="utf-8") as lines:
            return [json.loads(line) for line in lines if line.strip()]
    except FileNotFoundError:
        return []
