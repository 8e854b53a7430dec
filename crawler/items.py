"""What spiders hand to the store pipeline: a whole article, or a failure to record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.store.articles import Digest


@dataclass
class ArticleItem:
    source: str
    article: dict                 # the row for pipeline.store.save_article
    pages: list[dict]             # raw responses: url, status, headers, body, context
    warnings: list[str] = field(default_factory=list)
    vulnerabilities: list[dict] | None = None   # an MSRC release's rows (pipeline.store schema)
    citations: list[dict] = field(default_factory=list)  # primary sources cited: url, link_text, signals
    digest: Digest | None = None  # the store's digest of the article's text, when a worker computed it


@dataclass
class FetchFailure:
    source: str
    url: str
    reason: str                   # short class: http-404, timeout, decode, extract, feed, ...
    detail: str = ""


@dataclass
class ArticleSeen:
    """A known article still current (not due for a revisit): only its last_checked_at changes."""
    url: str
