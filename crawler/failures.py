"""Download failures as a short reason and a sentence, for crawl_errors.

An HTTP error status becomes ``http-NNN``. Other failures are named by the exception's class (and
the classes it was raised from: Scrapy wraps Twisted's errors), except for the exceptions Scrapy
reuses for several causes (IgnoreRequest, DownloadCancelledError), which are named by their message.
"""

from __future__ import annotations

from scrapy.exceptions import DownloadCancelledError, IgnoreRequest

# (text in the message, reason): IgnoreRequest and DownloadCancelledError, first match wins.
_BY_MESSAGE = [("robots.txt", "robots"),                       # RobotsTxtMiddleware
               ("max redirections", "redirect-loop"),          # RedirectMiddleware: over REDIRECT_MAX_TIMES
               ("download_maxsize", "too-large"),              # HttpCompressionMiddleware: decompressed size
               ("download max size", "too-large"),             # download handler: Content-Length or bytes read
               ("blocked:", "blocked")]                        # crawler.middlewares.AddressGuardMiddleware
# (text in a class name, lower case, reason): first match wins.
_BY_TYPE = [("dnslookup", "dns"), ("cannotresolvehost", "dns"), ("timeout", "timeout"), ("timedout", "timeout"),
            ("refused", "connection-refused"), ("dataloss", "truncated"), ("cancel", "cancelled"),
            ("filenotfound", "not-found"), ("ignorerequest", "ignored"), ("downloadfailed", "connection-lost"),
            ("responsefailed", "connection-lost"), ("neverreceived", "connection-lost"),
            ("connection", "connection-lost")]


DOWNLOAD_ERROR = "download-error"  # any other download failure; the detail names the exception
DOWNLOAD_REASONS = frozenset(label for _, label in _BY_MESSAGE + _BY_TYPE) | {DOWNLOAD_ERROR, "http-NNN"}


def classify(failure) -> tuple[str, str]:
    """A short reason and a sentence for a download failure."""
    exc = failure.value
    response = getattr(exc, "response", None)
    if response is not None:
        return f"http-{response.status}", f"server answered HTTP {response.status}"
    name = type(exc).__name__
    reason = None
    if isinstance(exc, (IgnoreRequest, DownloadCancelledError)):
        message = str(exc).lower()
        reason = next((label for marker, label in _BY_MESSAGE if marker in message), None)
    if reason is None:
        names = [type(e).__name__.lower() for e in _chain(exc)]
        reason = next((label for marker, label in _BY_TYPE if any(marker in n for n in names)), DOWNLOAD_ERROR)
    return reason, f"{name}: {exc}"[:500]


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and those it was raised from, outermost first."""
    chain: list[BaseException] = []
    while exc is not None and exc not in chain:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    return chain
