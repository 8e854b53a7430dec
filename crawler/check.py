"""`newsdesk check SOURCE`: fetch one listing or article, live or from a mirror, and report what each
extraction rule of the source finds, so whoever fixes the registry entry sees which rule broke.

One polite request at a time: robots.txt is read first, the User-Agent is newsdesk's, private and
loopback addresses are refused unless they are the configured mirror.
"""

from __future__ import annotations

import re
import urllib.request
import urllib.robotparser
from dataclasses import asdict, dataclass
from urllib.parse import urljoin, urlsplit

from crawler import settings, user_agent
from crawler.extract.article import ExtractError, extract_article
from crawler.extract.decode import decode_html
from crawler.extract.feed import parse_feed
from crawler.extract.tree import Page, parse_html
from crawler.mirror import mirror_url
from crawler.sources import Source
from crawler.urls import canonical_url, is_public_address

RULES = ("title", "published", "modified", "author", "lead", "body", "next_page", "drop", "partial_markers",
         "links", "source_links")
EXPECTED = {"title", "published", "author", "lead", "body"}  # on every article page; the others are optional
TIMEOUT = 30
MAX_BYTES = 10 * 1024 * 1024


class CheckError(RuntimeError):
    pass


@dataclass
class RuleResult:
    rule: str
    selector: str
    matched: int          # elements the selector matched
    found: str            # the text (or attribute) of the first, shortened


def check(source: Source, url: str | None = None, mirror: str | None = None) -> dict:
    """What the source's rules find on ``url`` (default: the first article its first feed or listing offers)."""
    listing_url = None
    if url is None:
        listing_url = (source.feeds or source.listings or (None,))[0]
        if listing_url is None:
            raise CheckError(f"source {source.key} has no feed or listing to start from: give --url")
        listing_url = listing_url.format(page=1)
        url = first_article(source, listing_url, fetch(listing_url, mirror))
    body, content_type = fetch(url, mirror)
    html, _ = decode_html(body, content_type)
    results = [asdict(result) for result in rule_results(Page(parse_html(html)), source)]
    return {"source": source.key, "listing": listing_url, "url": url, "rules": results,
            "broken": [r["rule"] for r in results if not r["matched"] and r["rule"] in EXPECTED],
            "extracted": extracted(html, url, source)}


def extracted(html: str, url: str, source: Source) -> dict:
    """What the whole extraction (rules, then trafilatura for the rest) makes of the page."""
    try:
        article = extract_article(html, url, source)
    except ExtractError as exc:
        return {"error": str(exc)}
    return {"title": article.title, "published_at": article.published_at, "author": article.author,
            "body_status": article.body_status, "text_chars": len(article.text), "text": article.text[:200],
            "warnings": article.warnings}


def first_article(source: Source, listing_url: str, response: tuple[bytes, str | None]) -> str:
    body, _content_type = response
    if listing_url in source.feeds:
        entries, _ = parse_feed(body, listing_url, source.tzinfo)
        urls = [canonical_url(e.url, source.url_rewrites) for e in entries]
    else:
        html, _ = decode_html(body, _content_type)
        urls = [canonical_url(urljoin(listing_url, a.get("href", "")), source.url_rewrites)
                for a in parse_html(html).iter("a") if a.get("href") is not None]
    articles = [u for u in urls if source.is_article(u)]
    if not articles:
        raise CheckError(f"{listing_url} offers no URL matching {source.key}'s article_pattern "
                         "(the listing's layout or the pattern changed?)")
    return articles[0]


def rule_results(page: Page, source: Source) -> list[RuleResult]:
    results = []
    for rule in RULES:
        value = getattr(source.extract, rule)
        for selector in (value,) if isinstance(value, str) else value or ():
            css, _, attr = selector.partition("@")
            elements = page.select(css)
            found = ""
            if elements:
                found = elements[0].get(attr, "") if attr else page.joined(elements[0]).strip()
            results.append(RuleResult(rule, selector, len(elements), re.sub(r"\s+", " ", str(found))[:100]))
    return results


def fetch(url: str, mirror: str | None = None) -> tuple[bytes, str | None]:
    """One GET, after robots.txt allows it; through the mirror when one is given."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CheckError(f"{url} is not an http(s) URL")
    if not mirror and not is_public_address(parts.hostname):
        raise CheckError(f"{url}: {parts.hostname} is a private or loopback address")
    agent = user_agent(settings.NEWSDESK_CONTACT_URL)
    robots = urllib.robotparser.RobotFileParser()
    try:
        robots.parse(_get(f"{parts.scheme}://{parts.netloc}/robots.txt", mirror, agent)[0]
                     .decode("utf-8", "replace").splitlines())
    except CheckError:
        robots.parse([])  # no robots.txt: everything is allowed
    if not robots.can_fetch("newsdesk", url):
        raise CheckError(f"robots.txt of {parts.netloc} does not allow {url}")
    return _get(url, mirror, agent)


def _get(url: str, mirror: str | None, agent: str) -> tuple[bytes, str | None]:
    target = mirror_url(url, mirror) if mirror else url
    request = urllib.request.Request(target, headers={"User-Agent": agent})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - http(s) or the mirror
            return response.read(MAX_BYTES), response.headers.get("Content-Type")
    except (OSError, ValueError) as exc:
        raise CheckError(f"{url}: {exc}") from None
