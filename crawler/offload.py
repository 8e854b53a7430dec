"""Extraction off the reactor thread: the spiders' side of the worker pool (crawler.workers).

``PageExtractor.extract`` runs ``crawler.extraction.extract_page`` in a worker process and lets the
reactor fetch and store other pages meanwhile; a page that takes longer than
NEWSDESK_EXTRACT_TIMEOUT seconds is given up (its worker is replaced) and becomes an ``extract``
failure of that URL. Without a pool (NEWSDESK_EXTRACT_WORKERS = 0, or no worker could start) the
page is extracted on the reactor thread, as before.

One pool serves every spider of a process: ``newsdesk crawl`` starts it before the reactor and hands
it to each spider (``pool=``); a spider started on its own (``scrapy crawl``, Scrapyd) starts one for
itself and closes it when it closes.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from crawler.extraction import Extracted, Failure, extract_page
from crawler.sources import Source
from crawler.workers import JobTimeout, PoolUnavailable, WorkerDied, WorkerPool

log = logging.getLogger(__name__)


def start_pool(settings) -> WorkerPool | None:
    """The extraction pool the settings ask for (None: extract in this process)."""
    workers = settings.getint("NEWSDESK_EXTRACT_WORKERS")
    if workers <= 0:
        return None
    timeout = settings.getfloat("NEWSDESK_EXTRACT_TIMEOUT") or None
    try:
        return WorkerPool(workers, timeout, preload=("crawler.extraction",))
    except Exception as exc:  # noqa: BLE001 - no processes or threads to be had: extract in-process
        log.warning("extraction stays in the crawl's process: the worker pool did not start (%s)", exc)
        return None


class PageExtractor:
    def __init__(self, pool: WorkerPool | None, timeout: float | None, owned: bool = False):
        self.pool, self.timeout, self.owned = pool, timeout, owned

    @classmethod
    def from_crawler(cls, crawler, pool: WorkerPool | None = None):
        """The shared pool when one is given, else one of the spider's own (closed with the spider)."""
        timeout = crawler.settings.getfloat("NEWSDESK_EXTRACT_TIMEOUT") or None
        if pool is not None:
            return cls(pool, timeout)
        extractor = cls(start_pool(crawler.settings), timeout, owned=True)
        crawler.signals.connect(extractor.close, signal=signals.spider_closed)
        return extractor

    def close(self) -> None:
        if self.owned and self.pool is not None:
            self.pool.close()

    async def extract(self, body: bytes, content_type: str, url: str, source: Source,
                      context: dict) -> Extracted | Failure:
        if self.pool is None or not self.pool.available:
            return extract_page(body, content_type, url, source, context)
        future = self.pool.submit(extract_page, body, content_type, url, source, context)
        try:
            return await maybe_deferred_to_future(_deferred(future))
        except PoolUnavailable:
            return extract_page(body, content_type, url, source, context)
        except JobTimeout:
            return Failure("extract", f"extraction took longer than {self.timeout:g} s: the page was given up")
        except WorkerDied as exc:
            return Failure("extract", f"extraction ended its worker process ({exc})")
        except Exception as exc:  # noqa: BLE001 - a page must never vanish without a crawl_errors row
            return Failure("extract", f"{type(exc).__name__}: {exc}")


def _deferred(future) -> Deferred:
    """A Deferred fired on the reactor thread when a concurrent.futures.Future (another thread's) is done."""
    from twisted.internet import reactor  # imported late: Scrapy chooses and installs the reactor

    deferred: Deferred = Deferred()

    def settle(done) -> None:
        error = done.exception()
        if error is not None:
            deferred.errback(error)
        else:
            deferred.callback(done.result())

    future.add_done_callback(lambda done: reactor.callFromThread(settle, done))
    return deferred
