import sqlite3
import zlib

import pytest

from pipeline import store
from pipeline.store import schema
from pipeline.store.articles import digest

ARTICLE = {"source": "demo", "url": "https://example.jp/a/1.html", "title": "大学で不正アクセス",
           "published_at": "2026-11-18T08:15:00+09:00", "lead": "リード文。", "lang": "ja",
           "text": "東都工科大学は、メールサーバへの不正アクセスを発表した。", "body_status": "full",
           "highlights": ["要点"]}
PAGE = {"url": "https://example.jp/a/1.html", "status": 200, "headers": {"Content-Type": "text/html"},
        "body": "<html>本文</html>".encode(), "context": {"summary": "feed"}}


def test_migrations_apply_once_and_enable_wal(tmp_path):
    path = tmp_path / "n.db"
    first = store.open_db(path)
    assert schema.schema_version(first) == len(schema.MIGRATIONS)
    assert first.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    first.close()
    again = store.open_db(path)
    assert schema.migrate(again) == []
    assert {"articles", "article_versions", "raw_pages", "crawl_runs", "crawl_errors", "sources",
            "candidates"} <= set(again.table_names())


def test_open_without_create_refuses_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        store.open_db(tmp_path / "missing.db", create=False)


def test_new_unchanged_changed_versions(db):
    assert store.save_article(db, ARTICLE, [PAGE]) == "new"
    assert store.save_article(db, ARTICLE, [PAGE]) == "unchanged"
    assert db["articles"].count == 1 and db["article_versions"].count == 0
    changed = {**ARTICLE, "text": ARTICLE["text"] + "被害は66,482件。"}
    assert store.save_article(db, changed, [PAGE]) == "changed"
    row = db["articles"].get(1)
    assert row["version"] == 2 and "66,482件" in row["text"]
    old = list(db["article_versions"].rows)
    assert len(old) == 1 and old[0]["text"] == ARTICLE["text"] and old[0]["version"] == 1


def _words(db, article_id):
    return db.execute("SELECT title, body FROM articles_words WHERE rowid = ?", [article_id]).fetchone()


def test_a_digest_computed_elsewhere_is_used_only_for_its_own_text(db):
    """The crawl's workers digest the text (hash, words); the store checks the digest is of the text it stores."""
    store.save_article(db, ARTICLE, [PAGE], digested=digest(ARTICLE["title"], ARTICLE["lead"], ARTICLE["text"]))
    row = db["articles"].get(1)
    assert row["content_hash"] == store.content_hash(ARTICLE["title"], ARTICLE["lead"], ARTICLE["text"])
    assert "不正 アクセス" in _words(db, 1)[0]
    stale = digest("別の記事", None, "無関係な本文。")
    changed = {**ARTICLE, "text": ARTICLE["text"] + "被害は66,482件。"}
    assert store.save_article(db, changed, [PAGE], digested=stale) == "changed"
    row = db["articles"].get(1)
    assert row["content_hash"] == store.content_hash(changed["title"], changed["lead"], changed["text"])
    assert "被害 は 66" in _words(db, 1)[1] and "無関係" not in _words(db, 1)[1]
    later = {**changed, "text": changed["text"] + "復旧は未定。"}  # words left to the store: it segments them
    assert store.save_article(db, later, [PAGE], digested=digest(
        later["title"], later["lead"], later["text"], words=False)) == "changed"
    assert "復旧 は 未定" in _words(db, 1)[1]
    controlled = {**later, "text": later["text"] + "\x07"}  # the digest is of the stored (stripped) text
    assert store.save_article(db, controlled, [PAGE], digested=digest(
        controlled["title"], controlled["lead"], controlled["text"])) == "unchanged"


def test_raw_page_is_kept_compressed_and_readable(db):
    store.save_article(db, ARTICLE, [PAGE])
    [page] = store.raw_pages(db, 1)
    assert page["body"] == PAGE["body"] and page["context"] == {"summary": "feed"}
    stored = db.execute("SELECT body_zlib FROM raw_pages").fetchone()[0]
    assert stored != PAGE["body"]
    assert zlib.decompress(stored) == PAGE["body"]  # the documented format: the standard library reads it


def test_failed_write_leaves_no_half_row(db):
    broken = {**ARTICLE, "title": None}  # NOT NULL violation after the article insert would start
    with pytest.raises(sqlite3.IntegrityError):
        store.save_article(db, broken, [PAGE])
    assert db["articles"].count == 0 and db["raw_pages"].count == 0
    bad_page = {**PAGE, "body": None}
    with pytest.raises(TypeError):
        store.save_article(db, ARTICLE, [bad_page])
    assert db["articles"].count == 0


