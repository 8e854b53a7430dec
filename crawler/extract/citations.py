"""Which links in a news article point to the official announcement (the primary source).

A link qualifies when it leaves the news site and at least one signal says it is official: an
official Japanese domain (.go.jp, .ac.jp, .lg.jp, …), a configured vendor domain, the publisher's
own list of sources (関連リンク), or link text or context such as 発表・お知らせ・プレスリリース.
Pure: links in, citations out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from crawler.extract.article import Link
from crawler.urls import canonical_url, is_public_address

OFFICIAL_SUFFIXES = (".go.jp", ".ac.jp", ".lg.jp", ".ed.jp", ".jpcert.or.jp", ".ipa.go.jp")
ANNOUNCEMENT_WORDS = re.compile(
    r"発表|お知らせ|プレスリリース|報道発表|報道資料|公表|公式|注意喚起|お詫び|ニュースリリース|告知|"
    r"セキュリティアドバイザリ|アドバイザリ|脆弱性情報|advisory|press release|announcement|security bulletin",
    re.I)
NEVER = re.compile(r"(^|\.)(twitter\.com|x\.com|facebook\.com|youtube\.com|instagram\.com|line\.me|"
                   r"linkedin\.com|google\.com|doubleclick\.net|amazon\.co\.jp|hatena\.ne\.jp)$")
MAX_CITATIONS = 5


@dataclass(frozen=True)
class Citation:
    url: str
    link_text: str
    signals: tuple[str, ...]

    def as_row(self) -> dict:
        return {"url": self.url, "link_text": self.link_text, "signals": list(self.signals)}


def find_citations(links: list[Link], news_domains: tuple[str, ...],
                   vendor_domains: tuple[str, ...] = ()) -> list[Citation]:
    """Primary-source candidates among an article's links, most signals first, at most MAX_CITATIONS."""
    found: dict[str, Citation] = {}
    for link in links:
        url = canonical_url(link.url)
        host = urlsplit(url).hostname or ""
        if url in found or not _eligible(host, news_domains):
            continue
        signals = _signals(host, link, vendor_domains)
        if signals:
            found[url] = Citation(url=url, link_text=link.text[:200], signals=signals)
    ranked = sorted(found.values(), key=lambda c: -len(c.signals))
    return ranked[:MAX_CITATIONS]


def _eligible(host: str, news_domains: tuple[str, ...]) -> bool:
    return bool(host) and is_public_address(host) and not NEVER.search(host) and \
        not any(_within(host, domain) for domain in news_domains)


def _signals(host: str, link: Link, vendor_domains: tuple[str, ...]) -> tuple[str, ...]:
    signals = [f"official-domain:{suffix}" for suffix in OFFICIAL_SUFFIXES if host.endswith(suffix)][:1]
    signals += [f"vendor:{domain}" for domain in vendor_domains if _within(host, domain)][:1]
    if link.listed:
        signals.append("publisher-source-list")
    if match := ANNOUNCEMENT_WORDS.search(link.text):
        signals.append(f"link-text:{match.group(0)}")
    elif match := ANNOUNCEMENT_WORDS.search(link.context):
        signals.append(f"context:{match.group(0)}")
    return tuple(signals)


def _within(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)
