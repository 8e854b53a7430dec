"""Run spiders in this process (the Twisted reactor starts once per process)."""

from __future__ import annotations

import uuid

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.sources import load_sources


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
    """Crawl the given sources (all when empty) and return the run id shared by their crawl_runs rows."""
    sources = load_sources(settings.get("NEWSDESK_SOURCES"))
    unknown = [key for key in keys if key not in sources]
    if unknown:
        raise KeyError(f"unknown source {', '.join(unknown)} (known: {', '.join(sources)})")
    process = CrawlerProcess(settings)
    claimed: set[str] = set()  # cited pages are shared: one request even when two sources cite one page
    for key in keys or list(sources):
        process.crawl(key, claimed=claimed)
    process.start()
    return settings.get("NEWSDESK_RUN_ID")
