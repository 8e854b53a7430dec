"""Stories: grouping by citation, release mention and near-duplicate text; incremental; merge and split."""

from __future__ import annotations

import pytest

from pipeline import store, stories
from samples import OTHER_SITE, UNIVERSITY, UNRELATED, add


def story_of(db, article_id):
    return db.execute("SELECT story_id, role FROM story_articles WHERE article_id = ?", [article_id]).fetchone()


def test_near_duplicates_on_two_sites_form_one_story(db):
    first = add(db, "https://scan.example/1", UNIVERSITY)
    second = add(db, "https://iw.example/1", OTHER_SITE, source="internet_watch")
    unrelated = add(db, "https://scan.example/2", UNRELATED)
    outcome = stories.update_stories(db)
    assert outcome.processed == 3 and outcome.created == 2
    assert story_of(db, first)[0] == story_of(db, second)[0] != story_of(db, unrelated)[0]
    assert {story_of(db, first)[1], story_of(db, second)[1]} == {"news", "duplicate"}


def test_citation_joins_primary_to_news_whatever_the_order(db):
    primary = add(db, "https://www.toto-tech.ac.jp/n.html", "本学のサーバへの不正アクセスについてお知らせします。",
                  kind="primary", source="primary")
    stories.update_stories(db)  # the primary is grouped first, alone
    news = add(db, "https://scan.example/1", UNIVERSITY)
    store.save_article(db, dict(db["articles"].get(news)),
                       [], citations=[{"url": "https://www.toto-tech.ac.jp/n.html", "link_text": "発表",
                                       "signals": ["official-domain:.ac.jp"]}])
    stories.update_stories(db)
    assert story_of(db, news)[0] == story_of(db, primary)[0]
    assert story_of(db, primary)[1] == "primary"


def test_news_about_a_monthly_release_joins_the_release_story(db):
    release = add(db, "https://msrc.microsoft.com/update-guide/releaseNote/2026-Nov", "63件の脆弱性。",
                  title="2026 年 11 月のセキュリティ更新プログラム", kind="release", source="msrc")
    text = "マイクロソフトは2026年11月の月例セキュリティ更新プログラムを公開した。63件を修正。"
    news = add(db, "https://zd.example/1", text, source="zdnet_japan")
    stories.update_stories(db)
    assert story_of(db, news)[0] == story_of(db, release)[0]
    assert db.execute("SELECT kind FROM stories WHERE id = ?", [story_of(db, release)[0]]).fetchone()[0] == "release"


def test_near_duplicates_far_apart_in_time_stay_apart(db):
    first = add(db, "https://scan.example/1", UNIVERSITY, published="2024-01-10T08:00:00+09:00")
    second = add(db, "https://iw.example/1", OTHER_SITE, published="2026-11-18T08:00:00+09:00")
    stories.update_stories(db)
    assert story_of(db, first)[0] != story_of(db, second)[0]


def test_incremental_processes_only_new_and_changed(db):
    first = add(db, "https://scan.example/1", UNIVERSITY)
    assert stories.update_stories(db).processed == 1
    assert stories.update_stories(db).processed == 0
    add(db, "https://scan.example/2", UNRELATED)
    store.save_article(db, {**dict(db["articles"].get(first)), "text": UNIVERSITY + "続報がある。"}, [])
    outcome = stories.update_stories(db)
    assert outcome.processed == 2 and outcome.created == 1
    assert db.execute("SELECT article_version FROM story_articles WHERE article_id = ?", [first]).fetchone()[0] == 2


def test_rebuild_regroups_and_gives_the_same_grouping(db):
    ids = [add(db, "https://scan.example/1", UNIVERSITY), add(db, "https://iw.example/1", OTHER_SITE),
           add(db, "https://scan.example/2", UNRELATED)]
    stories.update_stories(db)
    before = [story_of(db, i)[0] == story_of(db, ids[0])[0] for i in ids]
    outcome = stories.rebuild_stories(db)
    assert outcome.processed == 3
    assert [story_of(db, i)[0] == story_of(db, ids[0])[0] for i in ids] == before == [True, True, False]


def test_merge_and_split(db):
    first = add(db, "https://scan.example/1", UNIVERSITY)
    other = add(db, "https://scan.example/2", UNRELATED)
    stories.update_stories(db)
    keep, absorb = story_of(db, first)[0], story_of(db, other)[0]
    stories.merge_stories(db, keep, absorb)
    assert story_of(db, other) == (keep, "duplicate")
    assert db["stories"].get(absorb)["merged_into"] == keep
    new_story = stories.split_article(db, other)
    assert story_of(db, other) == (new_story, "news") and new_story not in (keep, absorb)
    with pytest.raises(LookupError):
        stories.split_article(db, 999)


def test_news_citing_the_same_notice_join_one_story_even_when_worded_apart(db):
    notice = {"url": "https://www.toto-tech.ac.jp/n.html", "link_text": "発表", "signals": ["official-domain:.ac.jp"]}
    first = add(db, "https://scan.example/1", UNIVERSITY)
    other = add(db, "https://iw.example/9", UNRELATED, source="internet_watch")  # unlike wording, same notice
    for article_id in (first, other):
        store.save_article(db, dict(db["articles"].get(article_id)), [], citations=[notice])
    stories.update_stories(db)
    assert story_of(db, first)[0] == story_of(db, other)[0]
