"""The drafting pipeline over the demo mirror and over small hand-made archives."""

from __future__ import annotations

import json

import pytest
import sqlite_utils

from conftest import DEMO_SITE, run_newsdesk
from pipeline import store
from pipeline.analyse.facts import facts_in
from pipeline.analyse.relevance import load_profile
from pipeline.drafts import draft
from samples import GOOD, OTHER_SITE, UNIVERSITY, UNRELATED, FakeModel, add


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    result = run_newsdesk("demo", "--keep", str(folder))
    assert result.returncode == 0, result.stderr
    return sqlite_utils.Database(folder / "newsdesk.db")


def candidate_for(db, url_part):
    rows = [r for r in db.query("SELECT * FROM candidates")
            if url_part in (r["news_url"] or "") or url_part in (r["primary_url"] or "")]
    assert len(rows) == 1, url_part
    return {**rows[0], **{k: json.loads(rows[0][k]) for k in ("links", "bullets", "explanation", "facts")}}


def test_one_candidate_per_story_with_news_then_primary_links(demo_db):
    university = candidate_for(demo_db, "51218.html")
    roles = [link["role"] for link in university["links"]]
    assert roles == ["news", "duplicate", "primary"]
    assert university["primary_url"] == "https://www.toto-tech.ac.jp/news/2026/1118-security.html"
    assert not any("2061834" in (r["news_url"] or "") for r in demo_db.query("SELECT news_url FROM candidates"))


def test_bullets_follow_the_house_format_and_record_their_source(demo_db):
    story_articles = {r["article_id"]: r["story_id"] for r in demo_db.query("SELECT * FROM story_articles")}
    for row in demo_db.query("SELECT * FROM candidates WHERE summariser = 'extractive'"):
        bullets = json.loads(row["bullets"])
        partial = demo_db.execute("SELECT min(a.body_status = 'partial') FROM story_articles sa JOIN articles a "
                                  "ON a.id = sa.article_id WHERE sa.story_id = ?", [row["story_id"]]).fetchone()[0]
        assert (1 if partial else 3) <= len(bullets) <= 4, row["headline"]  # a cut-short text may give fewer
        for bullet in bullets:
            assert len(bullet["text"]) <= 130
            assert story_articles[bullet["article_id"]] == row["story_id"]
            article = demo_db["articles"].get(bullet["article_id"])
            assert bullet["source_sentence"] in f"{article['lead']}\n{article['text']}"
            for figure in facts_in(bullet["text"]):
                assert figure in bullet["source_sentence"]


def test_candidates_are_ranked_with_an_explanation(demo_db):
    rows = list(demo_db.query("SELECT * FROM candidates ORDER BY score DESC"))
    top_two = {rows[0]["news_url"], rows[1]["news_url"]}
    assert any(url.endswith("51218.html") for url in top_two)  # the university breach with its notice
    for row in rows:
        explanation = json.loads(row["explanation"])
        assert row["score"] == pytest.approx(sum(e["weight"] for e in explanation))


def test_msrc_release_digest_states_the_release_figures(demo_db):
    document = json.loads((DEMO_SITE / "api.msrc.microsoft.com/cvrf/v3.0/cvrf/2026-Nov").read_text("utf-8-sig"))
    vulns = document["Vulnerability"]
    release = candidate_for(demo_db, "releaseNote/2026-Nov")
    assert release["summariser"] == "msrc-digest"
    text = "\n".join(b["text"] for b in release["bullets"])
    assert f"{len(vulns)}件の脆弱性" in text
    assert "CVE-2026-40001" in text and "CVE-2026-40002" in text and "CVE-2026-40003" in text
    assert "Windows Server 2012 R2" in text and "ESU" in text
    assert release["news_url"] == "https://japan.zdnet.com/article/35239870/"  # news first, then the release
    assert release["primary_url"].endswith("releaseNote/2026-Nov")
    assert release["headline"].startswith("Microsoftが2026年11月のセキュリティ更新プログラムを公開")


def test_llm_summariser_is_used_when_its_answer_checks_out(db):
    add(db, "https://scan.example/1", UNIVERSITY.replace("18日", "11月18日"))
    outcome = draft(db, load_profile(), llm_model=FakeModel(GOOD))
    [row] = db.query("SELECT * FROM candidates")
    assert row["summariser"] == "llm:fake" and outcome.summariser_fallbacks == 0
    assert json.loads(row["bullets"])[0]["text"] == GOOD.splitlines()[0][2:]


def test_llm_failure_falls_back_to_the_extractive_summariser(db):
    add(db, "https://scan.example/1", UNIVERSITY)
    outcome = draft(db, load_profile(), llm_model=FakeModel("- 70,000件が流出しました。\n- 二。\n- 三。"))
    [row] = db.query("SELECT * FROM candidates")
    assert row["summariser"] == "extractive" and outcome.summariser_fallbacks == 1


def test_redraft_updates_unedited_candidates_and_keeps_history(db):
    first = add(db, "https://scan.example/1", UNIVERSITY)
    draft(db, load_profile())
    add(db, "https://iw.example/1", OTHER_SITE, source="internet_watch")
    outcome = draft(db, load_profile())
    assert outcome.redrafted == 1 and outcome.drafted == 0
    [row] = db.query("SELECT * FROM candidates")
    assert len(json.loads(row["links"])) == 2
    actions = [r["action"] for r in db.query("SELECT action FROM candidate_history ORDER BY id")]
    assert actions == ["drafted", "redrafted"]
    assert first


