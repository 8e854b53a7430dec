"""`newsdesk reextract --workers N` (issue 11): workers give the same results as extraction in one
process, and a run killed half-way is resumed by the next one after the last article it stored
(a finished run starts the next one over)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
import sqlite_utils

from conftest import DEMO_SITE, ROOT, run_newsdesk
from crawler.sources import DEFAULT_REGISTRY
from pipeline import store

HARNESS = """
import os, signal, sys
import crawler.reextract, pipeline.store
from pipeline.cli import cli

crawler.reextract.BATCH, crawler.reextract.BATCH_SECONDS = 4, 1000.0  # commits every 4 articles only
original, calls, kill_at = pipeline.store.save_article, [0], int(sys.argv[1])

def killing(*args, **kwargs):
    calls[0] += 1
    if calls[0] == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    return original(*args, **kwargs)

pipeline.store.save_article = killing
cli(sys.argv[2:], prog_name="newsdesk")
"""


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reextract")
    db_file = folder / "crawled.db"
    result = run_newsdesk("crawl", "--mirror", DEMO_SITE.as_uri(), "--since", "2000-01-01", db=db_file)
    assert result.returncode == 0, result.stderr
    # A rule change: scannetsecurity's bodies are no longer found, so its articles change on re-extraction.
    registry = folder / "changed.toml"
    registry.write_text(DEFAULT_REGISTRY.read_text(encoding="utf-8").replace(
        'body = "article.arti-body"', 'body = "article.no-such-body"'), encoding="utf-8")
    return db_file, registry


def copy_of(crawled, tmp_path, name: str):
    db_file = tmp_path / f"{name}.db"
    shutil.copy(crawled[0], db_file)
    return db_file


def reextract(db_file, registry, *args: str) -> dict:
    result = run_newsdesk("--sources", str(registry), "reextract", "--json", *args, db=db_file)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def snapshot(db_file) -> dict:
    db = sqlite_utils.Database(db_file)
    return {
        "articles": sorted((r["url"], r["title"], r["text"], r["content_hash"], r["version"], r["body_status"],
                            r["published_at"]) for r in db.query("SELECT * FROM articles")),
        "versions": sorted((r["article_id"], r["version"], r["content_hash"])
                           for r in db.query("SELECT * FROM article_versions")),
        "vulnerabilities": db["vulnerabilities"].count,
        "cursors": db["job_cursors"].count,
    }


def test_two_workers_give_the_same_results_as_one_process(crawled, tmp_path):
    results = {}
    for workers in ("2", "1", "0"):
        db_file = copy_of(crawled, tmp_path, f"workers-{workers}")
        results[workers] = (reextract(db_file, crawled[1], "--workers", workers), snapshot(db_file))
    outcomes, stored = results["0"]
    assert outcomes["changed"] >= 3 and outcomes["unchanged"] >= 5 and stored["versions"]
    assert results["2"] == results["1"] == results["0"]


def test_a_killed_run_is_resumed_after_the_last_article_stored_and_a_finished_run_starts_over(crawled, tmp_path):
    clean = copy_of(crawled, tmp_path, "clean")
    reextract(clean, crawled[1], "--workers", "2")
    killed = copy_of(crawled, tmp_path, "killed")
    total = sqlite_utils.Database(killed)["articles"].count
    run = subprocess.run([sys.executable, "-c", HARNESS, "11", "--db", str(killed), "--sources", str(crawled[1]),
                          "reextract", "--workers", "2"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == -9, run.stderr
    db = sqlite_utils.Database(killed)
    eighth = db.execute("SELECT id FROM articles ORDER BY id LIMIT 1 OFFSET 7").fetchone()[0]
    assert db.execute("SELECT job, last_id FROM job_cursors").fetchall() == [("reextract", eighth)]

    resumed = reextract(killed, crawled[1], "--workers", "2")
    assert sum(resumed.values()) == total - 8  # only what the killed run had not stored
    assert snapshot(killed) == snapshot(clean)  # and the same end result as one uninterrupted run

    again = reextract(killed, crawled[1], "--workers", "2")
    assert again == {"unchanged": total}  # the finished run left no cursor: this one started over


def test_a_cursor_left_with_another_registry_is_not_used(db):
    with store.transaction(db):
        store.save_cursor(db, "reextract", 40, "registry-a", store.now_iso())
    assert store.job_cursor(db, "reextract", "registry-a") == 40
    assert store.job_cursor(db, "reextract", "registry-b") == 0
    assert store.job_cursor(db, "reextract:nict", "registry-a") == 0
    with store.transaction(db):
        store.clear_cursor(db, "reextract")
    assert store.job_cursor(db, "reextract", "registry-a") == 0
