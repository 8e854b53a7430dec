"""Hard evidence that an article belongs to a story: the MSRC monthly release it is about, and the
pages it cites, unless a cited page is a hub (a top page or listing many unrelated stories cite).

News names a release in several ways over the years, all meaning the same release:
``portal.msrc.microsoft.com/{lang}/security-guidance/releasenotedetail/{ID}`` (the legacy portal,
2018-2020), ``msrc.microsoft.com/update-guide/releaseNote/{ID}`` and ``…/update-guide/{lang}/releaseNote/{ID}``,
and in text 「2026年2月の月例パッチ」 or, without the year, 「2月のセキュリティ更新プログラム」 (the year
then comes from the article's date: a January article about 「12月の月例」 means December before).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone

import sqlite_utils

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
JST = timezone(timedelta(hours=9))
_RELEASE_LINK = re.compile(
    r"^https?://(?:portal\.msrc\.microsoft\.com/[a-z]{2}(?:-[a-z]{2})?/security-guidance/releasenotedetail/"
    r"|msrc\.microsoft\.com/update-guide/(?:[a-z]{2}-[a-z]{2}/)?releaseNote/)(?P<id>[^/?#]+)", re.IGNORECASE)
_RELEASE_ID = re.compile(r"^(\d{4})-([A-Za-z]{3})$")
_RELEASE_TEXT = re.compile(  # 「2月の月例パッチ」「2020年2月に公開されたセキュリティ更新」, not 「2月18日、…更新」
    r"(?:(?P<year>\d{4})\s*年\s*)?(?<!\d)(?P<month>\d{1,2})\s*月(?!\s*\d)[^。\n]{0,12}?"
    r"(?:月例|定例|セキュリティ(?:\s|・)?(?:更新|アップデート)|パッチ|Patch Tuesday)")

HUB_CITERS = 4          # a page cited by this many news articles ...
HUB_SPAN_DAYS = 21      # ... published over more than this many days is a hub, not evidence


def release_ids(article: dict, cited_urls: list[str]) -> list[str]:
    """The MSRC release ids (``2026-Feb``) an article is about, from its links first, then its text."""
    found = []
    for url in cited_urls:
        match = _RELEASE_LINK.match(url)
        if match:
            found.append(_link_release(match.group("id"), article["published_at"]))
    text = f"{article['title']} {article['lead'] or ''} {article['text'][:600]}"
    for match in _RELEASE_TEXT.finditer(text):
        found.append(_text_release(match, article["published_at"]))
    return list(dict.fromkeys(release for release in found if release))


def _link_release(link_id: str, published_at: str | None) -> str | None:
    match = _RELEASE_ID.match(link_id)
    if match and match.group(2).title() in MONTHS:
        return f"{match.group(1)}-{match.group(2).title()}"
    return latest_release(published_at)  # a legacy portal id names no month: the release just before the news


def _text_release(match: re.Match, published_at: str | None) -> str | None:
    month = int(match.group("month"))
    if not 1 <= month <= 12:
        return None
    if match.group("year"):
        return f"{match.group('year')}-{MONTHS[month - 1]}"
    day = _local_date(published_at)
    if day is None:
        return None
    year = day.year - 1 if month > day.month else day.year  # January news about December's release
    return f"{year}-{MONTHS[month - 1]}"


def latest_release(published_at: str | None) -> str | None:
    """The monthly release out by the article's date: the second Tuesday, one day later in Japan."""
    day = _local_date(published_at)
    if day is None:
        return None
    released = _second_tuesday(day.year, day.month) + timedelta(days=1)
    if day < released:
        day = day.replace(day=1) - timedelta(days=1)
    return f"{day.year}-{MONTHS[day.month - 1]}"


def _second_tuesday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(1 - first.weekday()) % 7 + 7)


def moment(published_at: str | None) -> datetime | None:
    """A stored ISO 8601 time as a datetime (None when missing or unreadable)."""
    try:
        return datetime.fromisoformat(published_at) if published_at else None
    except ValueError:
        return None


def _local_date(published_at: str | None) -> date | None:
    when = moment(published_at)
    if when is None:
        return None
    return (when.astimezone(JST) if when.tzinfo else when).date()


def hubs(db: sqlite_utils.Database, urls: list[str]) -> set[str]:
    """The cited URLs that are hubs: a site's top page, or a page many news articles over weeks cite."""
    found = {url for url in urls if re.fullmatch(r"https?://[^/]+/?(?:index\.html?)?", url)}
    if urls:
        marks = ",".join("?" for _ in urls)
        for url, citers, first, last in db.execute(
                f"SELECT l.cited_url, count(DISTINCT l.news_article_id), min(a.published_at), max(a.published_at) "
                f"FROM article_links l JOIN articles a ON a.id = l.news_article_id WHERE l.cited_url IN ({marks}) "
                "GROUP BY l.cited_url", urls):
            first_day, last_day = _local_date(first), _local_date(last)
            if citers >= HUB_CITERS and first_day and last_day and (last_day - first_day).days > HUB_SPAN_DAYS:
                found.add(url)
    return found


_IDENTIFIER = re.compile(r"(?<![A-Za-z0-9])(?:CVE-\d{4}-\d{4,7}|KB ?\d{6,8})(?!\d)", re.IGNORECASE)


def identifiers(article: dict) -> set[str]:
    """The CVE and KB numbers an article names (its opening): two stories about other ones are two stories."""
    text = f"{article['title']} {article.get('lead') or ''} {article['text'][:3000]}"
    return {re.sub(r"\s", "", match.upper()) for match in _IDENTIFIER.findall(text)}


def explain(evidence: str | None) -> str:
    """Why an article is in its story, in words (from story_articles.evidence)."""
    try:
        why = json.loads(evidence) if evidence else {}
    except ValueError:
        why = {}
    by = why.get("by")
    if by == "citation":
        return f"{why.get('relation', 'cites')} {why.get('url')}"
    if by == "release":
        return f"about the MSRC release {why.get('release')}"
    if by == "similar":
        shared = ", ".join(str(key).split(":", 1)[-1] for key in why.get("shared") or []) or "no rare terms"
        features = why.get("features") or {}
        said = f"similar to the story: score {why.get('score')} (model {why.get('model')}), shares {shared}"
        if "near_duplicate_of" in why:
            said += f"; near-duplicate of article {why['near_duplicate_of']}"
        if features.get("time_newest") is not None:
            said += f"; time closeness {features['time_newest']}"
        return said
    if by == "repair":
        return (f"its story {why.get('from_story')} was merged into this one by the repair pass "
                f"(score {why.get('score')})")
    if by == "near-duplicate":
        return f"near-duplicate of article {why.get('of')} (similarity {why.get('jaccard')})"
    if by == "new":
        return "started the story"
    if by == "editor":
        return f"an editor's {why.get('action')}"
    return "grouped before reasons were recorded"
