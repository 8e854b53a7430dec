"""Search: which index answers each term, best first among the newest matches, --newest, read-only."""

from __future__ import annotations

import importlib
import sqlite3

import pytest

from pipeline import store

search_module = importlib.import_module("pipeline.store.search")  # store.search is the function

FILLER = "関係のない文章が続く。"


def article(n: int, title: str, text: str, day: int | None = None) -> dict:
    published = f"2026-11-{day if day is not None else n + 1:02d}T09:00:00+09:00"
    return {"source": "demo", "url": f"https://example.jp/{n}.html", "title": title, "published_at": published,
            "lang": "ja", "lead": None, "text": text, "body_status": "full"}


@pytest.fixture
def archive(db):
    """Ids in storing order. 1 (oldest) is the best match of 不正アクセス and 流出; 5 the newest."""
    rows = [
        article(1, "不正アクセスで情報流出", "不正アクセスにより情報が流出した。不正アクセスの手口と流出の範囲。"),
        article(2, "お知らせ", FILLER * 6 + "不正アクセスがあった。" + FILLER * 6),
        article(3, "ランサムウェア被害", "ランサムウェアによる攻撃で被害。成長率は10%だった。"),
        article(4, "お知らせ", FILLER * 6 + "不正アクセスで流出の可能性。不正アクセスの調査中。" + FILLER * 6),
        article(5, "お知らせ", FILLER * 8 + "不正アクセスを受けた。" + FILLER * 8, day=1),  # stored last, dated first
    ]
    for row in rows:
        store.save_article(db, row, [])
    return db


def ids(db, query: str, **options) -> list[int]:
    return [row["id"] for row in store.search(db, query, **options)]


def statements(db, query: str, **options) -> str:
    seen: list[str] = []
    db.conn.set_trace_callback(seen.append)
    try:
        store.search(db, query, **options)
    finally:
        db.conn.set_trace_callback(None)
    return "\n".join(seen)


def test_the_best_match_comes_first_whatever_its_age(archive):
    assert ids(archive, "不正アクセス") == [1, 4, 2, 5]  # 1 says it three times in a short text
    assert ids(archive, "流出")[0] == 1                   # a two-character word is ranked too
    assert ids(archive, "不正アクセス 流出") == [1, 4]     # both kinds: ranked by the long term


def test_newest_orders_by_publication_date(archive):
    assert ids(archive, "不正アクセス", order="newest") == [4, 2, 1, 5]  # 5 was stored last but dated 1 Nov
    assert ids(archive, "流出", order="newest") == [4, 1]


def test_only_the_newest_candidates_are_ranked(archive):
    # Of the three most recently stored matches (5, 4, 2), 4 is the best: 1 is older than the bound.
    assert ids(archive, "不正アクセス", candidates=3) == [4, 2, 5]
    assert ids(archive, "不正アクセス", candidates=3, limit=1) == [4]


def test_limit_keeps_the_best(archive):
    assert ids(archive, "不正アクセス", limit=2) == [1, 4]


@pytest.mark.parametrize("query", ["流出", "攻撃", "被害", "AI", "不正アクセス 流出", "流出 OR 攻撃",
                                   "流出 OR ランサムウェア", "ランサムウェア 被害"])
def test_short_words_are_answered_by_the_word_index_not_a_scan(archive, query):
    sql = statements(archive, query)
    assert "articles_words MATCH" in sql
    assert " LIKE " not in sql


def test_long_terms_are_answered_by_the_trigram_index(archive):
    sql = statements(archive, "ランサムウェア")
    assert "articles_fts MATCH" in sql and "articles_words" not in sql and " LIKE " not in sql


def test_a_short_term_without_word_characters_is_matched_literally(archive):
    assert " LIKE " in statements(archive, "0%")
    assert ids(archive, "0%") == [3]
    assert ids(archive, "ランサムウェア 0%") == [3]  # the index narrows, the literal filters
    assert ids(archive, "流出 0%") == []


def test_or_across_the_two_indexes_is_either_newest_first(archive):
    # No group answered by one index alone: no bm25, so the newest by publication date come first.
    assert ids(archive, "流出 OR ランサムウェア") == [4, 3, 1]


def test_the_two_indexes_agree_with_a_plain_reading_of_the_query(archive):
    assert set(ids(archive, "攻撃 被害")) == {3}
    assert ids(archive, "不正アクセス ランサムウェア") == []
    assert ids(archive, "漏洩") == []


def test_the_plan_names_the_index_of_each_term():
    plan = search_module.plan('流出 不正アクセス OR AI "0%"')
    assert [[(t.text, t.index) for t in group] for group in plan] == [
        [("流出", "articles_words")], [("不正アクセス", "articles_fts"), ("AI", "articles_words")],
        [("0%", "literal")]]


def test_a_plain_read_only_connection_searches_and_cannot_write(archive, tmp_path):
    archive.conn.close()
    conn = store.open_reader(tmp_path / "test.db")
    assert isinstance(conn, sqlite3.Connection)
    assert [row["id"] for row in store.search(conn, "不正アクセス")] == [1, 4, 2, 5]
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("DELETE FROM articles")


def test_the_reader_refuses_what_open_db_refuses(tmp_path):
    with pytest.raises(FileNotFoundError):
        store.open_reader(tmp_path / "missing.db")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE things (x)").connection.commit()
    with pytest.raises(store.DatabaseUnusable, match="not a newsdesk database"):
        store.open_reader(other)
    old = tmp_path / "old.db"
    store.open_db(old).conn.execute("DELETE FROM schema_migrations WHERE version > 1").connection.commit()
    with pytest.raises(store.DatabaseUnusable, match="schema version 1"):
        store.open_reader(old)


def test_an_unknown_order_is_an_error(archive):
    with pytest.raises(ValueError, match="order"):
        store.search(archive, "流出", order="oldest")


@pytest.mark.parametrize("query", ["不正アクセス 流出", "流出 不正アクセス", "ランサムウェア 被害",
                                   "流出 OR ランサムウェア 不正アクセス", "不正アクセス 0%", "0%",
                                   "お知らせ 不正アクセス"])
@pytest.mark.parametrize("order", ["best", "newest"])
def test_each_way_of_finding_the_candidates_finds_the_same(archive, monkeypatch, query, order):
    few = ids(archive, query, candidates=2, order=order)  # 5 articles: every index has few matches
    monkeypatch.setattr(search_module, "FEW", 0)
    whole = ids(archive, query, candidates=2, order=order)  # no window smaller than the archive
    monkeypatch.setattr(search_module, "WINDOW", 1)  # the newest 2 ids first (4 and 5), then the rest
    assert ids(archive, query, candidates=2, order=order) == whole == few


def test_a_filtered_query_reads_the_newest_window_first(archive, monkeypatch):
    monkeypatch.setattr(search_module, "FEW", 0)
    monkeypatch.setattr(search_module, "WINDOW", 1)
    sql = statements(archive, "お知らせ 流出", candidates=2)  # words filter the trigram index's matches
    assert "d.rowid >= 3 " in sql  # the newest WINDOW × candidates = 2 of the 5 ids
    assert ids(archive, "お知らせ 流出", candidates=2) == [4]


def test_a_rare_term_has_the_other_groups_looked_up_for_its_matches_alone(archive):
    sql = statements(archive, "お知らせ 流出")  # お知らせ: 3 articles, at most FEW
    assert "rowid IN (SELECT value FROM json_each('[5, 4, 2]'))" in sql
    assert ids(archive, "お知らせ 流出") == [4]
