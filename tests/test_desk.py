"""The desk's functions and its Datasette server, in process (the browser tests are in test_desk_browser.py)."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import pytest

from pipeline import store
from pipeline.analyse.relevance import load_profile
from pipeline.desk import actions, candidates, editions, queue
from pipeline.desk.metadata import schema_descriptions
from pipeline.desk.server import ServeRefused, build
from pipeline.drafts import draft

NEWS = "https://scan.netsecurity.ne.jp/article/2026/11/{}.html"
TEXTS = ["東都工科大学は11月18日、不正アクセスを受けたと発表した。66,482件の個人情報が漏洩した可能性がある。",
         "架空銀行でシステム障害が発生した。ATMが3時間停止した。原因は調査中だという。",
         "量子暗号の実証実験に成功したと研究所が発表した。伝送距離は約400kmである。",
         "架空病院がランサムウェア攻撃を受けた。電子カルテが停止した。"]


@pytest.fixture
def desk_db(tmp_path):
    path = tmp_path / "newsdesk.db"
    db = store.open_db(path)
    for number, text in enumerate(TEXTS, start=1):
        store.save_article(db, {"source": "scannetsecurity", "url": NEWS.format(number), "title": text[:18],
                                "text": text, "lang": "ja", "lead": None, "body_status": "full",
                                "published_at": f"2026-11-{10 + number}T08:00:00+09:00"}, [])
    draft(db, load_profile())
    db.close()
    return path


def ids(db, **filters) -> list[int]:
    return [c["id"] for c in queue.queue(db, queue.Filters(**filters))]


def test_queue_filters_and_sorts(desk_db):
    db = store.open_db(desk_db)
    assert len(ids(db)) == 4 and len(ids(db, status="picked")) == 0
    candidates.set_status(db, 1, "picked", editor="alice")
    assert ids(db, status="picked") == [1] and 1 not in ids(db)
    assert ids(db, status=None, date_from="2026-11-13") == ids(db, status=None, date_from="2026-11-13", sort="date")
    newest = ids(db, status=None, sort="date")
    dates = [db.execute("SELECT first_published_at FROM stories st JOIN candidates c ON c.story_id = st.id "
                        "WHERE c.id = ?", [i]).fetchone()[0] for i in newest]
    assert dates == sorted(dates, reverse=True)
    assert ids(db, status=None, source="nosuch") == []


def test_undo_takes_back_the_last_editor_action(desk_db):
    db = store.open_db(desk_db)
    candidates.set_status(db, 2, "rejected", editor="alice")
    candidates.edit(db, 2, headline="編集した見出し", editor="alice")
    assert actions.undo(db, 2, editor="alice")["headline"] != "編集した見出し"
    undone = candidates.get_candidate(db, 2)
    assert undone["edited"] == 0 and undone["status"] == "rejected"
    assert actions.undo(db, 2, editor="alice")["status"] == "new"  # then the rejection
    with pytest.raises(actions.NothingToUndo):
        actions.undo(db, 2, editor="alice")
    editors = {row[0] for row in db.execute("SELECT editor FROM candidate_history WHERE actor = 'editor'")}
    assert editors == {"alice"}


def test_a_write_over_an_unseen_change_is_refused(desk_db):
    db = store.open_db(desk_db)
    [row] = [c for c in queue.queue(db, queue.Filters()) if c["id"] == 3]
    candidates.set_status(db, 3, "picked", editor="bob", seen=row["seen"])  # bob saw the current state
    with pytest.raises(candidates.Conflict, match="changed since you loaded it"):
        candidates.edit(db, 3, headline="古い画面からの編集", editor="alice", seen=row["seen"])
    assert candidates.get_candidate(db, 3)["headline"] != "古い画面からの編集"


def test_merge_split_commentary_and_editions(desk_db):
    db = store.open_db(desk_db)
    merged = actions.merge(db, 1, 4, editor="alice")
    assert candidates.get_candidate(db, 4)["status"] == "rejected"
    assert {a["url"] for a in merged["links"]} == {NEWS.format(1), NEWS.format(4)}
    new = actions.split(db, 1, db.execute("SELECT id FROM articles WHERE url = ?", [NEWS.format(4)]).fetchone()[0],
                        editor="alice")
    assert new["id"] not in (1, 4) and [link["url"] for link in new["links"]] == [NEWS.format(4)]
    actions.set_commentary(db, 1, "大学の発表を確認したい。", editor="alice")
    for candidate_id, place in ((1, 2), (2, 1)):
        candidates.set_status(db, candidate_id, "picked", editor="alice")
        actions.set_position(db, candidate_id, place, editor="alice")
    edition = editions.create_edition(db, title="テスト号", editor="alice")
    assert edition["candidate_ids"] == [2, 1]  # the editors' order
    assert edition["markdown"].startswith("# テスト号") and "- 大学の発表を確認したい。" in edition["markdown"]
    assert editions.next_items(db) == []  # published items do not wait for the next edition
    with pytest.raises(editions.NothingPicked):
        editions.create_edition(db)


def test_metadata_describes_every_table_and_column_of_the_live_schema(desk_db):
    db = store.open_db(desk_db)
    described = schema_descriptions()
    for table in db.table_names():
        if table.startswith(("articles_fts", "articles_words", "sqlite_")):
            continue
        assert described[table]["description"] or table == "schema_migrations", table
        assert set(db[table].columns_dict) <= set(described[table]["columns"]), table
    for table, entry in described.items():
        if table in db.table_names() and not table.startswith(("articles_fts", "articles_words")):
            assert set(entry["columns"]) <= set(db[table].columns_dict), f"{table}: documented but not in the schema"


def get(datasette, path):
    async def fetch():
        await datasette.invoke_startup()
        return await datasette.client.get(path)
    return asyncio.run(fetch())


def test_datasette_search_facets_queries_and_descriptions(desk_db):
    datasette = build(desk_db)
    found = get(datasette, "/newsdesk/articles.json?_search=漏洩&_shape=array&_col=url")
    assert [row["url"] for row in found.json()] == [NEWS.format(1)]  # a two-character word
    assert [row["url"] for row in get(datasette, "/newsdesk/articles.json?_search=不正アクセス&_shape=array").json()] \
        == [NEWS.format(1)]
    table = get(datasette, "/newsdesk/articles.json?_facet=source").json()
    assert table["facet_results"]["source"]["results"][0]["value"] == "scannetsecurity"
    assert get(datasette, "/newsdesk/stories_by_score.json?_shape=array").status_code == 200
    assert get(datasette, "/newsdesk/source_failures_this_week.json?source=nict&_shape=array").json() == []
    html = get(datasette, "/newsdesk/candidates").text
    assert "draft newsletter item" in html or "candidate" in html
    columns = json.loads(get(datasette, "/-/metadata.json").text)["databases"]["newsdesk"]["tables"]["articles"]
    assert columns["columns"]["body_status"].startswith("`full`")
    assert get(datasette, "/newsdesk/articles.csv?_size=1").status_code == 200


def test_a_public_server_needs_credentials_and_keeps_raw_pages_and_sql_closed(desk_db, tmp_path):
    with pytest.raises(ServeRefused, match="without editors' credentials"):
        build(desk_db, host="0.0.0.0")
    public = build(desk_db, host="0.0.0.0", read_only=True)
    assert get(public, "/newsdesk/raw_pages").status_code == 403
    assert get(public, "/newsdesk?sql=select+1").status_code == 403
    assert get(public, "/newsdesk/articles.json").status_code == 200
    assert "Pick" not in get(public, "/-/desk").text  # no actions on a read-only desk
    local = build(desk_db)
    assert get(local, "/newsdesk/raw_pages").status_code == 200 and "Pick (p)" in get(local, "/-/desk").text


def cli_json(db_file, *args):
    from click.testing import CliRunner

    from pipeline.cli import cli

    result = CliRunner().invoke(cli, ["--db", str(db_file), *args, "--json"], env={"NEWSDESK_EDITOR": "taro"})
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_every_desk_action_is_a_cli_command_with_json(desk_db, tmp_path):
    assert cli_json(desk_db, "commentary", "1", "所感です。")["commentary"] == "所感です。"
    merged = cli_json(desk_db, "merge", "1", "4")
    assert merged["id"] == 1 and len(merged["links"]) == 2
    article = store.open_db(desk_db).execute("SELECT id FROM articles WHERE url = ?", [NEWS.format(4)]).fetchone()[0]
    split = cli_json(desk_db, "split", "1", str(article))
    assert split["id"] > 4 and split["links"][0]["url"] == NEWS.format(4)
    assert cli_json(desk_db, "undo", "1")["commentary"] is None  # the commentary was the last undoable action
    from click.testing import CliRunner

    from pipeline.cli import cli

    assert CliRunner().invoke(cli, ["--db", str(desk_db), "pick", "2"], env={"NEWSDESK_EDITOR": "taro"}).exit_code == 0
    made = cli_json(desk_db, "edition", "--date", "2026-12-02", "-o", str(tmp_path / "e.md"))
    assert made["candidate_ids"] == [2] and made["editor"] == "taro"
    assert (tmp_path / "e.md").read_text(encoding="utf-8") == made["markdown"]
    editors = {row[0] for row in store.open_db(desk_db).execute(
        "SELECT DISTINCT editor FROM candidate_history WHERE actor = 'editor'")}
    assert editors == {"taro"}


def test_related_stories_that_appeared_in_an_edition_say_so(desk_db):
    db = store.open_db(desk_db)
    candidates.set_status(db, 1, "picked", editor="alice")
    editions.create_edition(db, issue_date=date(2026, 11, 10), editor="alice")
    story = candidates.get_candidate(db, 1)["story_id"]
    related = [{"story_id": story, "title": "東都工科大学", "date": "2026-11-11", "url": NEWS.format(1)}]
    db.execute("UPDATE candidates SET related = ? WHERE id = 2", [json.dumps(related, ensure_ascii=False)])
    db.conn.commit()
    assert queue.detail(db, 2)["related"][0]["editions"] == ["2026-11-10"]
    page = get(build(desk_db), "/-/desk/candidates/2").text
    assert "「2026/11/10号参照」" in page
