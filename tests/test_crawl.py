"""End-to-end crawls: the CLI in a subprocess, through the mirror, asserting rows in SQLite."""

from __future__ import annotations

import json
import re
import shutil
import time
from datetime import datetime, timedelta, timezone

import pytest
import sqlite_utils

from conftest import DEMO_SITE, FAULT_SITE, MirrorServer, run_newsdesk
from crawler.sources import load_sources
from pipeline import store

NEWS_SOURCES = ("scannetsecurity", "nict", "internet_watch", "zdnet_japan")


def article_files(source_key: str) -> set[str]:
    """The article URLs the demo mirror holds for a source, found by the registry's own pattern."""
    source = load_sources()[source_key]
    urls = set()
    for path in DEMO_SITE.rglob("*.html"):
        url = "https://" + path.relative_to(DEMO_SITE).as_posix().removesuffix("index.html")
        if source.is_article(url):
            urls.add(url)
    return urls


def assert_only_missing_citations(db, reason: str) -> None:
    errors = {(r["reason"], r["url"]) for r in db.query("SELECT reason, url FROM crawl_errors")}
    unfetched = {r["cited_url"] for r in db.query("SELECT cited_url FROM article_links WHERE cited_article_id IS NULL")}
    registry = load_sources().values()
    # Pages a registered source crawls itself (the MSRC release note) are left to that source.
    fetched_by_citation = {url for url in unfetched if not any(s.is_article(url) for s in registry)}
    assert errors == {(reason, url) for url in fetched_by_citation}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crawl")
    server = MirrorServer(DEMO_SITE, tmp / "requests.jsonl")
    db_file = tmp / "newsdesk.db"
    try:
        first = run_newsdesk("crawl", *NEWS_SOURCES, "--mirror", server.url, "--since", "2000-01-01", db=db_file)
        first_requests = server.requests()
        second = run_newsdesk("crawl", *NEWS_SOURCES, "--mirror", server.url, db=db_file)
        second_requests = server.requests()[len(first_requests):]
    finally:
        server.stop()
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    return {"db": sqlite_utils.Database(db_file), "first": first, "second": second,
            "requests": first_requests, "second_requests": second_requests}


def test_every_article_in_the_mirror_is_stored_once(crawled):
    db = crawled["db"]
    for key in NEWS_SOURCES:
        stored = {row["url"] for row in db.query("SELECT url FROM articles WHERE source = ?", [key])}
        assert stored == article_files(key)
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == \
        db.execute("SELECT count(DISTINCT url) FROM articles").fetchone()[0]


def test_rows_have_titles_dates_and_real_urls(crawled):
    for row in crawled["db"].query("SELECT * FROM articles"):
        assert row["title"].strip() and row["text"].strip()
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00", row["published_at"]), row
        assert row["url"].startswith("https://") and "127.0.0.1" not in row["url"]
        assert row["lang"] == "ja"


def test_scannet_placeholder_article_is_partial_with_lead_and_feed_text(crawled):
    [premium] = crawled["db"].query("SELECT * FROM articles WHERE url LIKE '%/51180.html'")
    assert premium["body_status"] == "partial" and "会員限定" not in premium["text"]
    [row] = crawled["db"].query("SELECT * FROM articles WHERE url LIKE '%/51236.html'")
    assert row["body_status"] == "partial"
    assert row["lead"] and row["text"].startswith(row["lead"])
    assert row["feed_summary"] and row["feed_summary"] in row["text"]


def test_scannet_full_article_drops_related_box(crawled):
    [row] = crawled["db"].query("SELECT * FROM articles WHERE url LIKE '%/51218.html'")
    assert row["body_status"] == "full"
    html = (DEMO_SITE / "scan.netsecurity.ne.jp/article/2026/11/18/51218.html").read_text(encoding="utf-8")
    related = re.search(r'<aside class="arti-giga".*?</aside>', html, re.S).group(0)
    related_titles = [t for t in re.findall(r">([^<>]{12,})<", related) if t.strip()]
    assert related_titles and not any(t.strip() in row["text"] for t in related_titles)
    assert "66,482件" in row["text"]


def test_nict_releases_keep_point_bullets_and_clean_titles(crawled):
    rows = list(crawled["db"].query("SELECT * FROM articles WHERE source = 'nict'"))
    assert rows
    for row in rows:
        assert "NICT-情報通信研究機構" not in row["title"] and not row["title"].startswith("プレスリリース")
        highlights = __import__("json").loads(row["highlights"])
        assert 2 <= len(highlights) <= 4
        assert "サイトマップ" not in row["text"]


