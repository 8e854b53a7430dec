"""Fault injection: every kind of bad server, and a crawl killed with SIGKILL.

Crawls run in subprocesses through the mirror server (crawler/mirror.py), which misbehaves as the
sidecar FILE.headers of each page in tests/fixtures/faults/ says. Whatever a server does, the crawl
must finish, keep the other sources' articles, record the failure against its URL with a clear
reason, and store nothing partial for it.
"""

from __future__ import annotations

import gzip
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlite_utils
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as tx_error
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed

from conftest import FAULT_SITE, ROOT, MirrorServer, kill_when, run_newsdesk
from crawler.failures import classify

REGISTRY = FAULT_SITE / "faults.toml"
FLAKY = "https://flaky.example.jp/a/"
HOSTILE = "https://hostile.example.jp/a/"
LIMITS = "https://limits.example.jp/a/"
MIRROR_RETRY_TIMES = 1      # crawler/run.py retries once when crawling a mirror
REDIRECT_MAX_TIMES = 5      # crawler/settings.py


def fault_site(tmp: Path) -> Path:
    """The committed fault site plus the bodies generated here rather than committed."""
    site = tmp / "site"
    shutil.copytree(FAULT_SITE, site)
    # A gzip bomb: 12 kB on the wire, 12 MiB of valid HTML once decompressed (over the 10 MiB cap).
    bomb = b'<html><body><h1 class="title">bomb</h1><div class="body"><p>' + b" " * (12 << 20) + b"x</p></div>"
    (site / "hostile.example.jp/a/9.html").write_bytes(gzip.compress(bomb, 9))
    (site / "hostile.example.jp/a/9.html.headers").write_text(
        "Content-Type: text/html; charset=utf-8\nContent-Encoding: gzip\n")
    # An article of about 260 kB, over the DOWNLOAD_MAXSIZE=100000 of the limits crawl.
    paragraphs = "<p>長い本文が続く。</p>" * 10000
    (site / "limits.example.jp/a/3.html").write_text(
        f'<html><head><meta charset="utf-8"></head><body><h1 class="title">大きな記事</h1>'
        f'<div class="body">{paragraphs}</div></body></html>', encoding="utf-8")
    return site


def scrapy_crawl(key: str, db_file: Path, mirror: str, **settings) -> subprocess.CompletedProcess:
    """`scrapy crawl KEY -s ...` from the project root, for Scrapy settings the newsdesk CLI cannot set.

    Mirrors what crawler/run.py sets for a mirror crawl (no delays, one retry), plus ``settings``.
    """
    values = {"NEWSDESK_DB": db_file, "NEWSDESK_SOURCES": REGISTRY, "NEWSDESK_MIRROR": mirror,
              "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": MIRROR_RETRY_TIMES,
              "LOG_LEVEL": "WARNING", **settings}
    options = [arg for name, value in values.items() for arg in ("-s", f"{name}={value}")]
    return subprocess.run([sys.executable, "-m", "scrapy", "crawl", key, *options], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)


def reasons(db: sqlite_utils.Database, url: str) -> list[str]:
    return [r["reason"] for r in db.query("SELECT reason FROM crawl_errors WHERE url = ?", [url])]


def statuses(requests: list[dict], url: str) -> list:
    """What the mirror answered, in order, to each request for a real URL."""
    path = "/" + url.removeprefix("https://")
    return [r["status"] for r in requests if r["path"] == path]


def assert_not_stored(db: sqlite_utils.Database, url: str) -> None:
    assert not list(db.query("SELECT id FROM articles WHERE url = ?", [url])), url
    assert not list(db.query("SELECT url FROM raw_pages WHERE url = ?", [url])), url


def article(db: sqlite_utils.Database, url: str) -> dict:
    [row] = db.query("SELECT * FROM articles WHERE url = ?", [url])
    return row


# --- one CLI crawl over every fault the default settings meet ---------------------------------

@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults")
    server = MirrorServer(fault_site(tmp), tmp / "requests.jsonl")
    db_file = tmp / "faults.db"
    try:
        result = run_newsdesk("--sources", str(REGISTRY), "crawl", "flaky", "hostile", "deadfeed", "garbled",
                              "--mirror", server.url, db=db_file, timeout=60)
        requests = server.requests()
    finally:
        server.stop()
    assert result.returncode == 1, result.stderr  # the broken feeds are sources that failed; the run went on
    assert "4 sources crawled, 2 failed: deadfeed (incomplete), garbled (incomplete)" in result.stderr
    return {"db": sqlite_utils.Database(db_file), "result": result, "requests": requests}


