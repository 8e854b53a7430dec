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


def test_rebuild_keeps_the_ids_of_candidates_whose_story_survives(db):
    from pipeline.analyse.relevance import load_profile
    from pipeline.desk.candidates import NotFound, get_candidate
    from pipeline.drafts import draft

    for number, text in enumerate(["東都工科大学が不正アクセスを発表した。66,482件が流出した可能性がある。",
                                   "架空銀行でシステム障害が発生した。ATMが3時間停止した。",
                                   "量子暗号の実証実験に成功した。伝送距離は約400kmである。"], start=1):
        store.save_article(db, {"source": "scannetsecurity", "url": f"https://scan.netsecurity.ne.jp/a/{number}.html",
                                "title": text[:16], "text": text, "lang": "ja", "lead": None, "body_status": "full",
                                "published_at": f"2026-11-1{number}T08:00:00+09:00"}, [])
    profile = load_profile()
    draft(db, profile)
    before = {row["story_id"]: row["id"] for row in db.query("SELECT id, story_id FROM candidates")}
    history = db.execute("SELECT count(*) FROM candidate_history").fetchone()[0]
    draft(db, profile, rebuild=True)
    after = {row["story_id"]: row["id"] for row in db.query("SELECT id, story_id FROM candidates")}
    assert after == before  # same stories, same ids: `show 2` still shows the same story
    assert db.execute("SELECT count(*) FROM candidate_history").fetchone()[0] >= history  # history kept
    assert db["story_rebuild"].count == 0
    # A story that does not come back whole: its id is retired, and says where its articles went.
    retired_story, retired_id = min(before.items())
    db.execute("INSERT INTO story_rebuild (story_id, article_id) VALUES (?, 2)", [retired_story])
    db.execute("UPDATE story_articles SET story_id = ? WHERE article_id = 2", [retired_story])
    db.conn.commit()
    draft(db, profile, rebuild=True)
    with pytest.raises(NotFound, match=f"candidate {retired_id} was retired .* now in candidates"):
        get_candidate(db, retired_id)
    assert retired_id not in {row["id"] for row in db.query("SELECT id FROM candidates")}
    assert db.execute("SELECT count(*) FROM candidates").fetchone()[0] == 3  # one per story, none orphaned
    assert db.execute("SELECT count(*) FROM stories st WHERE NOT EXISTS (SELECT 1 FROM story_articles sa "
                      "WHERE sa.story_id = st.id)").fetchone()[0] == 0
    assert db.execute("SELECT max(id) FROM candidates").fetchone()[0] > max(before.values())  # no id reused