def test_polite_crawl_reads_robots_and_sends_honest_user_agent(crawled):
    requests = crawled["requests"]
    paths = {r["path"] for r in requests}
    assert "/scan.netsecurity.ne.jp/robots.txt" in paths and "/www.nict.go.jp/robots.txt" in paths
    agents = {r["headers"].get("User-Agent", "") for r in requests}
    assert agents and all(a.startswith("newsdesk/") and "+http" in a for a in agents)


def test_crawl_runs_are_recorded_per_source(crawled):
    runs = list(crawled["db"].query("SELECT * FROM crawl_runs ORDER BY id"))
    assert len(runs) == 2 * len(NEWS_SOURCES) and {r["source"] for r in runs} == set(NEWS_SOURCES)
    assert all(r["status"] == "finished" for r in runs)
    # The only failures: cited pages the mirror deliberately lacks (see pipeline/demo_site/README.md).
    assert_only_missing_citations(crawled["db"], "http-404")
    first, second = runs[:len(NEWS_SOURCES)], runs[len(NEWS_SOURCES):]
    news = crawled["db"].execute("SELECT count(*) FROM articles WHERE kind = 'news'").fetchone()[0]
    assert sum(r["articles_new"] for r in first) == crawled["db"]["articles"].count  # news + primary
    assert sum(r["articles_new"] + r["articles_changed"] + r["articles_unchanged"] for r in second) == 0
    assert sum(r["articles_skipped"] for r in first) == 0 and news > 0
    assert crawled["db"]["article_versions"].count == 0
    assert "scannetsecurity" in crawled["first"].stdout and "nict" in crawled["first"].stdout


def test_full_text_search_over_crawled_japanese(crawled, tmp_path):
    db_file = crawled["db"].conn.execute("PRAGMA database_list").fetchone()[2]
    result = run_newsdesk("search", "不正アクセス", db=db_file)
    assert result.returncode == 0
    assert "教職員用メールサーバ" in result.stdout


def test_faults_are_recorded_and_the_run_goes_on(tmp_path):
    server = MirrorServer(FAULT_SITE, tmp_path / "requests.jsonl")
    db_file = tmp_path / "faults.db"
    try:
        result = run_newsdesk("--sources", str(FAULT_SITE / "sources.toml"), "crawl", "--mirror", server.url,
                              db=db_file)
    finally:
        server.stop()
    # Both feeds are broken: the run goes on, says so, and exits 1 (some sources failed).
    assert result.returncode == 1, result.stderr
    assert "2 sources crawled, 2 failed: broken (incomplete), faulty (incomplete)" in result.stderr
    db = sqlite_utils.Database(db_file)
    stored = {r["url"].rsplit("/", 1)[1] for r in db.query("SELECT url FROM articles")}
    assert stored == {"1.html", "6.html", "7.html"}
    [sjis] = db.query("SELECT * FROM articles WHERE url LIKE '%/6.html'")
    assert "約1万2,000通" in sjis["text"]
    errors = {(r["url"].rsplit("/", 1)[1], r["reason"]) for r in db.query("SELECT * FROM crawl_errors")}
    assert ("2.html", "http-404") in errors
    assert ("3.html", "decode") in errors
    assert ("4.html", "extract") in errors
    assert ("5.html", "not-html") in errors
    assert ("feed.rdf", "feed") in errors  # both the malformed feed and the garbage one
    assert {r["source"] for r in db.query("SELECT source FROM crawl_errors WHERE reason = 'feed'")} == \
        {"faulty", "broken"}
    assert ("8.html", "robots") in errors
    assert all("127.0.0.1:9" not in r["path"] for r in server.requests())
    assert db["raw_pages"].count == 3  # nothing partial stored for the failures
    runs = list(db.query("SELECT * FROM crawl_runs"))
    assert {(r["status"], r["finish_reason"]) for r in runs} == {("failed", "incomplete")}  # the window stays
    assert all(store.last_finished_run(db, r["source"]) is None for r in runs)
    assert "http-404" in result.stdout and "2.html" in result.stdout