def test_the_run_finishes_and_keeps_every_good_article(crawled):
    db = crawled["db"]
    runs = {r["source"]: (r["status"], r["finish_reason"]) for r in db.query("SELECT * FROM crawl_runs")}
    # Page failures are recorded and the run finishes; a feed that could not be read fails its source's run.
    assert runs == {"flaky": ("finished", "finished"), "hostile": ("finished", "finished"),
                    "deadfeed": ("failed", "incomplete"), "garbled": ("failed", "incomplete")}
    stored = {r["url"] for r in db.query("SELECT url FROM articles")}
    assert {FLAKY + "1.html", HOSTILE + "1.html", "https://deadfeed.example.jp/a/1.html",
            "https://garbled.example.jp/a/1.html"} <= stored
    assert "connection-lost" in crawled["result"].stdout and "hostile.example.jp/a/2.html" in crawled["result"].stdout


def test_nothing_partial_is_stored_for_any_failed_url(crawled):
    db = crawled["db"]
    failed = {r["url"] for r in db.query("SELECT url FROM crawl_errors WHERE reason NOT IN ('feed', 'rule')")}
    assert len(failed) >= 8
    for url in failed:
        assert_not_stored(db, url)


def test_persistent_5xx_is_recorded_after_retries(crawled):
    db, url = crawled["db"], FLAKY + "4.html"
    assert statuses(crawled["requests"], url) == [503] * (1 + MIRROR_RETRY_TIMES)
    assert reasons(db, url) == ["http-503"]
    assert_not_stored(db, url)


@pytest.mark.parametrize("page, status", [("2.html", 503), ("3.html", 429)])
def test_transient_error_with_retry_after_succeeds_on_retry(crawled, page, status):
    db, url = crawled["db"], FLAKY + page
    assert statuses(crawled["requests"], url) == [status, 200]
    assert "取得できた記事" in article(db, url)["text"]
    assert reasons(db, url) == []


def test_retry_waits_as_long_as_retry_after_asks(crawled):
    path = "/flaky.example.jp/a/2.html"
    first, retry = (r["at"] for r in crawled["requests"] if r["path"] == path)
    assert retry - first >= 2.9  # the 503 said Retry-After: 3


def test_connection_reset_is_connection_lost(crawled):
    db, url = crawled["db"], HOSTILE + "2.html"
    seen = statuses(crawled["requests"], url)
    # Twisted itself resends, once, a request whose reused keep-alive connection was reset before any
    # answer: between one and two tries for each of Scrapy's
    assert set(seen) == {"reset"} and 1 + MIRROR_RETRY_TIMES <= len(seen) <= 2 * (1 + MIRROR_RETRY_TIMES)
    assert reasons(db, url) == ["connection-lost"]
    assert_not_stored(db, url)


def test_reset_feed_is_recorded_and_the_listing_still_runs(crawled):
    db = crawled["db"]
    assert reasons(db, "https://deadfeed.example.jp/feed.rdf") == ["connection-lost"]
    assert "一覧ページから見つかった記事" in article(db, "https://deadfeed.example.jp/a/1.html")["text"]


def test_body_cut_short_is_truncated_not_stored(crawled):
    db, url = crawled["db"], HOSTILE + "11.html"
    assert reasons(db, url) == ["truncated"]
    assert_not_stored(db, url)


def test_redirect_loop_is_recorded(crawled):
    db = crawled["db"]
    loop = (HOSTILE + "3.html", HOSTILE + "33.html")
    rows = list(db.query("SELECT url, detail FROM crawl_errors WHERE reason = 'redirect-loop'"))
    assert len(rows) == 1 and rows[0]["url"] == loop[0]  # recorded against the URL the spider asked for
    hops = sum(len(statuses(crawled["requests"], url)) for url in loop)
    assert hops == 1 + REDIRECT_MAX_TIMES
    for url in loop:
        assert_not_stored(db, url)


def test_redirect_loop_is_recorded_against_the_requested_url(crawled):
    assert reasons(crawled["db"], HOSTILE + "3.html") == ["redirect-loop"]


def test_root_relative_redirect_is_followed_through_the_mirror(crawled):
    db = crawled["db"]
    assert statuses(crawled["requests"], "https://hostile.example.jp/moved/10.html") == [200]
    assert "移転した記事" in article(db, "https://hostile.example.jp/moved/10.html")["text"]


def test_gzip_bomb_is_too_large(crawled):
    db, url = crawled["db"], HOSTILE + "9.html"
    assert statuses(crawled["requests"], url) == [200]  # not retried
    assert reasons(db, url) == ["too-large"]
    [detail] = [r["detail"] for r in db.query("SELECT detail FROM crawl_errors WHERE url = ?", [url])]
    assert "DOWNLOAD_MAXSIZE" in detail
    assert_not_stored(db, url)


