"""The article page object: decoded HTML in, an ``Article`` out.

Per-source CSS rules (crawler/sources.toml, ``[KEY.extract]``) take precedence; trafilatura fills
in every field the rules leave undefined. A rule that is defined but matches nothing is reported
in ``Article.warnings`` (for title, lead, body and date; author and modified date are often
absent) so a broken selector shows up as a source health problem.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urljoin

import trafilatura
from bs4 import BeautifulSoup, CData, NavigableString, Tag

from crawler.extract.dates import parse_date, western_years
from crawler.sources import ExtractRules, Source

BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
              "article", "blockquote", "pre", "dd", "dt", "dl", "header", "footer", "figure"}
ALWAYS_DROP = ("script", "style", "noscript", "template", "iframe")
_JA_DATE_RE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")


class ExtractError(ValueError):
    """The page has no usable article in it (no title, or no text at all)."""


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
    soup = BeautifulSoup(html, "lxml")
    for tag in soup.find_all(ALWAYS_DROP):
        tag.decompose()
    generic = _trafilatura(html, url)
    warnings: list[str] = []
    title = _title(soup, rules, generic, feed_entry, warnings)
    if not title:
        raise ExtractError("no title found on the page")
    body_el = _rule_element(soup, rules.body, "body", warnings)
    partial = any(soup.select_one(marker) for marker in rules.partial_markers)
    lead = _rule_text(soup, rules.lead, "lead", warnings)
    links = _links(_link_scopes(soup, rules, body_el), url)
    links += _links([el for selector in rules.source_links for el in soup.select(selector)], url, listed=True)
    next_page = _rule_text(soup, rules.next_page, "next_page", []) if rules.next_page else None
    for selector in rules.drop:
        for tag in soup.select(selector):
            tag.decompose()
    text = element_text(body_el) if body_el is not None else ("" if rules.body else generic.get("text", ""))
    feed_summary = _clean(feed_entry.get("summary") or "") or None
    from_feed = not text
    if from_feed:
        partial = True
        text = "\n\n".join(part for part in (lead, feed_summary) if part)
    if not text:
        raise ExtractError("no body text, lead or feed description on the page")
    published = (_rule_date(soup, rules.published, source, "published", warnings)
                 or _meta_date(soup, "article:published_time", source)
                 or feed_entry.get("published")
                 or _first_ja_date(soup, source)  # Japanese pages put the date up front; htmldate may guess
                 or parse_date(generic.get("date"), source.tzinfo))
    return Article(
        url=url, title=title, text=text, body_status="partial" if partial else "full",
        published_at=published,
        modified_at=(_rule_date(soup, rules.modified, source, "modified", [])
                     or _meta_date(soup, "article:modified_time", source)),
        author=_byline(_rule_text(soup, rules.author, "author", []) or generic.get("author")),
        lang=source.lang, lead=lead, feed_summary=feed_summary, text_from_feed=from_feed,
        highlights=_highlights(soup, rules.highlights_heading),
        links=links,
        canonical_url=_canonical(soup, url), warnings=warnings,
        next_page_url=urljoin(url, next_page) if next_page else None,
    )


def guess_lang(text: str) -> str:
    """'ja' when the text has kana or kanji, else 'en' (for pages of unknown language)."""
    return "ja" if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text[:2000]) else "en"


MAX_NESTING = 1000  # elements nested deeper than this are not an article: the page is refused
_TEXT_TYPES = (NavigableString, CData)  # what get_text() reads: not comments, scripts or styles
_CLOSE = object()


def element_text(element: Tag) -> str:
    """Readable text of an element: <br> and block elements become line breaks.

    One pass over the tree, in time linear in its size, without changing it. Raises ExtractError for
    elements nested deeper than MAX_NESTING.
    """
    parts: list[str] = []
    stack: list = [(element, 0)]
    while stack:
        node, depth = stack.pop()
        if node is _CLOSE:
            parts.append("\n\n")
        elif type(node) in _TEXT_TYPES:
            parts.append(str(node))
        elif isinstance(node, Tag):
            if depth > MAX_NESTING:
                raise ExtractError(f"elements nested deeper than {MAX_NESTING} levels")
            if node.name == "br":
                parts.append("\n")
                continue
            if node is not element and node.name in BLOCK_TAGS:
                parts.append("\n\n")
                stack.append((_CLOSE, depth))
            stack.extend((child, depth + 1) for child in reversed(node.contents))
    return _clean("".join(parts))


def _clean(text: str) -> str:
    # Runs of spaces collapse; an ideographic space inside a line is the publisher's own (kept).
    lines = [re.sub(r"[ \t\xa0]+", " ", line).strip(" \t\u3000\xa0") for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _trafilatura(html: str, url: str) -> dict:
    document = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                           include_tables=True, favor_recall=True)
    if document is None:
        return {}
    text = _clean(document.text or "")
    first, _, rest = text.partition("\n")
    if document.title and first.strip() == document.title.strip():
        text = rest.strip()  # the headline is stored as the title, not repeated in the text
    return {"text": text, "title": document.title, "date": document.date, "author": document.author}


def _select(soup: BeautifulSoup, rule: str) -> tuple[Tag | None, str | None]:
    selector, _, attr = rule.partition("@")
    return soup.select_one(selector), attr or None


def _rule_match(soup, rule, name, warnings) -> tuple[Tag | None, str | None]:
    """The element a rule selects (and the attribute it reads); a rule matching nothing is a warning."""
    if not rule:
        return None, None
    element, attr = _select(soup, rule)
    if element is None:
        warnings.append(f"rule '{name}' ({rule}) matched nothing")
    return element, attr


def _rule_element(soup, rule, name, warnings) -> Tag | None:
    return _rule_match(soup, rule, name, warnings)[0]


def _rule_text(soup, rule, name, warnings) -> str | None:
    element, attr = _rule_match(soup, rule, name, warnings)
    if element is None:
        return None
    value = element.get(attr) if attr else element_text(element)
    return _clean(str(value)) or None if value else None


def _rule_date(soup, rule, source: Source, name, warnings) -> str | None:
    return parse_date(_rule_text(soup, rule, name, warnings), source.tzinfo)


def _meta_date(soup, prop: str, source: Source) -> str | None:
    tag = soup.find("meta", attrs={"property": prop})
    return parse_date(tag.get("content"), source.tzinfo) if tag else None


def _first_ja_date(soup, source: Source) -> str | None:
    match = _JA_DATE_RE.search(western_years(unicodedata.normalize("NFKC", soup.get_text(" "))))
    return parse_date(match.group(0), source.tzinfo) if match else None


def _title(soup, rules: ExtractRules, generic: dict, feed_entry: dict, warnings) -> str:
    title = _rule_text(soup, rules.title, "title", warnings)
    if not title:
        og = soup.find("meta", attrs={"property": "og:title"})
        candidates = [og.get("content") if og else None, generic.get("title"), feed_entry.get("title"),
                      soup.title.string if soup.title else None]
        title = next((c for c in candidates if c and c.strip()), "")
    for pattern in rules.title_strip:
        title = re.sub(pattern, "", title)
    return _clean(title)


def _byline(text: str | None) -> str | None:
    """《宮原 玲》, （文：宮原 玲） -> 宮原 玲."""
    if not text:
        return None
    text = re.sub(r"^[《【（(\[]\s*(.*?)\s*[》】）)\]]$", r"\1", text.strip())
    return re.sub(r"^(文|記者|筆者)\s*[：:・]\s*", "", text) or None


def _highlights(soup, heading: str | None) -> list[str]:
    """The list items that follow a heading such as 「ポイント」 (the publisher's own summary)."""
    if not heading:
        return []
    for label in soup.find_all(string=re.compile(rf"^\s*[■●◆【]?\s*{re.escape(heading)}\s*[】]?\s*$")):
        following = label.find_next(["ul", "ol"])
        if following is not None:
            return [_clean(li.get_text(" ")) for li in following.find_all("li") if li.get_text(strip=True)]
    return []


def _link_scopes(soup, rules: ExtractRules, body_el: Tag | None) -> list[Tag]:
    if rules.links:
        return [element for selector in rules.links for element in soup.select(selector)]
    return [body_el if body_el is not None else soup]


def _links(scopes: list[Tag], base_url: str, listed: bool = False) -> list[Link]:
    links = []
    for scope in scopes:
        for anchor in scope.find_all("a", href=True):
            href = urljoin(base_url, anchor["href"].strip())
            if href.startswith(("http://", "https://")):
                block = anchor.find_parent(["p", "li", "div", "td", "dd"]) or anchor.parent
                links.append(Link(url=href, text=_clean(anchor.get_text(" ")),
                                  context=_clean(block.get_text(" "))[:200] if block else "", listed=listed))
    return links


def _canonical(soup, base_url: str) -> str | None:
    tag = soup.find("link", rel="canonical", href=True)
    return urljoin(base_url, tag["href"]) if tag else None
