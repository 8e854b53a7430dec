"""Downloader middlewares: the honest User-Agent, the address guard and the local mirror."""

from __future__ import annotations

import asyncio
import socket
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from scrapy import signals
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.useragent import UserAgentMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.response import response_status_message

from crawler import user_agent
from crawler.mirror import MIRROR_META, mirror_url, real_url_from_mirror
from crawler.urls import is_public_address

CONDITIONAL = "newsdesk_conditional"  # True: revalidate; RECORD_ONLY: fetch in full, keep the validators
RECORD_ONLY = "record"
REQUESTED_META = "newsdesk_requested_url"
RETRY_AFTER_CAP = 60.0
META_REFRESH_BYTES = 16384  # Scrapy reads a meta refresh in the first 4,096 characters: at most 16 KB


def real_url(request) -> str:
    """The real URL of a request, also when it was fetched from the mirror."""
    return request.meta.get(MIRROR_META, request.url)


def requested_url(request) -> str:
    """The URL the spider asked for, before any redirect (failures are recorded against it)."""
    chain = request.meta.get("redirect_urls") or []
    return request.meta.get(REQUESTED_META) or (chain[0] if chain else real_url(request))


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retries, waiting as long as a 429/503's Retry-After asks (up to RETRY_AFTER_CAP seconds)."""

    async def process_response(self, request, response):
        delay = _retry_after(response) if response.status in (429, 503) else None
        if delay is None or request.meta.get("dont_retry"):
            return super().process_response(request, response)
        if delay > RETRY_AFTER_CAP:
            return response  # too long to wait now: recorded as http-429/503, tried again next run
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await asyncio.sleep(delay)
        return retry


def _retry_after(response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(float(value.decode("latin-1").strip()), 0.0)
    except ValueError:
        return None  # an HTTP date: let Scrapy's own retry decide


class ContactUserAgentMiddleware(UserAgentMiddleware):
    """``newsdesk/VERSION (+NEWSDESK_CONTACT_URL)`` unless USER_AGENT is set explicitly."""

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        agent = settings.get("USER_AGENT")
        if not agent or agent.startswith("Scrapy/"):
            agent = user_agent(settings.get("NEWSDESK_CONTACT_URL"))
        return cls(agent)


class AddressGuardMiddleware:
    """Never fetch loopback, private, link-local or reserved addresses, except the configured mirror."""

    def __init__(self, mirror: str | None):
        self.mirror = mirror.rstrip("/") + "/" if mirror else None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("NEWSDESK_MIRROR"))

    def process_request(self, request):
        if self.mirror and request.url.startswith(self.mirror):
            return None
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https"):
            raise IgnoreRequest(f"blocked: only http(s) URLs are fetched, not {parts.scheme}:")
        host = parts.hostname or ""
        if not is_public_address(host) or (not self.mirror and not _resolves_public(host)):
            raise IgnoreRequest(f"blocked: {host} is a private, loopback or link-local address")
        return None


@lru_cache(maxsize=4096)
def _resolves_public(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return True  # unresolvable: the download itself fails and is recorded as a DNS error
    return all(is_public_address(info[4][0]) for info in infos)


class MirrorMiddleware:
    """Fetch every request from NEWSDESK_MIRROR; responses keep the real URL.

    Every other component (robots.txt, redirects, duplicate filter, per-domain slots) sees real URLs;
    only the transport goes to the mirror. Redirects inside the mirror are mapped back to real URLs.
    """

    def __init__(self, mirror: str | None):
        self.mirror = mirror.rstrip("/") if mirror else None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("NEWSDESK_MIRROR"))

    def process_request(self, request):
        if not self.mirror or request.url.startswith(self.mirror + "/"):
            return None
        meta = {**request.meta, MIRROR_META: request.url, "allow_offsite": True, "dont_obey_robotstxt": True,
                REQUESTED_META: request.meta.get(REQUESTED_META, request.url)}
        return request.replace(url=mirror_url(request.url, self.mirror), meta=meta, dont_filter=True)

    def process_response(self, request, response):
        real = request.meta.get(MIRROR_META)
        if not self.mirror or not real:
            return response
        location = response.headers.get("Location")
        if location is not None:
            target = urljoin(real, location.decode("latin-1"))  # relative to the page, not the mirror
            mapped = real_url_from_mirror(target, self.mirror) or target
            response.headers["Location"] = mapped.encode("latin-1")
        return _with_url(response, real)