@pytest.mark.parametrize("page, phrase", [
    ("6.html", "約3万件の個人情報が流出した"),   # header says Shift_JIS, bytes are EUC-JP
    ("7.html", "約4万件の個人情報が流出した"),   # header says UTF-8, bytes are Shift_JIS
    ("8.html", "約5万件の個人情報が流出した"),   # header says ISO-8859-1, bytes are UTF-8
])
def test_lying_charset_header_still_gives_correct_japanese(crawled, page, phrase):
    row = article(crawled["db"], HOSTILE + page)
    assert phrase in row["text"] and "\ufffd" not in row["text"]
    assert row["title"].startswith(("文字コードを偽る", "Latin-1と偽る"))


def test_pdf_is_not_stored(crawled):
    db = crawled["db"]
    assert reasons(db, HOSTILE + "5.html") == ["not-html"]                    # Content-Type: application/pdf
    assert reasons(db, HOSTILE + "4.html") in (["decode"], ["not-html"])      # labelled text/html
    for page in ("4.html", "5.html"):
        assert_not_stored(db, HOSTILE + page)


def test_pdf_labelled_html_without_early_nul_is_not_stored(crawled):
    db, url = crawled["db"], HOSTILE + "12.html"
    assert reasons(db, url) in (["not-html"], ["decode"])
    assert_not_stored(db, url)


def test_malformed_feed_is_recorded_and_recovered_entries_crawled(crawled):
    db = crawled["db"]
    assert reasons(db, "https://garbled.example.jp/feed.rdf") == ["feed"]
    assert "途中で切れたフィード" in article(db, "https://garbled.example.jp/a/1.html")["text"]


# --- limits the CLI cannot lower: scrapy crawl with -s -------------------------------------------

@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("limits")
    server = MirrorServer(fault_site(tmp), tmp / "requests.jsonl")
    db_file = tmp / "limits.db"
    try:
        result = scrapy_crawl("limits", db_file, server.url, DOWNLOAD_TIMEOUT=1, DOWNLOAD_MAXSIZE=100_000)
        deadline = time.monotonic() + 10  # the mirror logs a delayed request once its delay is over
        while len(statuses(server.requests(), LIMITS + "2.html")) < 1 + MIRROR_RETRY_TIMES:
            assert time.monotonic() < deadline, "the mirror never answered the delayed requests"
            time.sleep(0.1)
        requests = server.requests()
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    return {"db": sqlite_utils.Database(db_file), "requests": requests}


def test_slow_page_times_out_and_the_crawl_goes_on(limited):
    db, url = limited["db"], LIMITS + "2.html"
    assert reasons(db, url) == ["timeout"]
    assert len(statuses(limited["requests"], url)) == 1 + MIRROR_RETRY_TIMES
    assert_not_stored(db, url)
    assert "制限の内側" in article(db, LIMITS + "1.html")["text"]
    assert {r["status"] for r in db.query("SELECT status FROM crawl_runs")} == {"finished"}


def test_body_over_download_maxsize_is_too_large(limited):
    db, url = limited["db"], LIMITS + "3.html"
    assert reasons(db, url) == ["too-large"]
    assert_not_stored(db, url)


# --- failure classification ---------------------------------------------------------------------

def _raised_from(exc: BaseException, cause: BaseException) -> BaseException:
    exc.__cause__ = cause
    return exc


@pytest.mark.parametrize("exc, reason", [
    (IgnoreRequest("max redirections reached"), "redirect-loop"),
    (IgnoreRequest("Forbidden by robots.txt"), "robots"),
    (IgnoreRequest("Ignored response <200 https://x/> because its body (9 B compressed, 99 B decompressed "
                   "so far) exceeded DOWNLOAD_MAXSIZE (10 B) during decompression."), "too-large"),
    (DownloadCancelledError("Expected to receive 264123 bytes which is larger than download max size (100000) "
                            "in request <GET https://x/timeout.html>."), "too-large"),
    (DownloadCancelledError(""), "cancelled"),
    (IgnoreRequest("blocked: 10.0.0.1 is a private, loopback or link-local address"), "blocked"),
    (IgnoreRequest("something else"), "ignored"),
    (DownloadTimeoutError("Getting https://x/ took longer than 1.0 seconds."), "timeout"),
    (tx_error.TimeoutError(), "timeout"),
    (_raised_from(DownloadFailedError("[ConnectionLost]"), ResponseFailed([])), "connection-lost"),
    (tx_error.ConnectionLost(), "connection-lost"),
    (ResponseDataLossError(), "truncated"),
    (DownloadConnectionRefusedError("refused"), "connection-refused"),
    (CannotResolveHostError("no such host"), "dns"),
    (tx_error.DNSLookupError(), "dns"),
])
def test_classify_download_failures(exc, reason):
    label, detail = classify(Failure(exc))
    assert label == reason
    assert detail.startswith(type(exc).__name__)


