"""bench/bench_reextract_memory.py grows a crawl database to the size measured: whole copies of its
articles, each under its own URL with its own raw pages, which reextract reads like any others."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_reextract_memory import replicate  # noqa: E402
from pipeline import store  # noqa: E402


def test_replicated_articles_keep_their_own_raw_pages(tmp_path):
    db = store.open_db(tmp_path / "crawl.db")
    for n in (1, 2):
        url = f"https://news.example/a/{n}.html"
        store.save_article(db, {"source": "bench_site", "url": url, "title": f"記事{n}", "text": f"本文{n}。",
                                "lang": "ja", "body_status": "full"},
                           [{"url": url, "status": 200, "headers": {}, "body": f"<p>本文{n}</p>".encode()}])
    db.close()
    assert replicate(tmp_path / "crawl.db", tmp_path / "grown.db", 5) == 5
    grown = sqlite3.connect(tmp_path / "grown.db")
    rows = grown.execute("SELECT a.url, a.title, p.url, p.body_zlib FROM articles a "
                         "JOIN raw_pages p ON p.article_id = a.id ORDER BY a.id").fetchall()
    assert len(rows) == 5 and len({row[0] for row in rows}) == 5
    assert all(article_url == page_url for article_url, _, page_url, _ in rows)
    by_title = {}
    for _, title, _, body in rows:
        by_title.setdefault(title, set()).add(body)
    assert all(len(bodies) == 1 for bodies in by_title.values())  # a copy's page is its original's page
