"""The crawl with its extraction worker pool and batched store (issue 11): the same articles as
extraction in the crawl's own process; a page whose extraction hangs or fails is recorded against its
source and URL while the others are stored; a crawl killed mid-run leaves no half-written rows, its
workers do not outlive it, and the next run completes the work."""

from __future__ import annotations

import gc
import hashlib
import os
import subprocess
import sys
import time
import uuid
import zlib
from pathlib import Path

import pytest
import sqlite_utils

from conftest import DEMO_SITE, ROOT, MirrorServer, kill_when, run_newsdesk
from crawler.run import _collecting_less

HOST = "pool.example.jp"


def snapshot(db_file: Path) -> dict:
    """What a crawl stored, by URL: articles, their raw pages (bodies decompressed), links, errors."""
    db = sqlite_utils.Database(db_file)
    urls = {row["id"]: row["url"] for row in db.query("SELECT id, url FROM articles")}
    return {
        "articles": {r["url"]: (r["source"], r["title"], r["content_hash"], r["kind"], r["version"],
                                r["body_status"], r["published_at"], r["lead"], r["author"])
                     for r in db.query("SELECT * FROM articles")},
        "pages": {(r["url"], urls[r["article_id"]], r["page"], hashlib.sha1(zlib.decompress(r["body_zlib"])).digest())
                  for r in db.query("SELECT * FROM raw_pages")},
        "links": {(urls[r["news_article_id"]], r["cited_url"], urls.get(r["cited_article_id"]))
                  for r in db.query("SELECT * FROM article_links")},
        "errors": {(r["source"], r["reason"], r["url"]) for r in db.query("SELECT * FROM crawl_errors")},
    }


@pytest.fixture(scope="module")
def demo_mirror(tmp_path_factory):
    server = MirrorServer(DEMO_SITE, tmp_path_factory.mktemp("mirror") / "requests.jsonl")
    yield server.url
    server.stop()


def test_the_pool_stores_the_same_articles_as_extraction_in_process(tmp_path, demo_mirror):
    stored = {}
    for workers in (2, 0):
        db_file = tmp_path / f"workers-{workers}.db"
        result = run_newsdesk("crawl", "--mirror", demo_mirror, "--since", "2000-01-01",
                              "--set", f"NEWSDESK_EXTRACT_WORKERS={workers}", db=db_file)
        assert result.returncode == 0, result.stderr
        stored[workers] = snapshot(db_file)
    assert len(stored[0]["articles"]) > 10 and stored[0]["links"]
    assert stored[2] == stored[0]


