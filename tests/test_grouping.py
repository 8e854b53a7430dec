"""Grouping against story centroids (issue 10): facts in conflict, time, bounded candidates, the join
model's file, the repair pass, editors' decisions kept, and a rebuild equal to incremental runs."""

from __future__ import annotations

import json
import random

import pytest

from pipeline import store, stories
from pipeline.stories import grouping, repair, retrieval, scoring
from pipeline.stories.centroids import Centroids
from pipeline.stories.evidence import explain
from pipeline.stories.profiles import TermStats
from pipeline.stories.scoring import COSINES, FEATURES, join_model, model_from

NOTICE = ("{org}は{day}、社内のファイルサーバが第三者による不正アクセスを受け、取引先担当者の氏名と連絡先"
          "{count}件が外部に流出した可能性があると発表した。同社によると、不審な通信を検知して調査したところ、"
          "保守用アカウントの推測されやすいパスワードが悪用されていた。外部の専門機関と調査を進めている。")


def add(db, url, text, title, published, source="scannetsecurity", kind="news"):
    store.save_article(db, {"source": source, "url": url, "title": title, "text": text, "kind": kind, "lead": None,
                            "lang": "ja", "body_status": "full", "published_at": published}, [])
    return db.execute("SELECT id FROM articles WHERE url = ?", [url]).fetchone()[0]


def story_of(db, article_id):
    return db.execute("SELECT story_id FROM story_articles WHERE article_id = ?", [article_id]).fetchone()[0]


def incident(db, n, org, count, published, source="scannetsecurity"):
    text = NOTICE.format(org=org, day="11月18日", count=f"{count:,}")
    return add(db, f"https://{source}.example/{n}", text, f"{org}に不正アクセス、{count:,}件流出の可能性", published,
               source=source)


def test_one_incident_on_two_sites_joins_by_text_and_says_why(db):
    first = incident(db, 1, "株式会社ミナトロジスティクス", 5891, "2026-11-18T10:00:00+09:00")
    second = incident(db, 2, "株式会社ミナトロジスティクス", 5891, "2026-11-19T09:00:00+09:00", "internet_watch")
    stories.update_stories(db)
    assert story_of(db, first) == story_of(db, second)
    why = json.loads(db.execute("SELECT evidence FROM story_articles WHERE article_id = ?", [second]).fetchone()[0])
    assert why["by"] == "similar" and why["model"] == join_model().version
    assert why["score"] >= join_model().threshold and "org:株式会社ミナトロジスティクス" in why["shared"]
    said = explain(json.dumps(why))
    assert said.startswith("similar to the story: score") and "株式会社ミナトロジスティクス" in said


def test_show_and_the_desk_say_why_an_article_joined_by_text(db):
    from click.testing import CliRunner

    from pipeline.analyse.relevance import load_profile
    from pipeline.cli import cli
    from pipeline.desk import queue
    from pipeline.drafts import draft

    incident(db, 1, "株式会社ミナトロジスティクス", 5891, "2026-11-18T10:00:00+09:00")
    incident(db, 2, "株式会社ミナトロジスティクス", 5891, "2026-11-19T09:00:00+09:00", "internet_watch")
    draft(db, load_profile())
    path = db.execute("PRAGMA database_list").fetchone()[2]
    shown = CliRunner().invoke(cli, ["--db", path, "show", "1"]).output
    assert "(news): started the story" in shown and "similar to the story: score" in shown
    whys = [member["why"] for member in queue.detail(db, 1)["articles"]]
    assert any(why.startswith("similar to the story") for why in whys)


def test_other_victims_in_the_same_words_the_same_week_are_other_stories(db):
    ids = [incident(db, n, org, count, f"2026-11-{18 + n}T10:00:00+09:00")
           for n, (org, count) in enumerate([("株式会社ミナトロジスティクス", 5891), ("株式会社サンライズ食品", 1284),
                                             ("株式会社ホクセイ電機", 20114)])]
    stories.update_stories(db)
    assert len({story_of(db, article) for article in ids}) == 3


PROVIDER = "メールサービスを提供する株式会社コムクラウドによると、不審なログインは海外から行われていた。"
PHISHING = {
    "株式会社ブルーネット": "株式会社ブルーネットは5月22日、営業部の社員のメールアカウントが乗っ取られ、取引先など"
                            "18,314通のフィッシングメールが送信されたと発表した。" + PROVIDER +
                            "同社は全社員のパスワードを変更し、取引先に注意を呼びかけている。",
    "ソラひかり株式会社": "ソラひかり株式会社は、経理担当者のアカウントが5月20日から不正に使われ、23,428通の"
                          "フィッシングメールが送信されていたことを明らかにした。" + PROVIDER +
                          "多要素認証を導入し、警察に相談している。",
}


