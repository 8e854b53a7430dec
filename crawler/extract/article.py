"""The article page object: decoded HTML in, an ``Article`` out.

The page is parsed once (crawler/extract/tree.py). Per-source CSS rules (crawler/sources.toml,
``[KEY.extract]``) take precedence; trafilatura, on the same tree, fills in every field the rules
leave undefined, and is asked only for those (crawler/extract/generic.py). A rule that is defined
but matches nothing is reported in ``Article.warnings`` (for title, lead, body and date; author
and modified date are often absent) so a broken selector shows up as a source health problem.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from lxml.etree import XPath
from lxml.html import HtmlElement

from crawler.extract.dates import parse_date, western_years
from crawler.extract.tree import MAX_NESTING, ExtractError, Page, clean, element_text, parse_html
from crawler.sources import ExtractRules, Source

if TYPE_CHECKING:
    from crawler.extract.generic import GenericReading

__all__ = ["MAX_NESTING", "Article", "ExtractError", "Link", "element_text", "extract_article", "guess_lang"]

_JA_DATE_RE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
# 年 and the one character NFKC turns into it: a page with neither has no Japanese date to find.
_HAS_YEAR = XPath("boolean(//text()[contains(., '年') or contains(., '\uf98e')])")
_LINK_BLOCKS = ("p", "li", "div", "td", "dd")
CONTEXT_CHARS = 200
# What makes urljoin rewrite (or refuse) an absolute URL: no host, query, fragment, params, IPv6
# brackets, characters it removes.
_URL_SPECIAL = re.compile(r"^https?:///|[?#;\[\]\t\r\n]")


@dataclass
class Link:
    url: str
    text: str
    context: str = ""     # the text of the block the link sits in (for 発表・お知らせ signals)
    listed: bool = False  # in the publisher's own list of sources


@dataclass
class Article:
    url: str
    title: str
    text: str
    body_status: str = "full"           # 'full' | 'partial'
    published_at: str | None = None
    modified_at: str | None = None
    author: str | None = None
    lang: str | None = None
    lead: str | None = None
    feed_summary: str | None = None
    text_from_feed: bool = False         # the page had no body text: the text is its lead and the feed's summary
    highlights: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    canonical_url: str | None = None
    next_page_url: str | None = None
    warnings: list[str] = field(default_factory=list)

    def as_row(self) -> dict:
        return {"url": self.url, "title": self.title, "text": self.text, "body_status": self.body_status,
                "published_at": self.published_at, "modified_at": self.modified_at, "author": self.author,
                "lang": self.lang, "lead": self.lead, "feed_summary": self.feed_summary,
                "text_from_feed": self.text_from_feed,
                "highlights": self.highlights}


def extract_article(html: str, url: str, source: Source, feed_entry: dict | None = None) -> Article:
    """Extract one article page. ``feed_entry`` (title, summary, published) fills gaps."""
    feed_entry = feed_entry or {}
    rules = source.extract
    from crawler.extract.generic import GenericReading  # trafilatura: loaded where pages are extracted

    page = Page(parse_html(html))
    generic = GenericReading(page.root, url, html)
    warnings: list[str] = []
    title = _title(page, rules, generic, feed_entry, warnings)
    if not title:
        raise ExtractError("no title found on the page")
    body_el = _rule_element(page, rules.body, "body", warnings)
    partial = any(page.select_one(marker) is not None for marker in rules.partial_markers)
    lead = _rule_text(page, rules.lead, "lead", warnings)
    links = _article_links(page, rules, body_el, url) if source.follow_citations else []
    next_page = _rule_text(page, rules.next_page, "next_page", []) if rules.next_page else None
    page.drop(rules.drop)
    text = page.text(body_el) if body_el is not None else ("" if rules.body else generic.text)
    feed_summary = clean(feed_entry.get("summary") or "") or None
    from_feed = not text
    if from_feed:
        partial = True
        text = "\n\n".join(part for part in (lead, feed_summary) if part)
    if not text:
        raise ExtractError("no body text, lead or feed description on the page")
    published = (_rule_date(page, rules.published, source, "published", warnings)
                 or _meta_date(page, "article:published_time", source)
                 or feed_entry.get("published")
                 or _first_ja_date(page, source)  # Japanese pages put the date up front; htmldate may guess
                 or parse_date(generic.date, source.tzinfo))
    return Article(
        url=url, title=title, text=text, body_status="partial" if partial else "full",
        published_at=published,
        modified_at=(_rule_date(page, rules.modified, source, "modified", [])
                     or _meta_date(page, "article:modified_time", source)),
        author=_byline(_rule_text(page, rules.author, "author", []) or generic.author),
        lang=source.lang, lead=lead, feed_summary=feed_summary, text_from_feed=from_feed,
        highlights=_highlights(page, rules.highlights_heading),
        links=links,
        canonical_url=_canonical(page, url), warnings=warnings,
        next_page_url=urljoin(url, next_page) if next_page else None,
    )


def guess_lang(text: str) -> str:
    """'ja' when the text has kana or kanji, else 'en' (for pages of unknown language)."""
    return "ja" if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text[:2000]) else "en"


def _rule_match(page: Page, rule, name, warnings) -> tuple[HtmlElement | None, str | None]:
    """The element a rule selects (and the attribute it reads); a rule matching nothing is a warning."""
    if not rule:
        return None, None
    selector, _, attr = rule.partition("@")
    element = page.select_one(selector)
    if element is None:
        warnings.append(f"rule '{name}' ({rule}) matched nothing")
    return element, attr or None


def _rule_element(page: Page, rule, name, warnings) -> HtmlElement | None:
    return _rule_match(page, rule, name, warnings)[0]


def _rule_text(page: Page, rule, name, warnings) -> str | None:
    element, attr = _rule_match(page, rule, name, warnings)
    if element is None:
        return None
    value = element.get(attr) if attr else page.text(element)
    return clean(str(value)) or None if value else None


def _rule_date(page: Page, rule, source: Source, name, warnings) -> str | None:
    return parse_date(_rule_text(page, rule, name, warnings), source.tzinfo)


def _meta_date(page: Page, prop: str, source: Source) -> str | None:
    tag = page.find("meta", property=prop)
    return parse_date(tag.get("content"), source.tzinfo) if tag is not None else None


def _first_ja_date(page: Page, source: Source) -> str | None:
    if not _HAS_YEAR(page.root):
        return None
    match = _JA_DATE_RE.search(western_years(unicodedata.normalize("NFKC", page.joined(page.root))))
    return parse_date(match.group(0), source.tzinfo) if match else None


def _title(page: Page, rules: ExtractRules, generic: GenericReading, feed_entry: dict, warnings) -> str:
    title = _rule_text(page, rules.title, "title", warnings)
    if not title:
        title = next((c for c in _title_candidates(page, generic, feed_entry) if c and c.strip()), "")
    for pattern in rules.title_strip:
        title = re.sub(pattern, "", title)
    return clean(title)


def _title_candidates(page: Page, generic: GenericReading, feed_entry: dict) -> Iterator[str | None]:
    """og:title, trafilatura's title, the feed's, <title>: each looked at only if the one before is empty."""
    og = page.find("meta", property="og:title")
    readers: tuple[Callable[[], str | None], ...] = (
        lambda: og.get("content") if og is not None else None,
        lambda: generic.title,
        lambda: feed_entry.get("title"),
        lambda: _title_string(page),
    )
    return (read() for read in readers)


def _title_string(page: Page) -> str | None:
    """The <title> element's text when it is one piece of text (BeautifulSoup's ``soup.title.string``)."""
    element = page.find("title")
    return element.text if element is not None and len(element) == 0 else None


def _byline(text: str | None) -> str | None:
    """《宮原 玲》, （文：宮原 玲） -> 宮原 玲."""
    if not text:
        return None
    text = re.sub(r"^[《【（(\[]\s*(.*?)\s*[》】）)\]]$", r"\1", text.strip())
    return re.sub(r"^(文|記者|筆者)\s*[：:・]\s*", "", text) or None


def _highlights(page: Page, heading: str | None) -> list[str]:
    """The list items that follow a heading such as 「ポイント」 (the publisher's own summary)."""
    if not heading:
        return []
    label = re.compile(rf"^\s*[■●◆【]?\s*{re.escape(heading)}\s*[】]?\s*$")
    items = page.walk()
    for item in items:
        if type(item) is str and label.search(item):
            following = next((el for el in items if type(el) is not str and el.tag in ("ul", "ol")), None)
            if following is not None:
                texts = [page.joined(li) for li in following.iter("li") if li not in page.skipped]
                return [clean(text) for text in texts if text.strip()]
    return []


def _article_links(page: Page, rules: ExtractRules, body_el: HtmlElement | None, url: str) -> list[Link]:
    """The links where citations are looked for: read only for a source that follows its citations
    (nothing else reads them, and on a page without a body rule they are every link of the page)."""
    links = _links(page, _link_scopes(page, rules, body_el), url)
    return links + _links(page, [el for selector in rules.source_links for el in page.select(selector)], url,
                          listed=True)


def _link_scopes(page: Page, rules: ExtractRules, body_el: HtmlElement | None) -> list[HtmlElement]:
    if rules.links:
        return [element for selector in rules.links for element in page.select(selector)]
    return [body_el if body_el is not None else page.root]


def _links(page: Page, scopes: list[HtmlElement], base_url: str, listed: bool = False) -> list[Link]:
    links, contexts, urls = [], {}, {}
    for scope in scopes:
        for anchor in scope.iterdescendants("a"):
            href = anchor.get("href")
            if href is None or anchor in page.skipped:
                continue
            if href not in urls:
                urls[href] = _join(base_url, href.strip())
            if urls[href].startswith(("http://", "https://")):
                block = next(anchor.iterancestors(*_LINK_BLOCKS), None)
                if block is None:
                    block = anchor.getparent()
                if block not in contexts:
                    contexts[block] = page.text_head(block, CONTEXT_CHARS)
                links.append(Link(url=urls[href], text=clean(page.joined(anchor)), context=contexts[block],
                                  listed=listed))
    return links


def _join(base_url: str, href: str) -> str:
    """``urljoin(base_url, href)``, without its cost for the common absolute http(s) link."""
    if href.startswith(("http://", "https://")) and href.isascii() and not _URL_SPECIAL.search(href):
        return href  # urljoin gives back exactly such a URL (scheme, host, path: nothing it rewrites)
    return urljoin(base_url, href)


def _canonical(page: Page, base_url: str) -> str | None:
    for tag in page.root.iter("link"):
        if tag.get("href") is not None and "canonical" in (tag.get("rel") or "").split() \
                and tag not in page.skipped:
            return urljoin(base_url, tag.get("href"))
    return None
