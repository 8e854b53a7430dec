"""Scrapy's HTTP/1.1 download handler, keeping every connection it may reuse.

Scrapy caps the idle connections its pool keeps per host at CONCURRENT_REQUESTS_PER_DOMAIN (2
here). A crawl of the benchmark suite's mirror still had up to 8 connections to it open at once (a
connection goes back to the pool only once its response has been handed on, and by then the next
requests have started), so the pool closed most of those coming back: 1,227 connections were
opened and closed for 2,022 requests. Here the pool keeps up to CONCURRENT_REQUESTS idle
connections per host (8 connections for that crawl). It never opens a connection that a request
does not need, so a real site, fetched one request at a time under DOWNLOAD_DELAY, still sees one
or two.
"""

from __future__ import annotations

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler


class KeepAliveHTTP11DownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler):
        super().__init__(crawler)
        settings = crawler.settings
        self._pool.maxPersistentPerHost = max(settings.getint("CONCURRENT_REQUESTS"),
                                              settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))