def test_victims_named_in_the_headlines_differ_even_when_both_name_the_same_provider(db):
    blue = add(db, "https://scannetsecurity.example/1", PHISHING["株式会社ブルーネット"],
               "株式会社ブルーネット、アカウント乗っ取りでフィッシングメール18,314通", "2025-05-22T10:00:00+09:00")
    sora = add(db, "https://scannetsecurity.example/2", PHISHING["ソラひかり株式会社"],
               "ソラひかり株式会社のメールアカウント乗っ取り、23,428通のフィッシングメール送信",
               "2025-05-22T15:00:00+09:00")
    stories.update_stories(db)
    assert story_of(db, blue) != story_of(db, sora)
    evidence = json.loads(db.execute("SELECT evidence FROM story_articles WHERE article_id = ?", [sora]).fetchone()[0])
    assert evidence == {"by": "new"}


def test_headline_victims_conflict_unless_one_side_names_the_others_victim():
    from pipeline.stories.profiles import build_profile
    from pipeline.stories.scoring import article_side, features

    def side(n, title, text):
        profile = build_profile({"id": n, "version": 1, "published_at": "2025-05-22T10:00:00+09:00",
                                 "title": title, "lead": None, "text": text})
        return article_side(profile, {}, 1000)

    blue = side(1, "株式会社ブルーネット、アカウント乗っ取り", PHISHING["株式会社ブルーネット"])
    sora = side(2, "ソラひかり株式会社のメールアカウント乗っ取り", PHISHING["ソラひかり株式会社"])
    provider = side(3, "株式会社コムクラウドに不正ログイン、利用企業のソラひかり株式会社などに影響", PROVIDER)
    assert features(sora, blue, {}, {}, 1000)["title_org_conflict"] == 1.0
    assert features(provider, sora, {}, {}, 1000)["title_org_conflict"] == 0.0  # the provider's story names Sora


def near_stories(db, article_id):
    """The stories _near_duplicates finds for a stored article (its signature, its date's window)."""
    from pipeline.stories.signatures import band_keys, load_signature

    row = db.execute("SELECT a.id, a.published_at, s.minhash FROM articles a JOIN article_signatures s "
                     "ON s.article_id = a.id WHERE a.id = ?", [article_id]).fetchone()
    bounds = retrieval.window(row[1], grouping.WINDOW_DAYS, grouping.WINDOW_DAYS)
    minhash = load_signature(row[2])
    return grouping._near_duplicates(db, {"id": row[0]}, minhash, band_keys(minhash), bounds)


@pytest.mark.parametrize("dates", [("2026-11-30T23:00:00+09:00", "2026-12-01T08:00:00+09:00"),
                                   ("2025-12-20T10:00:00+09:00", "2026-01-05T10:00:00+09:00"),
                                   ("2026-11-18T10:00:00+09:00", None)])
def test_near_duplicates_are_found_across_months_years_and_unknown_dates(db, dates):
    org = "株式会社ミナトロジスティクス"
    first = incident(db, 1, org, 5891, dates[0])
    other = incident(db, 2, "株式会社サンライズ食品", 1284, dates[0])
    copy = incident(db, 3, org, 5891, dates[1], "internet_watch")
    stories.update_stories(db, decide=lambda article, scored: None)  # each its own story: only LSH can tell
    near = near_stories(db, copy)
    assert near[story_of(db, first)][0] >= grouping.DUPLICATE_JACCARD  # the same notice, another month
    assert near.get(story_of(db, other), (0.0,))[0] < near[story_of(db, first)][0]
    months = [row[0] for row in db.execute("SELECT DISTINCT month FROM lsh_buckets ORDER BY 1")]
    assert months == sorted({(date or "")[:7] for date in dates})


def test_bucket_months_cover_the_window_and_every_month_when_the_date_is_unknown(db):
    from pipeline.stories.signatures import bucket_months

    assert bucket_months(db, ("2025-11-20T10:00:00+09:00", "2026-02-03T10:00:00+09:00")) == [
        "2025-11", "2025-12", "2026-01", "2026-02"]
    assert bucket_months(db, retrieval.OPEN_WINDOW) == [""]  # nothing stored yet
    incident(db, 1, "株式会社ミナトロジスティクス", 5891, "2026-09-18T10:00:00+09:00")
    incident(db, 2, "株式会社サンライズ食品", 1284, "2026-11-02T10:00:00+09:00")
    stories.update_stories(db)
    assert bucket_months(db, retrieval.OPEN_WINDOW) == ["", "2026-09", "2026-10", "2026-11"]
    db.execute("UPDATE lsh_buckets SET month = '2026/11' WHERE month = '2026-11'")  # a date in another form
    assert bucket_months(db, retrieval.OPEN_WINDOW) == ["2026-09", "2026/11"]  # the months as they are