def test_full_text_search_finds_japanese_words(db):
    store.save_article(db, ARTICLE, [PAGE])
    store.save_article(db, {**ARTICLE, "url": "https://example.jp/a/2.html", "title": "別の記事",
                            "text": "ランサムウェアの被害。"}, [])
    assert [r["id"] for r in store.search(db, "不正アクセス")] == [1]
    assert [r["id"] for r in store.search(db, "ランサムウェア")] == [2]
    assert [r["id"] for r in store.search(db, "被害")] == [2]  # two characters: the word index
    store.save_article(db, {**ARTICLE, "text": "内容が変わった。"}, [])
    assert store.search(db, "メールサーバ") == []  # the index follows updates


def test_runs_and_errors_are_recorded(db):
    run = store.start_run(db, "r1", "demo", "2026-01-01", None)
    store.record_error(db, run, "demo", "https://example.jp/x", "http-404", "server answered HTTP 404")
    store.finish_run(db, run, "finished", 5)
    row = db["crawl_runs"].get(run)
    assert row["status"] == "finished" and row["errors"] == 1 and row["pages_fetched"] == 5
    assert store.last_finished_run(db, "demo")["id"] == run


def test_a_placeholder_page_reached_from_the_listing_is_not_a_new_version(db):
    """ScanNetSecurity's JS shell has no body: its text is its lead and the feed's summary. Reached from
    a listing there is no feed summary; that is not a change of the publisher's content."""
    from crawler.extract.article import extract_article
    from crawler.sources import load_sources

    scan = load_sources()["scannetsecurity"]
    shell = ('<html><head><meta property="og:title" content="大学で不正アクセス"></head><body>'
             '<h1 class="arti-title">大学で不正アクセス</h1><p class="arti-summary">リード文です。</p>'
             '<article class="arti-body"></article></body></html>')
    url = "https://scan.netsecurity.ne.jp/article/2026/11/18/9.html"
    from_feed = extract_article(shell, url, scan, {"summary": "東都工科大学は不正アクセスを発表した。"})
    from_listing = extract_article(shell, url, scan, {})
    assert from_feed.text_from_feed and from_listing.text_from_feed
    assert store.save_article(db, {**from_feed.as_row(), "source": "scannetsecurity"}, []) == "new"
    assert store.save_article(db, {**from_listing.as_row(), "source": "scannetsecurity"}, []) == "unchanged"
    assert db["article_versions"].count == 0
    stored = db["articles"].get(1)
    assert "東都工科大学は不正アクセスを発表した。" in stored["text"]  # the feed's text is kept, not lost
    # A real change of the page (a new lead) is still a new version.
    changed = extract_article(shell.replace("リード文です。", "新しいリード文です。"), url, scan, {})
    assert store.save_article(db, {**changed.as_row(), "source": "scannetsecurity"}, []) == "changed"
    assert db["article_versions"].count == 1


def test_insert_row_commits_alone_and_rolls_back_with_its_transaction(tmp_path):
    path = tmp_path / "rows.db"
    db = store.open_db(path)
    other = sqlite3.connect(path)
    count = "SELECT count(*) FROM candidate_history"
    store.save_article(db, {"source": "s", "url": "https://example.org/1", "title": "t", "text": "x", "kind": "news",
                            "lang": "ja", "body_status": "full"}, [])
    db.execute("INSERT INTO stories (id, kind, title, created_at, updated_at) VALUES (1, 'news', 't', '', '')")
    db.conn.commit()
    row = {"id": 7, "story_id": 1, "headline": "h", "bullets": [{"text": "b"}], "created_at": "", "updated_at": ""}
    assert store.db.insert_row(db, "candidates", row) == 7
    assert other.execute("SELECT bullets FROM candidates WHERE id = 7").fetchone() == ('[{"text": "b"}]',)
    with pytest.raises(RuntimeError), store.transaction(db):
        store.db.insert_row(db, "candidate_history", {"candidate_id": 7, "at": "", "actor": "software",
                                                      "action": "drafted"})
        raise RuntimeError("the rest of the transaction failed")
    assert other.execute(count).fetchone() == (0,) and not db.conn.in_transaction


def test_articles_written_around_the_store_get_their_words_indexed_once(db):
    store.save_article(db, {"source": "s", "url": "https://example.org/1", "title": "攻撃の報告", "text": "流出",
                            "kind": "news", "lang": "ja", "body_status": "full"}, [])
    db.execute("DELETE FROM articles_words")  # as the synthetic archive writes: rows without their words
    db.conn.commit()
    assert store.words.index_missing(db) == 1 and store.words.index_missing(db) == 0
    assert store.search(db, "攻撃")[0]["url"] == "https://example.org/1"
