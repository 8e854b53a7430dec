from dataclasses import replace

import sqlite_utils

from conftest import DEMO_SITE, run_newsdesk
from crawler.extract.article import extract_article
from crawler.extract.decode import decode_html
from crawler.reextract import reextract
from crawler.sources import load_sources
from pipeline import store

SCAN_PAGE = DEMO_SITE / "scan.netsecurity.ne.jp/article/2026/11/18/51218.html"
SCAN_URL = "https://scan.netsecurity.ne.jp/article/2026/11/18/51218.html"


def test_demo_crawls_every_source_and_drafts(tmp_path):
    result = run_newsdesk("demo", "--keep", str(tmp_path))
    assert result.returncode == 0, result.stderr
    db = sqlite_utils.Database(tmp_path / "newsdesk.db")
    for key in load_sources():
        assert key in result.stdout
        assert db.execute("SELECT count(*) FROM articles WHERE source = ?", [key]).fetchone()[0] > 0
    drafted = db["candidates"].count
    assert drafted == db["stories"].count > 0
    assert db.execute("SELECT count(*) FROM story_articles").fetchone()[0] == db["articles"].count
    assert f"{drafted} candidates drafted" in result.stdout
    # Re-extracting what was just crawled changes nothing: news, multi-page, primary pages and releases.
    outcomes = reextract(store.open_db(tmp_path / "newsdesk.db"), load_sources())
    assert outcomes == {"unchanged": db["articles"].count}


def test_reextract_applies_a_changed_rule_without_recrawling(db):
    sources = load_sources()
    body = SCAN_PAGE.read_bytes()
    html, _ = decode_html(body)
    article = extract_article(html, SCAN_URL, sources["scannetsecurity"])
    page = {"url": SCAN_URL, "status": 200, "headers": {"Content-Type": "text/html"}, "body": body}
    store.save_article(db, {**article.as_row(), "source": "scannetsecurity"}, [page])
    assert reextract(db, sources)["unchanged"] == 1
    scan = sources["scannetsecurity"]
    lead_only = replace(scan, extract=replace(scan.extract, body="div.no-such-body"))
    outcomes = reextract(db, {**sources, "scannetsecurity": lead_only})
    assert outcomes["changed"] == 1
    assert db["article_versions"].count == 1
    assert db["articles"].get(1)["version"] == 2 and db["articles"].get(1)["body_status"] == "partial"
