"""Killed at any moment, the next run completes the work: SIGKILL at seeded points of a crawl and of a
draft, then one normal run, gives the same articles, links, stories and candidates as one run that
was never interrupted (issue 8, point 4)."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest
import sqlite_utils

from conftest import DEMO_SITE, ROOT, MirrorServer
from pipeline import store

SEED = 20261201
# The process kills itself (SIGKILL, no clean-up) on the Nth call of a function: inside a write
# transaction (a raw page being stored, an article being grouped) or between two (a story's draft).
HARNESS = """
import os, signal, sys
import pipeline.drafts, pipeline.store.articles, pipeline.stories.grouping
from pipeline.cli import cli

module_name, function_name, kill_at = sys.argv[1], sys.argv[2], int(sys.argv[3])
module = sys.modules[module_name]
original, calls = getattr(module, function_name), [0]

def killing(*args, **kwargs):
    calls[0] += 1
    if calls[0] == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    return original(*args, **kwargs)

setattr(module, function_name, killing)
cli(sys.argv[4:], prog_name="newsdesk")
"""
CRAWL_POINTS = [("pipeline.store.articles", "_save_raw_page"), ("pipeline.store", "save_article")]
DRAFT_POINTS = [("pipeline.stories.grouping", "_place"), ("pipeline.drafts", "draft_story")]


def newsdesk(db_file, *args, kill: tuple[str, str, int] | None = None) -> subprocess.CompletedProcess:
    if kill is None:
        command = [sys.executable, "-m", "pipeline", "--db", str(db_file), *args]
    else:
        command = [sys.executable, "-c", HARNESS, kill[0], kill[1], str(kill[2]), "--db", str(db_file), *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def snapshot(db_file) -> dict:
    """What a run produced, by URL (row ids depend on the order of work, not on its result)."""
    db = sqlite_utils.Database(db_file)
    urls = {row["id"]: row["url"] for row in db.query("SELECT id, url FROM articles")}
    stories = {}
    for row in db.query("SELECT story_id, article_id FROM story_articles"):
        stories.setdefault(row["story_id"], set()).add(urls[row["article_id"]])
    candidates = {}
    for row in db.query("SELECT story_id, headline, bullets, score, status FROM candidates"):
        bullets = tuple(b["text"] for b in json.loads(row["bullets"]))
        candidates[frozenset(stories[row["story_id"]])] = (row["headline"], bullets, row["score"], row["status"])
    return {
        "articles": {r["url"]: (r["title"], r["content_hash"], r["kind"], r["version"])
                     for r in db.query("SELECT * FROM articles")},
        "links": {(urls[r["news_article_id"]], r["cited_url"], urls.get(r["cited_article_id"]))
                  for r in db.query("SELECT * FROM article_links")},
        "stories": {frozenset(members) for members in stories.values()},
        "candidates": candidates,
    }


def kill_points(points, total: int, count: int = 4) -> list[tuple[str, str, int]]:
    """`count` seeded, reproducible, distinct kill points over the calls an uninterrupted run makes."""
    calls = sorted(random.Random(SEED).sample(range(1, total + 1), count))
    return [(*points[index % len(points)], call) for index, call in enumerate(calls)]


@pytest.fixture(scope="module")
def demo_mirror(tmp_path_factory):
    server = MirrorServer(DEMO_SITE, tmp_path_factory.mktemp("mirror") / "requests.jsonl")
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def reference(tmp_path_factory, demo_mirror):
    db_file = tmp_path_factory.mktemp("reference") / "reference.db"
    result = newsdesk(db_file, "run", "--mirror", demo_mirror, "--since", "2000-01-01")
    assert result.returncode == 0, result.stderr
    return db_file


def test_a_crawl_killed_at_seeded_points_is_completed_by_the_next_run(tmp_path, demo_mirror, reference):
    expected = snapshot(reference)
    saved = len(expected["articles"])
    for number, kill in enumerate(kill_points(CRAWL_POINTS, saved - 1)):
        db_file = tmp_path / f"killed-{number}.db"
        killed = newsdesk(db_file, "run", "--mirror", demo_mirror, "--since", "2000-01-01", kill=kill)
        assert killed.returncode == -9, f"{kill}: the run was not killed ({killed.returncode})"
        partial = snapshot(db_file)
        assert len(partial["articles"]) < saved, f"{kill}: killed after the work was done"
        resumed = newsdesk(db_file, "run", "--mirror", demo_mirror, "--since", "2000-01-01")
        assert resumed.returncode == 0, resumed.stderr
        assert snapshot(db_file) == expected, f"killed at {kill}"


def test_a_draft_killed_at_seeded_points_is_completed_by_the_next_run(tmp_path, reference):
    expected = snapshot(reference)
    crawled = sqlite_utils.Database(reference)
    for number, kill in enumerate(kill_points(DRAFT_POINTS, crawled["stories"].count - 1)):
        db_file = tmp_path / f"draft-{number}.db"
        undrafted = sqlite_utils.Database(db_file)
        crawled.conn.backup(undrafted.conn)  # the crawled archive, before any draft
        for table in ("candidate_history", "candidates", "story_articles", "stories", "lsh_buckets",
                      "article_signatures"):
            undrafted.execute(f"DELETE FROM {table}")
        undrafted.conn.commit()
        undrafted.close()
        killed = newsdesk(db_file, "draft", kill=kill)
        assert killed.returncode == -9, f"{kill}: the draft was not killed ({killed.returncode})"
        assert sqlite_utils.Database(db_file)["candidates"].count < len(expected["candidates"])
        resumed = newsdesk(db_file, "draft")
        assert resumed.returncode == 0, resumed.stderr
        assert snapshot(db_file) == expected, f"killed at {kill}"
        assert store.open_db(db_file).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