def site(root: Path, articles: int, delay: float = 0.0, huge: bool = False) -> Path:
    """A source of `articles` small pages (and, with `huge`, a page too big to extract in time and one
    with no article in it) linked from one feed; returns its registry file."""
    host = root / HOST
    (host / "a").mkdir(parents=True)
    pages = {f"{n}.html": (f'<html><head><meta charset="utf-8"></head><body><h1 class="title">記事{n}</h1>'
                           f'<div class="body"><p>架空の組織{n}で不正アクセスが確認された。</p></div></body></html>')
             for n in range(1, articles + 1)}
    if huge:
        paragraph = "<p>" + "本文の段落です。" * 20 + "</p>\n"  # 9 MB (under DOWNLOAD_MAXSIZE): about 1.5 s to extract
        head = '<html><head><meta charset="utf-8"></head>'
        body = f'<div class="body">{paragraph * 19000}</div>'
        pages["huge.html"] = f'{head}<body><h1 class="title">巨大</h1>{body}</body></html>'
        pages["empty.html"] = '<html><head><meta charset="utf-8"></head><body><script>x()</script></body></html>'
    items = []
    for name, html in pages.items():
        (host / "a" / name).write_text(html, encoding="utf-8")
        if delay:
            (host / "a" / f"{name}.headers").write_text(f"X-Mirror-Delay: {delay}\n")
        items.append(f"<item><title>{name}</title><link>https://{HOST}/a/{name}</link></item>")
    (host / "feed.rdf").write_text('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                                   f'<title>pool</title>{"".join(items)}</channel></rss>', encoding="utf-8")
    registry = root / "pool.toml"
    registry.write_text(f'[pool]\nname = "Pool News"\nlang = "ja"\nfeeds = ["https://{HOST}/feed.rdf"]\n'
                        f"article_pattern = '^https://pool\\.example\\.jp/a/\\w+\\.html$'\n"
                        f'allowed_domains = ["{HOST}"]\n[pool.extract]\ntitle = "h1.title"\nbody = "div.body"\n',
                        encoding="utf-8")
    return registry


def test_a_page_whose_extraction_hangs_or_fails_is_recorded_and_the_others_are_stored(tmp_path):
    registry = site(tmp_path / "site", 6, huge=True)
    server = MirrorServer(tmp_path / "site", tmp_path / "requests.jsonl")
    try:
        result = run_newsdesk("--sources", str(registry), "crawl", "--mirror", server.url, "--json",
                              "--set", "NEWSDESK_EXTRACT_WORKERS=2", "--set", "NEWSDESK_EXTRACT_TIMEOUT=0.5",
                              db=tmp_path / "trouble.db")
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    db = sqlite_utils.Database(tmp_path / "trouble.db")
    assert {r["url"] for r in db.query("SELECT url FROM articles")} == {f"https://{HOST}/a/{n}.html"
                                                                        for n in range(1, 7)}
    errors = {r["url"]: (r["source"], r["reason"], r["detail"]) for r in db.query("SELECT * FROM crawl_errors")}
    assert errors.keys() == {f"https://{HOST}/a/huge.html", f"https://{HOST}/a/empty.html"}
    source, reason, detail = errors[f"https://{HOST}/a/huge.html"]
    assert (source, reason) == ("pool", "extract") and "took longer than 0.5 s" in detail
    assert errors[f"https://{HOST}/a/empty.html"][:2] == ("pool", "extract")
    assert db["raw_pages"].count == 6  # nothing stored for either
    assert "huge.html" in result.stdout and "took longer than 0.5 s" in result.stdout


def processes_with(tag: str) -> list[int]:
    """Processes whose environment holds the tag (the crawl and the workers it spawned)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and tag.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def committed_articles(db_file: Path) -> int:
    try:
        db = sqlite_utils.Database(db_file)
        return db.execute("SELECT count(*) FROM articles").fetchone()[0]
    except Exception:  # noqa: BLE001 - not created or not migrated yet
        return 0


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc to find the workers")
def test_a_crawl_killed_mid_batch_leaves_whole_articles_no_workers_and_the_next_run_completes(tmp_path):
    registry = site(tmp_path / "site", 60, delay=0.05)
    server = MirrorServer(tmp_path / "site", tmp_path / "requests.jsonl")
    killed_db, clean_db = tmp_path / "killed.db", tmp_path / "clean.db"
    tag = f"NEWSDESK_POOL_TEST={uuid.uuid4().hex}"
    env = {**os.environ, "NEWSDESK_DB": str(killed_db), tag.split("=")[0]: tag.split("=")[1]}
    batch = ("--set", "NEWSDESK_STORE_BATCH=7", "--set", "NEWSDESK_STORE_BATCH_SECONDS=60",
             "--set", "NEWSDESK_EXTRACT_WORKERS=2")
    try:
        crawl = subprocess.Popen([sys.executable, "-m", "pipeline", "--sources", str(registry), "crawl",
                                  "--mirror", server.url, *batch], cwd=ROOT, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        kill_when(crawl, lambda: committed_articles(killed_db) > 0, "no batch committed", 60)
        deadline = time.monotonic() + 15
        while processes_with(tag) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert processes_with(tag) == [], "extraction workers outlived the killed crawl"

        db = sqlite_utils.Database(killed_db)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
        stored = db["articles"].count
        assert 1 <= stored < 60 and stored % 7 == 0, f"{stored} articles: not whole batches"
        assert db.execute("SELECT count(*) FROM articles a WHERE NOT EXISTS "
                          "(SELECT 1 FROM raw_pages p WHERE p.article_id = a.id)").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM articles_words").fetchone()[0] == stored
        assert db["raw_pages"].count == stored

        again = run_newsdesk("--sources", str(registry), "crawl", "--mirror", server.url, *batch, db=killed_db)
        assert again.returncode == 0, again.stderr
        clean = run_newsdesk("--sources", str(registry), "crawl", "--mirror", server.url, *batch, db=clean_db)
        assert clean.returncode == 0, clean.stderr
    finally:
        server.stop()
    assert snapshot(killed_db) == snapshot(clean_db)
    assert len(snapshot(clean_db)["articles"]) == 60


def test_a_busy_crawl_reuses_its_connections(tmp_path):
    """Keep-alive connections go back to the pool rather than being closed and opened again for the
    next page (crawler.download): no more connections than requests may run at once."""
    registry = site(tmp_path / "site", 120)
    server = MirrorServer(tmp_path / "site", tmp_path / "requests.jsonl")
    try:
        result = run_newsdesk("--sources", str(registry), "crawl", "--mirror", server.url, db=tmp_path / "busy.db")
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    requests = server.requests()
    assert len(requests) > 120  # robots.txt, the feed and every article
    connections = {request["client_port"] for request in requests}
    assert len(connections) <= 8, f"{len(connections)} connections for {len(requests)} requests"  # CONCURRENT_REQUESTS


def test_the_cycle_collector_is_as_it_was_once_the_crawl_is_over():
    """While the reactor runs, start-up's objects are frozen and collections are rarer; what follows
    a crawl in the same process (``newsdesk run`` drafts next) gets the collector back unchanged."""
    before = gc.get_threshold()
    with _collecting_less():
        assert gc.get_freeze_count() > 0 and gc.get_threshold()[0] == before[0] * 10
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
