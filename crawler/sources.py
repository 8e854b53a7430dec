"""Load and validate the source registry (crawler/sources.toml) into frozen dataclasses.

The registry is the single place where sources are declared. ``--sources FILE`` or the
``NEWSDESK_SOURCES`` environment variable replaces it as a whole.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta, timezone
from pathlib import Path

DEFAULT_REGISTRY = importlib.resources.files("crawler") / "sources.toml"  # also inside a zipped egg (Scrapyd)
ENV_VAR = "NEWSDESK_SOURCES"
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class RegistryError(ValueError):
    """The registry file is missing or one of its entries is invalid."""


@dataclass(frozen=True)
class ExtractRules:
    title: str | None = None
    published: str | None = None
    modified: str | None = None
    author: str | None = None
    lead: str | None = None
    body: str | None = None
    drop: tuple[str, ...] = ()
    partial_markers: tuple[str, ...] = ()
    title_strip: tuple[str, ...] = ()
    highlights_heading: str | None = None
    links: tuple[str, ...] = ()       # where cited links are (default: the body, else the whole page)
    source_links: tuple[str, ...] = ()  # the publisher's own list of sources (関連リンク): links there are cited
    next_page: str | None = None      # link to the article's next page (multi-page articles)


@dataclass(frozen=True)
class Source:
    key: str
    name: str
    lang: str
    article_pattern: str
    allowed_domains: tuple[str, ...]
    timezone: str = "+09:00"
    spider: str = "generic"
    feeds: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    max_listing_pages: int = 1
    revisit_hours: float = 24.0
    interval_hours: float | None = None   # how often `newsdesk run` crawls it (default: revisit_hours)
    history_days: int = 30
    follow_citations: bool = False
    url_rewrites: tuple[tuple[str, str], ...] = ()
    extract: ExtractRules = field(default_factory=ExtractRules)
    options: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def tzinfo(self) -> timezone:
        sign = -1 if self.timezone.startswith("-") else 1
        hours, minutes = self.timezone.lstrip("+-").split(":")
        return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))

    @property
    def interval(self) -> timedelta:
        """How long after a finished crawl the source is due again."""
        return timedelta(hours=self.revisit_hours if self.interval_hours is None else self.interval_hours)

    def is_article(self, url: str) -> bool:
        return re.match(self.article_pattern, url) is not None


# Cited official pages: no rules of their own, generic extraction, stored with kind 'primary'.
PRIMARY = Source(key="primary", name="Primary sources (cited pages)", lang="ja", article_pattern=r"^https?://",
                 allowed_domains=(), timezone="+09:00")

_STR_FIELDS = {"name", "lang", "timezone", "spider", "article_pattern"}
_LIST_FIELDS = {"feeds", "listings", "allowed_domains"}
_NUM_FIELDS = {"max_listing_pages": int, "revisit_hours": float, "history_days": int, "interval_hours": float}
# Largest sensible values (a century of history or revisits, 1,000 listing pages): finite, and within
# what dates can represent.
_NUM_LIMITS = {"max_listing_pages": 1000, "revisit_hours": 24 * 36500, "history_days": 36500,
               "interval_hours": 24 * 36500}
# Rules that are CSS selectors ("selector@attr" reads an attribute); title_strip holds regexes.
_SELECTOR_RULES = ("title", "published", "modified", "author", "lead", "body", "next_page", "drop",
                   "partial_markers", "links", "source_links")
_RULE_STR = {"title", "published", "modified", "author", "lead", "body", "highlights_heading", "next_page"}
_RULE_LIST = {"drop", "partial_markers", "title_strip", "links", "source_links"}


def registry_path(path: str | os.PathLike | None = None):
    """The registry in force: an explicit path, else $NEWSDESK_SOURCES, else the bundled file."""
    chosen = path or os.environ.get(ENV_VAR)
    return Path(chosen) if chosen else DEFAULT_REGISTRY


def load_sources(path: str | os.PathLike | None = None) -> dict[str, Source]:
    """Read and validate the registry; errors name the source key and the field."""
    file = registry_path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegistryError(f"source registry {file} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"source registry {file} is not valid TOML: {exc}") from None
    if not data:
        raise RegistryError(f"source registry {file} declares no sources")
    return {key: _parse_source(key, entry) for key, entry in data.items()}


def _fail(key: str, fieldname: str, problem: str) -> RegistryError:
    return RegistryError(f"source '{key}', field '{fieldname}': {problem}")


def _parse_source(key: str, entry: object) -> Source:
    if not KEY_RE.match(key):
        raise _fail(key, "key", "use lower-case letters, digits and _ only")
    if key == PRIMARY.key:
        raise _fail(key, "key", f"'{PRIMARY.key}' is reserved for the cited pages newsdesk stores itself")
    if not isinstance(entry, dict):
        raise _fail(key, "key", "must be a table")
    values: dict = {}
    for name, raw in entry.items():
        if name == "extract":
            values["extract"] = _parse_rules(key, raw)
        elif name == "options":
            values["options"] = _expect(key, name, raw, dict)
        elif name == "follow_citations":
            values[name] = _expect(key, name, raw, bool)
        elif name == "url_rewrites":
            values[name] = _rewrites(key, raw)
        elif name in _STR_FIELDS:
            values[name] = _expect(key, name, raw, str)
        elif name in _LIST_FIELDS:
            values[name] = _str_tuple(key, name, raw)
        elif name in _NUM_FIELDS:
            values[name] = _number(key, name, raw, _NUM_FIELDS[name])
        else:
            raise _fail(key, name, "unknown field")
    for required in ("name", "lang", "article_pattern", "allowed_domains"):
        if required not in values:
            raise _fail(key, required, "is required")
    _check_values(key, values)
    return Source(key=key, **values)


def _check_values(key: str, values: dict) -> None:
    try:
        re.compile(values["article_pattern"])
    except re.error as exc:
        raise _fail(key, "article_pattern", f"not a valid regular expression ({exc})") from None
    if not values["name"].strip():
        raise _fail(key, "name", "cannot be empty")
    if not re.fullmatch(r"[a-z]{2}", values["lang"]):
        raise _fail(key, "lang", f"write a two-letter language code (ja, en), not {values['lang']!r}")
    if not values["allowed_domains"] or not all(re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", d)
                                                for d in values["allowed_domains"]):
        raise _fail(key, "allowed_domains", "list the site's host names (news.example.jp)")
    zone = re.fullmatch(r"[+-](\d{2}):(\d{2})", values.get("timezone", "+00:00"))
    if not zone or int(zone.group(1)) > 14 or int(zone.group(2)) > 59:
        raise _fail(key, "timezone", "write it as +HH:MM, at most ±14:00")
    spider = values.get("spider", "generic")
    if not KEY_RE.match(spider) or importlib.util.find_spec(f"crawler.spiders.{spider}") is None:
        raise _fail(key, "spider", f"no spider module crawler/spiders/{spider}.py")
    for url in values.get("feeds", ()) + values.get("listings", ()):
        if not url.startswith(("http://", "https://")):
            raise _fail(key, "feeds/listings", f"{url!r} is not an http(s) URL")
    if not values.get("feeds") and not values.get("listings") and values.get("spider", "generic") == "generic":
        raise _fail(key, "feeds", "a generic source needs at least one feed or listing")


def _parse_rules(key: str, raw: object) -> ExtractRules:
    raw = _expect(key, "extract", raw, dict)
    values: dict = {}
    for name, value in raw.items():
        if name in _RULE_STR:
            values[name] = _expect(key, f"extract.{name}", value, str)
        elif name in _RULE_LIST:
            values[name] = _str_tuple(key, f"extract.{name}", value)
        else:
            raise _fail(key, f"extract.{name}", "unknown rule")
    for name in _SELECTOR_RULES:
        value = values.get(name)
        for selector in (value,) if isinstance(value, str) else value or ():
            _check_selector(key, f"extract.{name}", selector)
    for pattern in values.get("title_strip", ()):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise _fail(key, "extract.title_strip", f"{pattern!r} is not a valid regular expression ({exc})") from None
    return ExtractRules(**values)


def _check_selector(key: str, name: str, rule: str) -> None:
    """Compile a CSS rule (the part before "@attr") now, so a typo is an error at load, not on every page."""
    from crawler.css import SelectorInvalid, compile_selector  # only when a registry has rules: faster start

    try:
        compile_selector(rule.partition("@")[0])  # as extraction reads it
    except SelectorInvalid as exc:
        raise _fail(key, name, f"{rule!r} is not a valid CSS selector ({exc})") from None


def _expect(key: str, name: str, value: object, kind: type):
    if not isinstance(value, kind):
        raise _fail(key, name, f"must be a {kind.__name__}, got {type(value).__name__}")
    return value


def _str_tuple(key: str, name: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(key, name, "must be a list of strings")
    return tuple(value)


def _rewrites(key: str, value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list) or not all(
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, str) for v in pair) for pair in value):
        raise _fail(key, "url_rewrites", "must be a list of [pattern, replacement] pairs")
    for pattern, _ in value:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise _fail(key, "url_rewrites", f"{pattern!r} is not a valid regular expression ({exc})") from None
    return tuple((pattern, replacement) for pattern, replacement in value)


def _number(key: str, name: str, value: object, kind: type):
    limit = _NUM_LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or not 0 <= value <= limit:
        raise _fail(key, name, f"must be a number from 0 to {limit:g}, got {value!r}")
    return kind(value)