def test_the_same_incident_months_later_is_another_story(db):
    first = incident(db, 1, "株式会社ミナトロジスティクス", 5891, "2026-03-02T10:00:00+09:00")
    later = incident(db, 2, "株式会社ミナトロジスティクス", 5891, "2026-07-20T10:00:00+09:00", "internet_watch")
    stories.update_stories(db)
    assert story_of(db, first) != story_of(db, later)


def test_candidates_are_bounded_whatever_the_archive_size(db):
    for n in range(60):  # sixty stories sharing the same words the same week
        incident(db, n, f"株式会社テスト{n:03d}商事", 100 + n, f"2026-11-{10 + n % 7:02d}T10:00:00+09:00")
    seen = []

    def record(article, scored):
        seen.append(len(scored))
        return grouping.best_candidate(article, scored)

    stories.update_stories(db, decide=record)
    assert max(seen) <= grouping.MAX_CANDIDATES < 60
    keys = json.loads(db.execute("SELECT keys FROM article_profiles LIMIT 1").fetchone()[0])
    stats = TermStats(db)
    found = retrieval.stories_sharing(db, keys, retrieval.OPEN_WINDOW, stats.lookup(keys), stats.total, limit=500)
    assert 0 < len(found) <= len(keys) * retrieval.POSTINGS_PER_KEY


def test_the_repair_pass_merges_fragments_but_not_other_incidents(db):
    org = "株式会社ミナトロジスティクス"
    first = incident(db, 1, org, 5891, "2026-11-18T10:00:00+09:00")
    first_copy = incident(db, 2, org, 5891, "2026-11-18T10:30:00+09:00", "zdnet_japan")
    second = incident(db, 3, org, 5891, "2026-11-18T12:00:00+09:00", "internet_watch")
    second_copy = incident(db, 4, org, 5891, "2026-11-18T12:30:00+09:00", "nict")
    other = incident(db, 5, "株式会社サンライズ食品", 1284, "2026-11-18T11:00:00+09:00")
    other_copy = incident(db, 6, "株式会社サンライズ食品", 1284, "2026-11-18T11:30:00+09:00", "zdnet_japan")
    fragment = {first_copy: first, second_copy: second, other_copy: other}

    def split_stream(article, scored):  # the stream splits the incident in two fragments of two
        wanted = fragment.get(article["id"])
        return next((s for s in scored if wanted and s.story_id == story_of(db, wanted)), None)

    outcome = stories.update_stories(db, decide=split_stream)
    assert outcome.created == 3 and outcome.repaired == 1   # ... and the same run's repair pass mends it
    assert story_of(db, first) == story_of(db, second) == story_of(db, second_copy) != story_of(db, other)
    assert db.execute("SELECT count(*) FROM stories").fetchone()[0] == 2
    why = json.loads(db.execute("SELECT evidence FROM story_articles WHERE article_id = ?", [second]).fetchone()[0])
    assert why["by"] == "repair" and "repair pass" in explain(json.dumps(why))


def test_the_repair_pass_reads_only_the_stories_changed_since_it_last_looked(db):
    from pipeline.store.schema import UNREPAIRED

    org = "株式会社ミナトロジスティクス"
    behind = f"SELECT count(*) FROM stories INDEXED BY stories_unrepaired WHERE {UNREPAIRED}"
    first = incident(db, 1, org, 5891, "2026-11-18T10:00:00+09:00")
    second = incident(db, 2, org, 5891, "2026-11-18T12:00:00+09:00", "internet_watch")
    outcome = stories.update_stories(db, decide=lambda article, scored: None)  # the stream splits them
    assert outcome.created == 2 and outcome.repaired == 0  # stories of one article: nothing to check
    assert db.execute(behind).fetchone()[0] == 0  # ... and none is left behind for the next pass
    second_copy = incident(db, 3, org, 5891, "2026-11-18T12:30:00+09:00", "nict")

    def into_second(article, scored):
        return next((s for s in scored if s.story_id == story_of(db, second)), None)

    assert stories.update_stories(db, decide=into_second).repaired == 1  # grown to two: checked, mended
    assert story_of(db, first) == story_of(db, second) == story_of(db, second_copy)
    assert db.execute(behind).fetchone()[0] == 0