def test_classify_http_error_by_status():
    response = Response("https://x/", status=503, request=Request("https://x/"))
    assert classify(Failure(HttpError(response, "Ignoring non-200 response"))) == \
        ("http-503", "server answered HTTP 503")


# --- SIGKILL mid-run ----------------------------------------------------------------------------

KILL_ARTICLES = 30


def slow_site(root: Path) -> Path:
    """A source of KILL_ARTICLES articles, each answered after 0.3 s, and its registry."""
    host = root / "slow.example.jp"
    (host / "a").mkdir(parents=True)
    items = []
    for n in range(1, KILL_ARTICLES + 1):
        url = f"https://slow.example.jp/a/{n}.html"
        items.append(f"<item><title>記事{n}</title><link>{url}</link><description>説明{n}</description></item>")
        (host / "a" / f"{n}.html").write_text(
            f'<html><head><meta charset="utf-8"></head><body><h1 class="title">遅い記事{n}</h1>'
            f'<div class="body"><p>架空の組織{n}で不正アクセスが確認された。</p></div></body></html>',
            encoding="utf-8")
        (host / "a" / f"{n}.html.headers").write_text("X-Mirror-Delay: 0.3\n")
    (host / "feed.rdf").write_text('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                                   f'<title>slow</title>{"".join(items)}</channel></rss>', encoding="utf-8")
    registry = root / "slow.toml"
    registry.write_text('[slow]\nname = "Slow News"\nlang = "ja"\nfeeds = ["https://slow.example.jp/feed.rdf"]\n'
                        "article_pattern = '^https://slow\\.example\\.jp/a/\\d+\\.html$'\n"
                        'allowed_domains = ["slow.example.jp"]\n[slow.extract]\ntitle = "h1.title"\n'
                        'body = "div.body"\n', encoding="utf-8")
    return registry


def stored_articles(db_file: Path) -> int:
    """Articles committed so far, read as another process would; 0 while the schema is not there yet."""
    if not db_file.exists():
        return 0
    conn = sqlite3.connect(db_file, timeout=5)
    try:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def test_sigkill_mid_run_leaves_a_sound_database_and_the_next_run_completes(tmp_path):
    site = tmp_path / "site"
    registry = slow_site(site)
    server = MirrorServer(site, tmp_path / "requests.jsonl")
    db_file = tmp_path / "killed.db"
    env = {**os.environ, "NEWSDESK_DB": str(db_file)}
    try:
        with (tmp_path / "killed.log").open("w") as log:
            crawl = subprocess.Popen([sys.executable, "-m", "pipeline", "--sources", str(registry), "crawl",
                                      "--mirror", server.url], cwd=ROOT, env=env, stdout=log, stderr=log)
            try:
                kill_when(crawl, lambda: stored_articles(db_file) > 0, "no article stored", 30)
            finally:
                if crawl.poll() is None:
                    crawl.kill()
                    crawl.wait(timeout=10)

        conn = sqlite3.connect(db_file, timeout=5)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")  # raises if not
            killed_with = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            [(killed_run,)] = conn.execute("SELECT status FROM crawl_runs").fetchall()
        finally:
            conn.close()
        assert 1 <= killed_with < KILL_ARTICLES, "the crawl was not killed mid-run"
        assert killed_run != "finished"

        again = run_newsdesk("--sources", str(registry), "crawl", "--mirror", server.url, db=db_file, timeout=60)
    finally:
        server.stop()
    assert again.returncode == 0, again.stderr
    db = sqlite_utils.Database(db_file)
    expected = {f"https://slow.example.jp/a/{n}.html" for n in range(1, KILL_ARTICLES + 1)}
    assert {r["url"] for r in db.query("SELECT url FROM articles")} == expected
    assert db.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone() == \
        (KILL_ARTICLES, KILL_ARTICLES)
    assert db.execute("SELECT count(*) FROM articles WHERE trim(coalesce(text, '')) = ''").fetchone()[0] == 0
    assert db.execute("SELECT count(DISTINCT article_id) FROM raw_pages").fetchone()[0] == KILL_ARTICLES
    assert db.execute("SELECT count(*) FROM crawl_errors").fetchone()[0] == 0
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
