"""Locks are waited for, unusable databases are refused before anything is written, and drafting
finishes what an interrupted run left (issue 8, points 1, 9, 10)."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import time

import pytest
import sqlite_utils

from conftest import ROOT, run_newsdesk
from pipeline import store, stories
from pipeline.analyse.relevance import load_profile
from pipeline.drafts import draft, stories_to_draft
from pipeline.store import schema

TEXTS = ["東都工科大学は11月18日、不正アクセスを受けたと発表した。66,482件の個人情報が流出した可能性がある。",
         "架空銀行でシステム障害が発生した。ATMが3時間停止した。原因は調査中だという。",
         "量子暗号の実証実験に成功したと研究所が発表した。伝送距離は約400kmである。"]


def fill(db, count=3):
    for number, text in enumerate(TEXTS[:count], start=1):
        store.save_article(db, {"source": "scannetsecurity", "lang": "ja", "lead": None, "body_status": "full",
                                "url": f"https://scan.netsecurity.ne.jp/article/2026/11/18/{number}.html",
                                "title": text[:20], "text": text,
                                "published_at": f"2026-11-{10 + number}T08:00:00+09:00"}, [])


@pytest.fixture
def drafted(tmp_path):
    path = tmp_path / "durable.db"
    db = store.open_db(path)
    fill(db)
    draft(db, load_profile())
    db.close()
    return path


# --- point 1: an interrupted draft is finished by the next one ----------------------------------------

def test_stories_grouped_but_not_drafted_are_drafted_by_the_next_run(db):
    fill(db)
    grouped = stories.update_stories(db)  # as if `draft` was killed right after grouping
    assert grouped.processed == 3 and db["candidates"].count == 0
    assert len(stories_to_draft(db)) == 3
    outcome = draft(db, load_profile())
    assert outcome.articles_grouped == 0 and outcome.drafted == 3  # nothing new to group, all drafted
    assert stories_to_draft(db) == [] and draft(db, load_profile()).drafted == 0


def test_a_story_changed_after_its_draft_is_drafted_again(db):
    fill(db)
    draft(db, load_profile())
    article = dict(db["articles"].get(2))
    store.save_article(db, {**article, "text": article["text"] + "ATMは午後に復旧した。"}, [])
    stories.update_stories(db)  # grouped, then killed before drafting
    [story] = stories_to_draft(db)
    assert draft(db, load_profile()).redrafted == 1 and stories_to_draft(db) == []
    assert db.execute("SELECT drafted_revision FROM candidates WHERE story_id = ?", [story]).fetchone()[0] == \
        db.execute("SELECT revision FROM stories WHERE id = ?", [story]).fetchone()[0]


# --- point 9: waiting for another writer -----------------------------------------------------------------

HOLD = """
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
c.execute("UPDATE candidates SET score = score")
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
c.execute("COMMIT")
"""


def hold_write_lock(path, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    return holder


@pytest.mark.parametrize("args", [["pick", "1"], ["edit", "1", "--headline", "編集"], ["draft"], ["reject", "2"]])
def test_writers_wait_for_another_process_lock(drafted, args):
    db = store.open_db(drafted)
    article = dict(db["articles"].get(3))
    store.save_article(db, {**article, "text": article["text"] + "実験は続く。"}, [])  # work for `draft`
    db.close()
    holder = hold_write_lock(drafted, 3)
    started = time.monotonic()
    result = run_newsdesk(*args, db=drafted)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started >= 2.5  # it could only write once the other process let go
    holder.wait(timeout=30)


def test_a_lock_held_past_the_busy_timeout_is_one_sentence(drafted):
    holder = hold_write_lock(drafted, 6)
    result = run_newsdesk("pick", "1", db=drafted, env={store.BUSY_ENV_VAR: "1"})
    holder.wait(timeout=30)
    assert result.returncode == 3
    assert result.stderr.strip().splitlines() == [
        "Error: the database is locked by another process; gave up after waiting 1 s "
        f"(set {store.BUSY_ENV_VAR} to wait longer)"]
    assert store.open_db(drafted).execute("SELECT status FROM candidates WHERE id = 1").fetchone()[0] == "new"


# --- point 10: databases that are not newsdesk's --------------------------------------------------------

def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("args", [["candidates"], ["show", "1"], ["search", "流出"], ["article", "1"], ["draft"],
                                  ["pick", "1"], ["export"], ["reextract"]])
def test_random_bytes_are_refused_by_every_command(tmp_path, args):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(bytes(range(256)) * 64)
    before = digest(garbage)
    result = run_newsdesk(*args, db=garbage)
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "cannot be used" in result.stderr
    assert digest(garbage) == before


def test_a_crawl_into_random_bytes_is_refused_before_scrapy_starts(tmp_path):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database " * 500)
    result = run_newsdesk("crawl", "nict", "--mirror", (ROOT / "pipeline" / "demo_site").as_uri(), db=garbage)
    assert result.returncode == 3 and len(result.stderr.strip().splitlines()) == 1, result.stderr


def foreign_database(path):
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE candidates (id INTEGER PRIMARY KEY, name TEXT, votes INTEGER)")
    conn.execute("CREATE TABLE ballots (id INTEGER PRIMARY KEY)")
    conn.execute("INSERT INTO candidates (name, votes) VALUES ('someone', 3)")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("args", [["candidates"], ["draft"], ["search", "流出"]])
def test_another_programs_database_is_refused_and_left_as_it_was(tmp_path, args):
    other = tmp_path / "elections.db"
    foreign_database(other)
    before = digest(other)
    result = run_newsdesk(*args, db=other)
    assert result.returncode == 3
    assert "is not a newsdesk database" in result.stderr and "candidates would clash" in result.stderr
    assert digest(other) == before
    tables = {row[0] for row in sqlite3.connect(other).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"candidates", "ballots"}


def test_a_database_from_a_newer_newsdesk_is_refused(drafted):
    db = store.open_db(drafted)
    db["schema_migrations"].insert({"version": 99, "name": "from the future", "applied_at": store.now_iso()})
    db.close()
    result = run_newsdesk("candidates", db=drafted)
    assert result.returncode == 3 and "schema version 99, newer than this newsdesk knows" in result.stderr


def old_database(path, versions: int):
    """A database as an older newsdesk left it: only its first migrations applied."""
    db = sqlite_utils.Database(path)
    db.execute(schema.MIGRATIONS_TABLE)
    for version, name, apply in schema.MIGRATIONS[:versions]:
        with store.transaction(db):
            apply(db)
            db["schema_migrations"].insert({"version": version, "name": name, "applied_at": store.now_iso()})
    db.close()


def test_read_only_commands_never_migrate(tmp_path):
    old = tmp_path / "old.db"
    old_database(old, 3)
    before = digest(old)
    for args in (["candidates"], ["search", "流出"], ["show", "1"], ["article", "1"]):
        result = run_newsdesk(*args, db=old)
        assert result.returncode == 3 and "has schema version 3; run a command that writes" in result.stderr
    assert digest(old) == before
    assert run_newsdesk("draft", db=old).returncode == 0  # a writing command upgrades it
    assert schema.schema_version(store.open_db(old)) == schema.LATEST_VERSION


def test_a_failing_migration_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "migrating.db"
    store.open_db(path).close()

    def broken(db):
        db.execute("CREATE TABLE half_done (x)")
        db.execute("ALTER TABLE articles ADD COLUMN half TEXT")
        raise RuntimeError("disk full, say")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, (99, "broken", broken)])
    monkeypatch.setattr(schema, "LATEST_VERSION", 99)
    with pytest.raises(RuntimeError, match="disk full"):
        store.open_db(path)
    monkeypatch.undo()
    db = store.open_db(path)
    assert "half_done" not in db.table_names() and "half" not in db["articles"].columns_dict
    assert schema.schema_version(db) == schema.LATEST_VERSION