def test_the_repair_pass_never_touches_a_story_an_editor_shaped(db):
    from pipeline.analyse.relevance import load_profile
    from pipeline.drafts import draft

    org = "株式会社ミナトロジスティクス"
    ids = [incident(db, n, org, 5891, f"2026-11-18T1{n}:00:00+09:00", source)
           for n, source in enumerate(["scannetsecurity", "zdnet_japan", "internet_watch", "nict"])]
    draft(db, load_profile())
    assert len({story_of(db, a) for a in ids}) == 1
    stories.split_article(db, ids[2])                       # the editor says: two stories ...
    stories.split_article(db, ids[3])
    stories.merge_stories(db, story_of(db, ids[2]), story_of(db, ids[3]))  # ... of two articles each
    db.execute("UPDATE stories SET repaired_revision = NULL")
    assert repair.repair_stories(db, Centroids(db, TermStats(db))) == 0
    draft(db, load_profile())
    assert story_of(db, ids[0]) == story_of(db, ids[1]) != story_of(db, ids[2]) == story_of(db, ids[3])


def test_a_changed_article_updates_its_story_centroid(db):
    first = incident(db, 1, "株式会社ミナトロジスティクス", 5891, "2026-11-18T10:00:00+09:00")
    stories.update_stories(db)
    row = dict(db["articles"].get(first))
    store.save_article(db, {**row, "text": row["text"] + "なお、CVE-2026-12345の悪用が原因と判明した。"}, [])
    stories.update_stories(db)
    facts = json.loads(db.execute("SELECT facts FROM story_centroids WHERE story_id = ?",
                                  [story_of(db, first)]).fetchone()[0])
    assert facts["id"] == ["CVE-2026-12345"]
    assert db.execute("SELECT df FROM term_stats WHERE term = ''").fetchone()[0] == 1  # counted once, not twice


def test_rebuild_gives_the_stories_of_incremental_runs_in_date_order(db, tmp_path):
    from bench.story_eval import articles, load_into

    rows = sorted(articles()[:90], key=lambda row: row["published_at"])
    incremental = store.open_db(tmp_path / "incremental.db")
    for start in range(0, len(rows), 15):                   # six daily runs
        load_into(incremental, rows[start:start + 15])
        stories.update_stories(incremental)
    load_into(db, rows)
    stories.update_stories(db)
    stories.rebuild_stories(db)

    def partition(database):
        groups = {}
        for url, story in database.execute("SELECT a.url, sa.story_id FROM story_articles sa "
                                           "JOIN articles a ON a.id = sa.article_id"):
            groups.setdefault(story, set()).add(url)
        return sorted(sorted(group) for group in groups.values())

    assert partition(db) == partition(incremental)
    assert len(partition(db)) < len(rows)                   # stories were formed, not one per article


def test_the_join_model_file_is_versioned_and_checked():
    model = join_model()
    assert model.version and 0 < model.threshold < model.repair_threshold < 1
    assert "id_conflict" in model.vetoes and model.probability({"id_conflict": 1.0, "title_cos": 1.0}) == 0.0
    assert model.weights["org_conflict"] < 0 and model.weights["title_org_conflict"] < 0
    assert model.weights["body_cos"] > 0
    with pytest.raises(ValueError, match="no weight for near_duplicate"):
        model_from({"version": "x", "weights": {k: 1 for k in model.weights if k != "near_duplicate"},
                    "bias": 0, "threshold": 0.5, "repair_threshold": 0.9})


def test_the_ceiling_bounds_the_probability_whatever_the_cosines():
    model = join_model()
    rng = random.Random(5)
    for _ in range(500):
        partial = {name: rng.choice((0.0, 1.0, rng.random())) for name in FEATURES if name not in COSINES}
        ceiling = model.ceiling(partial)
        for _ in range(5):
            cosines = {name: rng.random() for name in COSINES}
            assert model.probability({**cosines, **partial}) <= ceiling


def test_skipping_candidates_that_cannot_reach_the_threshold_changes_no_story(tmp_path, monkeypatch):
    from bench.story_eval import articles, load_into

    rows = articles()[:150]
    computed = []
    real = scoring.with_cosines
    monkeypatch.setattr(scoring, "with_cosines", lambda *args: computed.append(1) or real(*args))
    partitions, counts = [], []
    for name, decide in (("model", None), ("every", lambda article, scored: grouping.best_candidate(article, scored))):
        database = store.open_db(tmp_path / f"{name}.db")
        load_into(database, rows)
        computed.clear()
        stories.update_stories(database, decide=decide)
        counts.append(len(computed))
        partitions.append(sorted(database.execute(
            "SELECT a.url, sa.story_id, json_extract(sa.evidence, '$.score') FROM story_articles sa "
            "JOIN articles a ON a.id = sa.article_id ORDER BY a.url")))
    assert partitions[0] == partitions[1]
    assert 0 < counts[0] < counts[1]        # the model's own decision computed fewer cosines


