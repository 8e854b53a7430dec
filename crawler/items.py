"""What spiders hand to the store pipeline: a whole article, or a failure to record."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ArticleItem:
    source: str
    article: dict                 # the row for pipeline.store.save_article
    pages: list[dict]             # raw responses: url, status, headers, body, context
    warnings: list[str] = field(default_factory=list)


@dataclass
class FetchFailure:
    source: str
    url: str
    reason: str                   # short class: http-404, timeout, decode, extract, feed, ...
    detail: str = ""
