"""A local news site for the benchmark suite, built from the public article-extraction benchmark pages.

``build_site(out_dir, pages=2000)`` writes a directory in the mirror's wget layout
(``OUT/HOST/PATH``, served by ``python -m crawler.mirror OUT``) holding ``pages`` article pages
``https://news.bench.example/a/00000.html`` …: the benchmark's 181 real pages (decompressed from
``../shared/bench/article-extraction-benchmark/html/*.html.gz``, read in place), replicated under
distinct URLs (hard links where the file system allows, so 2,000 pages cost the disk 181). Beside
them: an RSS 2.0 feed of the newest articles, listing pages ``/list/?page=N`` (newest first, each
linking the next), a robots.txt, and ``OUT/sources.toml``, a registry with the one source
``bench_site`` that newsdesk's generic spider crawls through the mirror. Nothing is copied into
the repository.
"""

from __future__ import annotations

import gzip
import math
import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT.parent / "shared" / "bench" / "article-extraction-benchmark"
HOST = "news.bench.example"
SOURCE_KEY = "bench_site"
FEED_PATH = "/feed.xml"
LISTING_PATH = "/list/"
FEED_ENTRIES = 50
PER_LISTING = 100
MAX_PAGES = 99_999           # article numbers have five digits
FIRST_PUBLISHED = datetime(2026, 1, 1, tzinfo=UTC)


class SiteError(RuntimeError):
    """The benchmark pages are missing, or the site cannot be built as asked."""


@dataclass
class SiteInfo:
    root: Path                      # serve this directory with crawler.mirror
    sources_file: Path              # the registry holding SOURCE_KEY
    pages: int
    article_urls: list[str]         # real URLs, article 0 first
    distinct_files: list[Path]      # one file per distinct benchmark page (the replicas share their bytes)
    listing_pages: int
    feed_url: str = f"https://{HOST}{FEED_PATH}"
    listing_template: str = f"https://{HOST}{LISTING_PATH}?page={{page}}"
    article_bytes: int = 0          # sum of the article pages' sizes, as served
    source_key: str = SOURCE_KEY

    def mirror_urls(self, mirror: str) -> list[str]:
        """The article URLs as fetched from an HTTP mirror (what a bare fetcher requests)."""
        base = mirror.rstrip("/")
        return [f"{base}/{HOST}{url.removeprefix('https://' + HOST)}" for url in self.article_urls]

    def as_dict(self) -> dict:
        return {"root": str(self.root), "sources_file": str(self.sources_file), "pages": self.pages,
                "distinct_pages": len(self.distinct_files), "listing_pages": self.listing_pages,
                "feed_url": self.feed_url, "listing_template": self.listing_template,
                "article_bytes": self.article_bytes, "host": HOST, "source": self.source_key}


def benchmark_pages(bench_dir: Path = BENCH_DIR) -> list[Path]:
    """The benchmark's compressed pages, in a fixed order."""
    files = sorted((Path(bench_dir) / "html").glob("*.html.gz"))
    if not files:
        raise SiteError(f"no benchmark pages in {Path(bench_dir) / 'html'}: the public article-extraction "
                        "benchmark must sit next to the repository (../shared/bench/article-extraction-benchmark)")
    return files


def build_site(out_dir: str | os.PathLike, pages: int = 2000, *, bench_dir: Path = BENCH_DIR,
               per_listing: int = PER_LISTING) -> SiteInfo:
    """Write the site into out_dir (emptied first) and return what the suite needs to crawl it."""
    if not 1 <= pages <= MAX_PAGES:
        raise SiteError(f"pages must be between 1 and {MAX_PAGES}, not {pages}")
    if per_listing < 1:
        raise SiteError(f"per_listing must be at least 1, not {per_listing}")
    sources = benchmark_pages(bench_dir)
    out = Path(out_dir)
    if out.exists():
        shutil.rmtree(out)
    site = out / HOST
    (site / "a").mkdir(parents=True)
    distinct = _write_articles(site, sources, pages)
    urls = [article_url(number) for number in range(pages)]
    listing_pages = _write_listings(site, urls, per_listing)
    (site / "feed.xml").write_text(feed_xml(urls), encoding="utf-8")
    (site / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="ascii")
    registry = out / "sources.toml"
    registry.write_text(registry_toml(listing_pages), encoding="utf-8")
    size = sum(article_file(site, number).stat().st_size for number in range(pages))
    return SiteInfo(root=out, sources_file=registry, pages=pages, article_urls=urls, distinct_files=distinct,
                    listing_pages=listing_pages, article_bytes=size)