def test_work_done_ahead_in_a_worker_gives_the_same_stories_and_drafts(tmp_path, monkeypatch):
    from bench.story_eval import articles, load_into
    from pipeline.analyse.relevance import load_profile
    from pipeline.drafts import draft
    from pipeline.stories import ahead

    monkeypatch.setattr(ahead, "POOL_MIN_ITEMS", 1)          # a worker process even for a small run
    rows = articles()[:80]
    results = []
    for workers in (0, 1):
        database = store.open_db(tmp_path / f"workers-{workers}.db")
        load_into(database, rows)
        outcome = draft(database, load_profile(), workers=workers)
        results.append((outcome.stories_new, outcome.drafted, list(database.execute(
            "SELECT a.url, c.headline, c.bullets, c.score, c.related FROM story_articles sa "
            "JOIN articles a ON a.id = sa.article_id JOIN candidates c ON c.story_id = sa.story_id ORDER BY a.url"))))
    assert results[0] == results[1] and results[0][1] > 0
    assert any(json.loads(related) for *_, related in results[0][2])  # the worker found related stories too


def test_an_archive_grouped_before_centroids_is_upgraded_and_profiled(tmp_path, monkeypatch):
    from pipeline.store import schema

    path = tmp_path / "v8.db"
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:8])
    monkeypatch.setattr(schema, "LATEST_VERSION", 8)
    old = store.open_db(path)
    first = incident(old, 1, "株式会社ミナトロジスティクス", 5891, "2026-11-18T10:00:00+09:00")
    second = incident(old, 2, "株式会社ミナトロジスティクス", 5891, "2026-11-19T09:00:00+09:00", "internet_watch")
    story = old.execute("INSERT INTO stories (title, created_at, updated_at) VALUES ('t', 'x', 'x')").lastrowid
    for article in (first, second):  # as the old grouping left them: a story and its LSH buckets
        old.execute("INSERT INTO story_articles (story_id, article_id, role, article_version, added_at) "
                    "VALUES (?, ?, 'news', 1, 'x')", [story, article])
        old.execute("INSERT INTO lsh_buckets (band, bucket, article_id) VALUES (0, 42, ?)", [article])
    old.conn.commit()
    old.close()
    monkeypatch.undo()
    db = store.open_db(path)                                 # migration 9
    assert db.execute("SELECT month, published_at FROM lsh_buckets ORDER BY article_id").fetchall() == [
        ("2026-11", "2026-11-18T10:00:00+09:00"), ("2026-11", "2026-11-19T09:00:00+09:00")]  # migrations 9, 15
    third = incident(db, 3, "株式会社ミナトロジスティクス", 5891, "2026-11-19T12:00:00+09:00", "zdnet_japan")
    stories.update_stories(db)                               # the old stories are profiled first
    assert db.execute("SELECT count(*) FROM article_profiles").fetchone()[0] == 3
    assert db.execute("SELECT articles FROM story_centroids WHERE story_id = ?", [story]).fetchone()[0] == 3
    assert story_of(db, third) == story


def test_document_frequencies_written_per_batch_equal_a_count_of_the_profiles(db, monkeypatch):
    monkeypatch.setattr(grouping, "BATCH", 2)  # several batches, one article changed in a later run
    ids = [incident(db, n, f"株式会社テスト{n % 3}", 100 + n, f"2026-11-{10 + n}T10:00:00+09:00") for n in range(5)]
    stories.update_stories(db)
    row = dict(db["articles"].get(ids[0]))
    store.save_article(db, {**row, "text": row["text"] + "なお、CVE-2026-12345の悪用が原因と判明した。"}, [])
    stories.update_stories(db)
    expected = {"": 5}
    for terms, facts in db.execute("SELECT terms, facts FROM article_profiles"):
        parsed, facts = json.loads(terms), json.loads(facts)
        found = {*parsed["title"], *parsed["body"], *(f"{kind}:{value}" for kind in ("id", "org")
                                                      for value in facts.get(kind, []))}
        for term in found:
            expected[term] = expected.get(term, 0) + 1
    stored = dict(db.execute("SELECT term, df FROM term_stats WHERE df != 0").fetchall())
    assert stored == expected and stored["id:CVE-2026-12345"] == 1
