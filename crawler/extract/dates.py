"""Normalise the date forms the sources use to ISO 8601 with an offset."""

from __future__ import annotations

import re
import time
import unicodedata
from datetime import UTC, datetime, tzinfo

_JA_RE = re.compile(
    r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    r"(?:\s*[（(][^）)]*[）)])?"
    r"(?:\s*(?P<H>\d{1,2})\s*(?:時|:)\s*(?P<M>\d{1,2})\s*分?)?"
)
_NUMERIC_RE = re.compile(
    r"(?P<y>\d{4})[/.-](?P<m>\d{1,2})[/.-](?P<d>\d{1,2})(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2}))?"
)


_ERA_RE = re.compile(r"(令和|平成)\s*(\d{1,2}|元)\s*年(?:\s*[（(]\s*\d{4}\s*年\s*[）)])?")
_ERA_START = {"令和": 2018, "平成": 1988}


def western_years(text: str) -> str:
    """令和8年（2026年）11月20日 and 令和元年5月1日 -> 2026年11月20日, 2019年5月1日."""
    def replace(match: re.Match) -> str:
        number = 1 if match.group(2) == "元" else int(match.group(2))
        return f"{_ERA_START[match.group(1)] + number}年"
    return _ERA_RE.sub(replace, text)


def parse_date(value: str | None, tz: tzinfo) -> str | None:
    """ISO 8601 (with offset) for an ISO, Japanese (2019年3月5日（火） 08時15分) or numeric date.

    Naive dates are taken in the source's timezone. Returns None when nothing parses.
    """
    if not value:
        return None
    value = western_years(unicodedata.normalize("NFKC", value.strip()))
    parsed = _iso(value) or _pattern(_JA_RE, value) or _pattern(_NUMERIC_RE, value)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.isoformat(timespec="seconds")


def from_struct_time(value: time.struct_time | None, tz: tzinfo) -> str | None:
    """feedparser's parsed dates are UTC struct_time; show them in the source's timezone."""
    if value is None:
        return None
    return datetime(*value[:6], tzinfo=UTC).astimezone(tz).isoformat(timespec="seconds")


def _iso(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _pattern(regex: re.Pattern, value: str) -> datetime | None:
    match = regex.search(value)
    if not match:
        return None
    parts = match.groupdict()
    try:
        return datetime(int(parts["y"]), int(parts["m"]), int(parts["d"]),
                        int(parts["H"] or 0), int(parts["M"] or 0))
    except ValueError:
        return None