def test_related_earlier_stories_are_suggested(db):
    add(db, "https://scan.example/old", UNIVERSITY.replace("東都工科大学", "西都大学"), title="西都大学に不正アクセス",
        published="2025-05-01T08:00:00+09:00")
    add(db, "https://scan.example/other", UNRELATED, published="2025-06-01T08:00:00+09:00")
    add(db, "https://scan.example/new", UNIVERSITY)
    draft(db, load_profile())
    new = next(r for r in db.query("SELECT * FROM candidates") if r["news_url"].endswith("/new"))
    related = json.loads(new["related"])
    assert [r["title"] for r in related] == ["西都大学に不正アクセス"] and related[0]["date"] == "2025-05-01"


def test_run_over_the_demo_mirror_is_idempotent(tmp_path, mirror_server):
    db_file = tmp_path / "run.db"
    for _ in range(2):
        result = run_newsdesk("run", "--mirror", mirror_server.url, "--since", "2000-01-01", db=db_file)
        assert result.returncode == 0, result.stderr
    db = store.open_db(db_file)
    assert db["candidates"].count == db["stories"].count > 0
    assert "0 articles grouped" in result.stdout


def test_a_story_retired_after_it_was_read_is_not_drafted(db):
    from pipeline import drafts, stories
    from pipeline.analyse.relevance import load_profile
    from pipeline.stories.lifecycle import retire

    store.save_article(db, {"source": "s", "url": "https://example.org/1", "title": "不正アクセスの報告",
                            "text": "株式会社テストは不正アクセスを受けたと発表した。", "kind": "news", "lang": "ja",
                            "body_status": "full", "published_at": "2026-11-18T10:00:00+09:00"}, [])
    stories.update_stories(db)
    story_id = db.execute("SELECT story_id FROM story_articles").fetchone()[0]
    prepared = (1, stories.story_articles(db, story_id), None)  # read ahead, then another process retires it
    db.execute("DELETE FROM story_articles")
    retire(db, story_id, [])
    db.conn.commit()
    outcome = drafts.DraftOutcome()
    drafts.draft_story(db, story_id, load_profile(), outcome, prepared=prepared)
    assert outcome.drafted == 0 and db.execute("SELECT count(*) FROM candidates").fetchone()[0] == 0


# --- drafting while grouping runs ------------------------------------------------------------------

def test_stories_settled_while_grouping_runs_are_drafted_then_as_they_would_be_after(tmp_path, monkeypatch):
    """With drafting workers (a large run), stories whose newest article is older than the grouping
    window before the articles still coming are drafted while grouping goes on: the same stories and
    the same drafts as drafting everything afterwards. (Only the related earlier stories may differ:
    they are weighed by the word counts of the archive grouped so far, as in an incremental run.)"""
    from bench.story_eval import articles, load_into
    from pipeline.stories import ahead, grouping

    monkeypatch.setattr(ahead, "POOL_MIN_ITEMS", 1)   # workers even for a small run
    monkeypatch.setattr(grouping, "BATCH", 50)        # several batches: stories settle between them
    rows = [row for row in articles() if row["kind"] != "release"]  # a release is drafted from its CVE rows
    dates = sorted(row["published_at"] for row in rows)
    assert dates[-1][:7] > dates[0][:7]               # the set spans months
    results, outcomes = [], []
    for workers in (0, 2):                            # 0: no workers, so nothing is drafted early
        database = store.open_db(tmp_path / f"workers-{workers}.db")
        load_into(database, rows)
        outcomes.append(draft(database, load_profile(), workers=workers))
        results.append(sorted(database.execute(
            "SELECT (SELECT group_concat(a.url) FROM (SELECT a.url FROM story_articles sa JOIN articles a "
            "ON a.id = sa.article_id WHERE sa.story_id = c.story_id ORDER BY a.url) a), "
            "c.headline, c.bullets, c.facts, c.score, c.links FROM candidates c")))
    assert outcomes[0].drafted_early == 0 and outcomes[1].drafted_early > len(results[0]) // 2
    assert outcomes[1].drafted + outcomes[1].redrafted >= outcomes[0].drafted == len(results[0])
    assert results[0] == results[1]


def test_a_story_drafted_early_that_grows_afterwards_is_drafted_again(db, monkeypatch):
    from pipeline.stories import ahead, grouping

    monkeypatch.setattr(ahead, "POOL_MIN_ITEMS", 1)
    monkeypatch.setattr(grouping, "BATCH", 1)         # a batch per article
    notice = "https://www.toto-tech.ac.jp/news/20260105.html"
    add(db, notice, UNIVERSITY, title="東都工科大学 不正アクセスについて", kind="primary",
        published="2026-01-05T10:00:00+09:00")
    add(db, "https://scan.example/other", UNRELATED, published="2026-02-20T08:00:00+09:00")  # the notice settles
    add(db, "https://scan.example/late", OTHER_SITE, title="東都工科大学のその後",
        published="2026-02-21T08:00:00+09:00", cites=[notice])
    outcome = draft(db, load_profile(), workers=1)
    assert outcome.drafted_early >= 1 and outcome.redrafted == 1
    story = db.execute("SELECT story_id FROM story_articles sa JOIN articles a ON a.id = sa.article_id "
                       "WHERE a.url = ?", [notice]).fetchone()[0]
    candidate = next(db.query("SELECT * FROM candidates WHERE story_id = ?", [story]))
    assert {link["url"] for link in json.loads(candidate["links"])} == {notice, "https://scan.example/late"}
    assert [row[0] for row in db.execute("SELECT action FROM candidate_history WHERE candidate_id = ? ORDER BY id",
                                         [candidate["id"]])] == ["drafted", "redrafted"]

