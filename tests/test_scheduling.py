"""`newsdesk run` is safe to start every few minutes: one run at a time, due sources only (issue 12)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import sqlite_utils

from conftest import DEMO_SITE, ROOT, run_newsdesk
from pipeline.store.runlock import lock_path

MIRROR = ("--mirror", DEMO_SITE.as_uri(), "--since", "2000-01-01")


def crawled_sources(db_file) -> list[str]:
    return [row[0] for row in sqlite_utils.Database(db_file).execute("SELECT source FROM crawl_runs ORDER BY id")]


def test_a_second_run_crawls_only_what_is_due_and_all_forces_every_source(tmp_path):
    db_file = tmp_path / "due.db"
    assert run_newsdesk("run", *MIRROR, db=db_file).returncode == 0
    assert len(crawled_sources(db_file)) == 5
    again = run_newsdesk("run", *MIRROR, db=db_file)
    assert again.returncode == 0 and "no source is due yet" in again.stdout
    assert len(crawled_sources(db_file)) == 5  # nothing crawled
    db = sqlite_utils.Database(db_file)
    db.execute("UPDATE crawl_runs SET started_at = ? WHERE source = 'nict'",
               [(datetime.now(UTC) - timedelta(hours=7)).isoformat()])  # nict's 6 hours have passed
    db.conn.commit()
    assert run_newsdesk("run", *MIRROR, db=db_file).returncode == 0
    assert crawled_sources(db_file)[5:] == ["nict"]
    assert run_newsdesk("run", "--all", *MIRROR, db=db_file).returncode == 0
    assert len(crawled_sources(db_file)) == 11


def test_a_source_whose_last_crawl_failed_is_due_at_once(tmp_path):
    db_file = tmp_path / "failed.db"
    assert run_newsdesk("run", "--mirror", "http://127.0.0.1:9", db=db_file).returncode == 3
    assert len(crawled_sources(db_file)) == 5
    assert run_newsdesk("run", *MIRROR, db=db_file).returncode == 0
    assert len(crawled_sources(db_file)) == 10  # every failed source tried again


HOLD = """
import sys, time
from pathlib import Path
from pipeline.store.runlock import run_lock
with run_lock(Path(sys.argv[1])):
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold_lock(db_file) -> subprocess.Popen:
    """Another process holding the run lock (for 30 s, or until killed)."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db_file), "30"], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True)
    assert holder.stdout.readline().strip() == "holding"
    return holder


def test_a_run_started_while_another_runs_exits_at_once(tmp_path):
    db_file = tmp_path / "locked.db"
    holder = hold_lock(db_file)
    try:
        result = run_newsdesk("run", *MIRROR, db=db_file)
        assert result.returncode == 0
        assert "skipped: another run (pid" in result.stderr and "is still running" in result.stderr
        assert not db_file.exists() or crawled_sources(db_file) == []
    finally:
        holder.kill()
        holder.wait()
    # The holder was killed: its lock went with it, and the next run says it took over.
    result = run_newsdesk("run", *MIRROR, db=db_file)
    assert result.returncode == 0 and "taking over the lock of an earlier run" in result.stderr
    assert len(crawled_sources(db_file)) == 5
    assert lock_path(db_file).read_text() == ""  # a clean finish releases it


def test_a_run_holding_the_lock_for_hours_is_reported_as_hung(tmp_path):
    db_file = tmp_path / "hung.db"
    holder = hold_lock(db_file)
    try:
        record = json.loads(lock_path(db_file).read_text())
        lock_path(db_file).write_text(json.dumps({**record, "started_at": (datetime.now(UTC) - timedelta(hours=7))
                                                 .isoformat()}))
        result = run_newsdesk("run", *MIRROR, db=db_file)
        assert result.returncode == 3 and "probably hung" in result.stderr
    finally:
        holder.kill()
        holder.wait()
