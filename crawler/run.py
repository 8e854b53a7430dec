"""Run spiders in this process (the Twisted reactor starts once per process)."""

from __future__ import annotations

import gc
import math
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.memory import map_big_blocks
from crawler.offload import start_pool
from crawler.sources import load_sources
from pipeline import store

MIRROR_SCHEMES = ("http://", "https://", "file://")


class CrawlInputError(ValueError):
    """A crawl option the user gave cannot be used (unknown source, bad mirror URL, bad --set pair)."""


def crawl(db_file: str, keys: Sequence[str] = (), *, mirror: str | None = None, since: str | None = None,
          sources_file: str | None = None, log_level: str = "WARNING", overrides: Iterable[str] = (),
          progress: bool = False) -> str:
    """Check the options, create or migrate the database, crawl; returns the run id."""
    known = load_sources(sources_file)
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise CrawlInputError(f"unknown source {', '.join(unknown)}; known: {', '.join(known)}")
    check_mirror(mirror)
    extra = parse_overrides(overrides)
    store.open_db(db_file).close()  # create and migrate before the spiders open it
    settings = crawl_settings(db_file, mirror=mirror, since=since, sources_file=sources_file,
                              log_level=log_level, extra={"NEWSDESK_PROGRESS": progress, **extra})
    return run_crawl(list(keys) or list(known), settings)


def check_mirror(mirror: str | None) -> None:
    if not mirror:
        return
    parts = urlsplit(mirror)
    if not mirror.startswith(MIRROR_SCHEMES):
        raise CrawlInputError("--mirror must be an http://, https:// or file:// URL")
    if parts.scheme == "file" and not Path(url2pathname(parts.path)).is_dir():
        raise CrawlInputError(f"--mirror {mirror}: the folder {url2pathname(parts.path)} does not exist")
    if parts.scheme != "file" and not parts.hostname:
        raise CrawlInputError(f"--mirror {mirror}: the URL names no host")


def parse_overrides(pairs: Iterable[str]) -> dict[str, str]:
    """NAME=VALUE pairs, each value checked against the type of the setting's default before Scrapy starts."""
    defaults = Settings()
    defaults.setmodule("crawler.settings")
    extra = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.isupper():
            raise CrawlInputError(f"--set takes NAME=VALUE with an upper-case Scrapy setting name, not {pair!r}")
        _check_type(name, value, defaults.get(name))
        extra[name] = value
    return extra


def _check_type(name: str, value: str, default) -> None:
    kind = type(default)
    try:
        if kind is bool:
            if value.lower() not in ("true", "false", "1", "0"):
                raise ValueError(value)
        elif kind in (int, float):
            number = float(value)
            if not math.isfinite(number) or number < 0:
                raise ValueError(value)
    except ValueError:
        wanted = "true or false" if kind is bool else "a non-negative number"
        raise CrawlInputError(f"--set {name}={value!r}: {name} takes {wanted}") from None


def crawl_settings(db: str, mirror: str | None = None, since: str | None = None,
                   sources_file: str | None = None, log_level: str = "WARNING",
                   extra: dict[str, str] | None = None) -> Settings:
    """Project settings, the newsdesk options, then `--set NAME=VALUE` pairs (highest priority)."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    overrides = {"NEWSDESK_DB": str(db), "NEWSDESK_SINCE": since, "NEWSDESK_RUN_ID": uuid.uuid4().hex[:12],
                 "LOG_LEVEL": log_level}
    if sources_file:
        overrides["NEWSDESK_SOURCES"] = str(sources_file)
    if mirror:
        # The mirror is a local copy: politeness delays protect real sites, not it.
        overrides.update(NEWSDESK_MIRROR=mirror, DOWNLOAD_DELAY=0, AUTOTHROTTLE_ENABLED=False,
                         RETRY_TIMES=1)
    settings.setdict({**overrides, **(extra or {})}, priority="cmdline")
    return settings


def run_crawl(keys: list[str], settings: Settings) -> str:
    """Crawl these sources (checked by crawl()) and return the run id shared by their crawl_runs rows."""
    map_big_blocks()
    pool = start_pool(settings)  # spawned before the reactor runs: the workers inherit none of it
    try:
        process = CrawlerProcess(settings)
        claimed: set[str] = set()  # cited pages are shared: one request even when two sources cite one page
        for key in keys:
            process.crawl(key, claimed=claimed, pool=pool)
        with _collecting_less():
            process.start()
    finally:
        if pool is not None:
            pool.close()
    return settings.get("NEWSDESK_RUN_ID")


@contextmanager
def _collecting_less() -> Iterator[None]:
    """While the reactor runs, the cycle collector leaves alone what start-up made (modules, settings,
    components) and runs a tenth as often: a 2,000-page crawl spent about 1 s of its process's CPU
    in it, 0.3-0.4 s so (measured with gc.callbacks). Cycles are still collected, and what follows
    the crawl in the same process (``newsdesk run`` drafts) finds the collector as it was."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(threshold[0] * 10, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