def test_unreachable_mirror_fails_cleanly(tmp_path):
    db_file = tmp_path / "down.db"
    result = run_newsdesk("crawl", "nict", "--mirror", "http://127.0.0.1:9", db=db_file)
    assert result.returncode == 3, result.stderr  # could not run at all: no source reachable
    assert "no source could be read" in result.stderr
    db = sqlite_utils.Database(db_file)
    assert db["articles"].count == 0
    [error] = db.query("SELECT * FROM crawl_errors")
    assert error["reason"] == "connection-refused" and error["url"] == "https://www.nict.go.jp/press/"
    [run] = db.query("SELECT status, finish_reason FROM crawl_runs")
    assert run == {"status": "failed", "finish_reason": "nothing-read"}  # the next run's window stays put


def test_file_mirror_in_wget_layout(tmp_path):
    db_file = tmp_path / "file.db"
    result = run_newsdesk("crawl", "nict", "scannetsecurity", "--mirror", DEMO_SITE.as_uri(),
                          "--since", "2000-01-01", db=db_file)
    assert result.returncode == 0, result.stderr
    db = sqlite_utils.Database(db_file)
    stored = {r["url"] for r in db.query("SELECT url FROM articles WHERE kind = 'news'")}
    assert stored == article_files("nict") | article_files("scannetsecurity")
    assert_only_missing_citations(db, "not-found")


def test_primary_sources_are_fetched_one_hop_and_related(crawled):
    db = crawled["db"]
    rows = list(db.query(
        "SELECT n.url AS news, p.url AS cited, p.kind, p.text, p.lang, l.signals FROM article_links l "
        "JOIN articles n ON n.id = l.news_article_id JOIN articles p ON p.id = l.cited_article_id"))
    by_news = {(r["news"].rsplit("/", 1)[1], r["cited"]) for r in rows}
    assert ("51218.html", "https://www.toto-tech.ac.jp/news/2026/1118-security.html") in by_news
    assert ("51236.html", "https://www.pref.minato.lg.jp/kenmin/joho/20261120.html") in by_news
    for row in rows:
        assert row["kind"] == "primary" and row["lang"] == "ja"
        if row["cited"].endswith(("ac.jp", "lg.jp"), 0, row["cited"].find("/", 8)):
            assert "official-domain" in row["signals"]
    university = next(r for r in rows if "toto-tech" in r["cited"])
    assert "66,482件" in university["text"] and "第58回東都祭" not in university["text"]
    prefecture = next(r for r in rows if "minato" in r["cited"])
    assert "約1万2,000通" in prefecture["text"]  # Shift_JIS page declared as EUC-JP
    primary_paths = [r["path"] for r in crawled["requests"] if "toto-tech" in r["path"] and "robots" not in r["path"]]
    assert len(primary_paths) == 1  # one hop: the notice only, none of its links


def test_amp_copies_are_the_same_article(crawled):
    urls = [r["url"] for r in crawled["db"].query("SELECT url FROM articles")]
    assert not any("/amp" in url for url in urls)
    assert "https://internet.watch.impress.co.jp/docs/news/2061834.html" in urls
    assert "https://japan.zdnet.com/article/35239870/" in urls


def test_multi_page_article_is_joined(crawled):
    [row] = crawled["db"].query("SELECT * FROM articles WHERE url = 'https://japan.zdnet.com/article/35240001/'")
    assert "約3,100台" in row["text"] and "12月上旬の見込み" in row["text"]  # page 1 and page 2
    assert "次のページ" not in row["text"]
    pages = list(crawled["db"].query("SELECT url, page FROM raw_pages WHERE article_id = ? ORDER BY page",
                                     [row["id"]]))
    assert [p["page"] for p in pages] == [1, 2] and pages[1]["url"].endswith("/35240001/2/")
    cited = [r["cited_url"] for r in crawled["db"].query(
        "SELECT cited_url FROM article_links WHERE news_article_id = ?", [row["id"]])]
    assert "https://www.sample-butsuryu.co.jp/news/20261116.html" in cited  # linked on page 2 only


def test_second_run_downloads_no_article_and_revalidates_feeds(crawled):
    """The unchanged mirror: every feed and listing answers 304, no article page is downloaded."""
    second = [r for r in crawled["second_requests"] if not r["path"].endswith("/robots.txt")]
    feeds_and_listings = {"/" + url.split("://", 1)[1].replace("{page}", "1") for key in NEWS_SOURCES
                          for url in load_sources()[key].feeds + load_sources()[key].listings}
    assert {r["path"] for r in second} == feeds_and_listings
    assert [(r["path"], r["status"]) for r in second if r["status"] != 304] == []
    assert all("If-None-Match" in r["headers"] for r in second)