def _with_url(response, url: str):
    """``response.replace(url=url)``, leaving the encoding as it was given (usually none: inferred
    when first asked). ``replace`` reads every attribute, and reading ``encoding`` infers it, which
    decodes the whole page on the reactor thread."""
    kwargs = {name: getattr(response, name) for name in response.attributes if name not in ("url", "encoding")}
    if isinstance(response, TextResponse):
        kwargs["encoding"] = response._encoding  # noqa: SLF001 - the one attribute replace() gets wrong here
    return response.__class__(url=url, **kwargs)


class HeadMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's meta-refresh redirects, read from the first 16 KB of the page.

    Scrapy's own decodes the whole page (``response.text``) to read its first 4,096 characters: on a
    crawl's main process, for every article whose extraction runs in a worker, that is time on the
    reactor thread and a decoded copy of the page held until the worker answers.
    """

    def process_response(self, request, response, spider=None):
        if not isinstance(response, HtmlResponse) or _no_refresh(response.body[:META_REFRESH_BYTES]):
            return response
        if len(response.body) <= META_REFRESH_BYTES:
            return super().process_response(request, response)
        head = HtmlResponse(url=response.url, status=response.status, headers=response.headers,
                            body=response.body[:META_REFRESH_BYTES], request=response.request,
                            encoding=response._encoding)  # noqa: SLF001 - None unless given: inferred from the head
        redirected = super().process_response(request, head)
        return response if redirected is head else redirected


def _no_refresh(head: bytes) -> bool:
    """True when the page's head cannot declare a refresh: the word is not in its bytes (w3lib rules
    one out the same way before decoding a page; an encoding such as UTF-16, whose text has NUL
    bytes, is decoded and read)."""
    return b"\x00" not in head and b"refresh" not in head.lower()


class ConditionalRequestMiddleware:
    """Revalidate requests marked ``meta[CONDITIONAL]`` with the ETag / Last-Modified stored last time
    (``RECORD_ONLY``: fetch in full, but keep the new validators for the next run).

    Validators live in the store's http_validators table and are saved only when the crawl finishes:
    after a crash, feeds and listings are read in full again, so no article they offered is lost.
    A 304 reaches the callback, which skips it.
    """

    def __init__(self, db_file: str):
        self.db_file = db_file
        self.validators: dict[str, dict] = {}
        self.received: dict[str, dict] = {}

    @classmethod
    def from_crawler(cls, crawler):
        middleware = cls(crawler.settings.get("NEWSDESK_DB"))
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider):
        from pipeline import store  # the store owns the schema

        db = store.open_db(self.db_file)
        self.validators = store.validators(db)
        db.close()

    def spider_closed(self, spider, reason):
        if reason != "finished" or not self.received or not getattr(spider, "keep_validators", True):
            return
        from pipeline import store

        db = store.open_db(self.db_file)
        with store.transaction(db):
            for url, values in self.received.items():
                store.save_validators(db, url, values["etag"], values["last_modified"], 200)
        db.close()

    def process_request(self, request):
        if request.meta.get(CONDITIONAL) in (None, False, RECORD_ONLY) or MIRROR_META in request.meta:
            return None
        known = self.validators.get(request.url)
        if known and known.get("etag"):
            request.headers.setdefault("If-None-Match", known["etag"])
        if known and known.get("last_modified"):
            request.headers.setdefault("If-Modified-Since", known["last_modified"])
        return None

    def process_response(self, request, response):
        if request.meta.get(CONDITIONAL) and response.status == 200:
            etag, last_modified = _header(response, "ETag"), _header(response, "Last-Modified")
            if etag or last_modified:
                self.received[real_url(request)] = {"etag": etag, "last_modified": last_modified}
        return response


def _header(response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


RESPONSES_READ = "newsdesk/responses_read"


class ReadCounterMiddleware:
    """Spider middleware counting the responses that reach a callback (a 2xx, or a 304 for a revalidated
    list): a run in which nothing could be read is a failed run, not a finished one."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_spider_input(self, response, spider=None) -> None:
        self.stats.inc_value(RESPONSES_READ)
