"""Generic extraction (trafilatura) of the fields a source's rules leave open, each computed only when asked.

trafilatura reads the tree the rules read (it copies it before cleaning, so the tree stays whole).
The metadata is read piece by piece, in the order and with the functions of trafilatura's own
``extract_metadata``, but only the title, author and date, and each only once it is needed: a page
whose rules found the author never runs the byline search (trafilatura's, in a third of its time:
crawler.extract.byline), one whose date came from a rule, a meta tag, the feed or the page's
Japanese date never runs htmldate, and categories, tags, site name and licence are never read.

Only the processes that extract import this module (and trafilatura, htmldate, justext with it):
a crawl's own process, whose workers extract, never does (3.5 MiB less at its start).
"""

from __future__ import annotations

from functools import cached_property
from html import unescape

import trafilatura
from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import examine_meta, extract_meta_json, extract_title, extract_url
from trafilatura.settings import DEFAULT_CONFIG, Document, set_date_params
from trafilatura.utils import line_processing

from crawler.extract.byline import byline_author
from crawler.extract.tree import clean

# The text extraction: tables kept, comments not, recall over precision; ``fast`` skips the second
# opinion of readability/justext, and scores higher without it on the benchmark (F1 0.965 against
# 0.961 with it, bench/evaluate_extraction.py).
TEXT_OPTIONS = {"fast": True, "favor_recall": True, "include_comments": False, "include_tables": True}
_MAX_FIELD = 10000  # trafilatura's limit on a metadata field


class GenericReading:
    """trafilatura's reading of one page: text, title, author, date (empty when it finds none).

    ``html`` is the page the tree was parsed from: trafilatura refuses what does not look like HTML.
    """

    def __init__(self, tree: HtmlElement, url: str, html: str):
        self.tree, self.url = tree, url
        self.refused = not looks_like_html(html, tree)

    @cached_property
    def text(self) -> str:
        if self.refused:
            return ""
        document = trafilatura.bare_extraction(self.tree, url=self.url or None, **TEXT_OPTIONS)
        if document is None:
            return ""
        text = clean(document.text or "")
        first, _, rest = text.partition("\n")
        if self.title and first.strip() == self.title.strip():
            text = rest.strip()  # the headline is stored as the title, not repeated in the text
        return text

    @cached_property
    def _meta(self) -> Document:
        """The meta tags, overridden by JSON-LD (as ``extract_metadata`` begins)."""
        metadata = examine_meta(self.tree)
        if metadata.author and " " not in metadata.author:
            metadata.author = None
        try:
            metadata = extract_meta_json(self.tree, metadata)
        except Exception:  # noqa: BLE001 - trafilatura's own guard: its JSON-LD reader has bugs
            pass
        return metadata

    @cached_property
    def title(self) -> str | None:
        return None if self.refused else _trimmed(self._meta.title or extract_title(self.tree))

    @cached_property
    def author(self) -> str | None:
        return None if self.refused else _trimmed(self._meta.author or byline_author(self.tree))

    @cached_property
    def date(self) -> str | None:
        if self.refused:
            return None
        params = set_date_params(DEFAULT_CONFIG.getboolean("DEFAULT", "EXTENSIVE_DATE_SEARCH"))
        params["url"] = self._meta.url or extract_url(self.tree, self.url or None)
        return find_date(self.tree, **params)


def looks_like_html(html: str, root: HtmlElement) -> bool:
    """What trafilatura's ``load_html`` accepts: a page that says "html" early, or whose body, as
    ``lxml.html.fromstring`` would return it, has at least two elements (not JSON, a PDF, plain text)."""
    if "html" in html[:50].lower():
        return True
    body = root.find("body")
    if root.find("head") is not None or body is None:
        return len(root) >= 2
    if len(body) == 1 and not (body.text or "").strip() and not (body[0].tail or "").strip():
        return len(body[0]) >= 2
    return len(body) >= 2


def _trimmed(value: str | None) -> str | None:
    """As trafilatura's ``Document.clean_and_trim`` leaves a field."""
    if not value:
        return value
    if len(value) > _MAX_FIELD:
        value = value[:_MAX_FIELD - 1] + "…"
    return line_processing(unescape(value))