def test_a_changed_article_marked_updated_in_its_feed_gets_one_new_version(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(DEMO_SITE, site)
    server = MirrorServer(site, tmp_path / "requests.jsonl")
    db_file = tmp_path / "changed.db"
    try:
        assert run_newsdesk("crawl", "scannetsecurity", "--mirror", server.url, db=db_file).returncode == 0
        before = len(server.requests())
        time.sleep(1.1)  # the feed's new date must be later than the first fetch (second resolution)
        article = site / "scan.netsecurity.ne.jp/article/2026/11/18/51218.html"
        article.write_text(article.read_text(encoding="utf-8").replace("66,482件", "66,490件"), encoding="utf-8")
        feed = site / "scan.netsecurity.ne.jp/rss/index.rdf"
        now = datetime.now(timezone(timedelta(hours=9))).isoformat(timespec="seconds")
        text = feed.read_text(encoding="utf-8")
        entry = text.index("51218.html</link>")
        date_at = text.index("<dc:date>", entry)
        text = text[:date_at] + f"<dc:date>{now}</dc:date>" + text[text.index("</dc:date>", date_at) + 10:]
        feed.write_text(text, encoding="utf-8")
        assert run_newsdesk("crawl", "scannetsecurity", "--mirror", server.url, db=db_file).returncode == 0
        articles_fetched = [r["path"] for r in server.requests()[before:] if "/article/20" in r["path"]]
    finally:
        server.stop()
    db = sqlite_utils.Database(db_file)
    assert articles_fetched == ["/scan.netsecurity.ne.jp/article/2026/11/18/51218.html"]
    [version] = db.query("SELECT * FROM article_versions")
    assert "66,482件" in version["text"]
    [row] = db.query("SELECT * FROM articles WHERE id = ?", [version["article_id"]])
    assert row["version"] == 2 and "66,490件" in row["text"]


def test_since_limits_how_far_listings_reach(tmp_path, mirror_server):
    db_file = tmp_path / "since.db"
    result = run_newsdesk("crawl", "scannetsecurity", "--mirror", mirror_server.url, "--since", "2026-11-01",
                          db=db_file)
    assert result.returncode == 0, result.stderr
    urls = {r["url"] for r in sqlite_utils.Database(db_file).query("SELECT url FROM articles WHERE kind = 'news'")}
    october = {url for url in article_files("scannetsecurity") if "/2026/10/" in url}
    assert october and not urls & october  # listed only on page 2, older than --since
    assert urls == article_files("scannetsecurity") - october


def test_citations_an_interrupted_crawl_never_fetched_are_fetched_by_the_next(tmp_path):
    full = tmp_path / "full.db"
    args = ("crawl", "scannetsecurity", "--mirror", DEMO_SITE.as_uri(), "--since", "2000-01-01")
    assert run_newsdesk(*args, db=full).returncode == 0
    whole = sqlite_utils.Database(full)
    primaries = {r["url"] for r in whole.query("SELECT url FROM articles WHERE kind = 'primary'")}
    assert primaries, "the demo's ScanNetSecurity articles cite official pages"
    # As a killed crawl leaves it: the news articles stored with their citations, the cited pages not yet.
    interrupted = tmp_path / "interrupted.db"
    db = store.open_db(interrupted)
    for row in whole.query("SELECT * FROM articles WHERE kind = 'news'"):
        citations = [{"url": link["cited_url"], "link_text": link["link_text"], "signals": json.loads(link["signals"])}
                     for link in whole.query("SELECT * FROM article_links WHERE news_article_id = ?", [row["id"]])]
        store.save_article(db, {**row, "highlights": json.loads(row["highlights"])}, [], citations=citations)
    assert db.execute("SELECT count(*) FROM article_links WHERE cited_article_id IS NULL").fetchone()[0] > 0
    db.close()
    assert run_newsdesk(*args, db=interrupted).returncode == 0
    resumed = sqlite_utils.Database(interrupted)
    assert {r["url"] for r in resumed.query("SELECT url FROM articles WHERE kind = 'primary'")} == primaries
    unresolved = {r["cited_url"] for r in resumed.query("SELECT cited_url FROM article_links "
                                                         "WHERE cited_article_id IS NULL")}
    assert unresolved == {r["cited_url"] for r in whole.query("SELECT cited_url FROM article_links "
                                                               "WHERE cited_article_id IS NULL")}
    assert store.unresolved_citations(resumed, "scannetsecurity") == []  # what is left failed for good (404)
