"""Extraction of one fetched page, or of one stored article, as a job: pure, picklable in and out.

The spiders and `newsdesk reextract` run these in worker processes (crawler.workers) and fall back
to running them in their own process. Every expected failure comes back as a ``Failure`` (reason,
detail), never as an exception, so the caller records it against the source and URL and goes on.
"""

from __future__ import annotations

from dataclasses import dataclass

from crawler.extract.article import Article, ExtractError, extract_article, guess_lang
from crawler.extract.cvrf import CvrfError
from crawler.extract.decode import DecodeError, decode_html
from crawler.extract.msrc_release import release_from_stored
from crawler.sources import Source
from pipeline.store.articles import Digest, compress_body, decompress_page, digest

HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class Failure:
    reason: str          # short class: not-html, decode, extract
    detail: str


@dataclass
class Extracted:
    article: Article
    body_zlib: bytes     # the response body as the store keeps it (compressed here, off the reactor)
    digest: Digest       # the store's content hash and word index of the article's text, also computed here


def extract_page(body: bytes, content_type: str, url: str, source: Source, context: dict) -> Extracted | Failure:
    """An article page: its Article and compressed body, or why it has none."""
    if content_type and content_type.split(";")[0].strip().lower() not in HTML_TYPES:
        return Failure("not-html", f"expected an HTML page, got {content_type}")
    if body.lstrip()[:5] == b"%PDF-":
        return Failure("not-html", f"a PDF document served as {content_type or 'HTML'}")
    try:
        html, _encoding = decode_html(body, content_type)
        article = extract_article(html, url, source, context)
    except DecodeError as exc:
        return Failure("decode", str(exc))
    except ExtractError as exc:
        return Failure("extract", str(exc))
    except Exception as exc:  # noqa: BLE001 - a page must never vanish without a crawl_errors row
        return Failure("extract", f"{type(exc).__name__}: {exc}")
    return Extracted(article, compress_body(body), digest(article.title, article.lead, article.text))


@dataclass
class Reextracted:
    article: dict                        # the row for pipeline.store.save_article
    vulnerabilities: list[dict] | None   # an MSRC release's rows
    digest: Digest | None = None         # the article's digest (pipeline.store.articles), computed here


def reextract_article(row: dict, source: Source, pages: list[dict]) -> Reextracted | Failure:
    """A stored article (id, url, kind) extracted again from its stored pages (bodies compressed)."""
    pages = [decompress_page(page) for page in pages]
    try:
        if row["kind"] == "release":
            article, vulnerabilities, _warnings = release_from_stored(pages[0], source.tzinfo)
            return Reextracted({**article, "kind": "release"}, vulnerabilities)
        parts = [_extract_stored(page, row["url"], source) for page in pages]
    except DecodeError as exc:
        return Failure("decode", str(exc))
    except (ExtractError, CvrfError) as exc:
        return Failure("extract", str(exc))
    except Exception as exc:  # noqa: BLE001 - one bad stored page never ends the run
        return Failure("extract", f"{type(exc).__name__}: {exc}")
    first = parts[0]
    first.text = "\n\n".join(part.text for part in parts)
    result = {**first.as_row(), "url": row["url"], "kind": row["kind"]}
    if row["kind"] == "primary":
        result["lang"] = guess_lang(first.title + first.text)
    # Words are left to the store: an article extracted again is mostly unchanged and needs none.
    return Reextracted(result, None, digest(result["title"], result["lead"], result["text"], words=False))


def _extract_stored(page: dict, url: str, source: Source) -> Article:
    html, _ = decode_html(page["body"], page["headers"].get("Content-Type"))
    return extract_article(html, url, source, page["context"])
