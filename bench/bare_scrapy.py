"""Bare Scrapy: fetch a list of URLs with Scrapy's defaults, no extraction, no storage (the suite's baseline).

``python -m bench.bare_scrapy URLS_FILE`` (one URL a line) prints one JSON line
``{"pages", "bytes", "statuses", "seconds"}``. robots.txt is not read and nothing is parsed: this is
what Scrapy alone costs for the same pages from the same mirror.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

import scrapy
from scrapy.crawler import CrawlerProcess

SETTINGS = {"LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": False, "TELNETCONSOLE_ENABLED": False,
            "REMOTE_CONTROL_ENABLED": False, "COOKIES_ENABLED": False, "RETRY_ENABLED": False,
            "DOWNLOAD_MAXSIZE": 10 * 1024 * 1024}


class FetchOnly(scrapy.Spider):
    name = "fetch_only"

    def __init__(self, urls: list[str], tally: Counter, **kwargs):
        super().__init__(**kwargs)
        self.urls = urls
        self.tally = tally

    async def start(self):
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse, errback=self.failed, dont_filter=True)

    def parse(self, response):
        self.tally["pages"] += 1
        self.tally["bytes"] += len(response.body)
        self.tally[f"status_{response.status}"] += 1

    def failed(self, failure):
        self.tally["failed"] += 1


def fetch(urls: list[str]) -> dict:
    tally: Counter = Counter()
    process = CrawlerProcess(SETTINGS)
    process.crawl(FetchOnly, urls=urls, tally=tally)
    start = time.perf_counter()
    process.start()
    seconds = time.perf_counter() - start
    statuses = {key.removeprefix("status_"): n for key, n in tally.items() if key.startswith("status_")}
    return {"pages": tally["pages"], "bytes": tally["bytes"], "failed": tally["failed"], "statuses": statuses,
            "seconds": round(seconds, 4)}


def main() -> None:
    urls = Path(sys.argv[1]).read_text().split()
    print(json.dumps(fetch(urls)))


if __name__ == "__main__":
    main()