def article_url(number: int) -> str:
    return f"https://{HOST}/a/{number:05d}.html"


def article_file(site: Path, number: int) -> Path:
    return site / "a" / f"{number:05d}.html"


def published_at(number: int) -> datetime:
    """Article n is an hour newer than article n-1 (all in the past, so none is due again soon)."""
    return FIRST_PUBLISHED + timedelta(hours=number)


def _write_articles(site: Path, sources: list[Path], pages: int) -> list[Path]:
    """Pages 0..len(sources)-1 are the benchmark's pages; the rest link to them in turn."""
    distinct: list[Path] = []
    for number in range(pages):
        target = article_file(site, number)
        if number < len(sources):
            target.write_bytes(gzip.decompress(sources[number].read_bytes()))
            distinct.append(target)
        else:
            _replicate(distinct[number % len(sources)], target)
    return distinct


def _replicate(original: Path, target: Path) -> None:
    try:
        os.link(original, target)
    except OSError:  # a file system without hard links
        shutil.copyfile(original, target)


def _write_listings(site: Path, urls: list[str], per_listing: int) -> int:
    newest_first = urls[::-1]
    count = math.ceil(len(urls) / per_listing)
    folder = site / LISTING_PATH.strip("/")
    folder.mkdir(parents=True, exist_ok=True)
    for page in range(1, count + 1):
        chunk = newest_first[(page - 1) * per_listing:page * per_listing]
        html = listing_html(chunk, page, has_next=page < count)
        (folder / f"index.html?page={page}").write_text(html, encoding="utf-8")
    return count


def listing_html(urls: list[str], page: int, has_next: bool) -> str:
    items = "\n".join(f'<li><a href="{escape(url)}">Article {escape(url.rsplit("/", 1)[1])}</a></li>'
                      for url in urls)
    next_link = f'<a class="next" href="{LISTING_PATH}?page={page + 1}">next</a>' if has_next else ""
    return (f"<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Articles, page {page}"
            f"</title></head>\n<body><h1>Articles</h1><ul>\n{items}\n</ul>{next_link}</body></html>\n")


def feed_xml(urls: list[str]) -> str:
    newest = list(enumerate(urls))[::-1][:FEED_ENTRIES]
    items = "\n".join(
        f"<item><title>Article {number:05d}</title><link>{escape(url)}</link>"
        f"<pubDate>{format_datetime(published_at(number))}</pubDate></item>"
        for number, url in newest)
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>Benchmark news</title><link>https://{HOST}/</link><description>bench</description>\n"
            f"{items}\n</channel></rss>\n")


def registry_toml(listing_pages: int) -> str:
    pattern = "^https://" + re.escape(HOST) + r"/a/\d{5}\.html$"
    return (f"# Written by bench/site.py: the benchmark suite's local site, crawled through the mirror.\n"
            f"[{SOURCE_KEY}]\nname = \"Benchmark site\"\nlang = \"en\"\ntimezone = \"+00:00\"\n"
            f"feeds = [\"https://{HOST}{FEED_PATH}\"]\n"
            f"listings = [\"https://{HOST}{LISTING_PATH}?page={{page}}\"]\n"
            f"max_listing_pages = {max(listing_pages, 1)}\n"
            f"article_pattern = '{pattern}'\nallowed_domains = [\"{HOST}\"]\n"
            "revisit_hours = 8760\nhistory_days = 3650\n")
