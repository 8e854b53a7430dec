"""Source health: ok, degraded or failing, with reasons, in the terminal and on the desk (issue 12)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from pipeline import store
from pipeline.analyse.health import source_health
from pipeline.cli import cli


def run_row(db, source, status, reason, days_ago, new=3, errors=0):
    started = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(timespec="seconds")
    return db["crawl_runs"].insert({"run_id": "r", "source": source, "started_at": started, "finished_at": started,
                                    "status": status, "finish_reason": reason, "articles_new": new,
                                    "errors": errors}).last_pk


def article(db, source, number, days_ago, partial=False):
    published = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(timespec="seconds")
    store.save_article(db, {"source": source, "url": f"https://{source}.example.jp/{number}.html", "title": "t",
                            "text": f"本文{number}", "lang": "ja", "lead": None, "published_at": published,
                            "body_status": "partial" if partial else "full"}, [])


def test_each_source_gets_a_verdict_with_reasons(db):
    for days in (3, 2, 1):
        run_row(db, "steady", "finished", "finished", days)
    for number in range(10):
        article(db, "steady", number, number * 0.5)
    run_row(db, "down", "finished", "finished", 3)
    run_row(db, "down", "failed", "nothing-read", 2, new=0, errors=4)
    run_row(db, "down", "failed", "nothing-read", 1, new=0, errors=4)
    run_row(db, "broken", "finished", "finished", 2)
    last = run_row(db, "broken", "finished", "finished", 1)
    store.record_error(db, last, "broken", "https://broken.example.jp/1.html", "rule", "rule 'body' matched nothing")
    for number in reversed(range(30)):  # stored oldest first: the newest 20 lost their bodies
        article(db, "broken", number, 1 + number * 0.2, partial=number < 20)
    run_row(db, "quiet", "finished", "finished", 1, new=0)
    for number in range(10):
        article(db, "quiet", number, 40 + number)
    verdicts = {h.source: h for h in source_health(db, ["steady", "down", "broken", "quiet", "new"])}
    assert verdicts["steady"].status == "ok" and verdicts["steady"].reasons == []
    assert verdicts["down"].status == "failing" and verdicts["down"].consecutive_failures == 2
    assert any("could not read anything" in r for r in verdicts["down"].reasons)
    assert verdicts["broken"].status == "degraded"
    assert any("rules matched nothing" in r for r in verdicts["broken"].reasons)
    assert any("without a full body" in r for r in verdicts["broken"].reasons)
    assert verdicts["quiet"].status == "degraded" and "nothing published for 40 days" in verdicts["quiet"].reasons[0]
    assert verdicts["new"].status == "unknown"


def test_health_command_and_desk_badges(db, tmp_path):
    run_row(db, "nict", "failed", "nothing-read", 2, new=0)
    run_row(db, "nict", "failed", "nothing-read", 1, new=0)
    path = db.execute("PRAGMA database_list").fetchone()[2]
    db.conn.commit()
    result = CliRunner().invoke(cli, ["--db", path, "health", "--json"])
    assert result.exit_code == 1  # a failing source: cron and monitoring notice
    report = {h["source"]: h for h in json.loads(result.output.split("\nError:")[0])}
    assert report["nict"]["status"] == "failing" and report["scannetsecurity"]["status"] == "unknown"
    table = CliRunner().invoke(cli, ["--db", path, "health"]).output
    assert "nict" in table and "failing" in table
    from test_desk import get

    from pipeline.desk.server import build

    datasette = build(__import__("pathlib").Path(path))
    assert "nict: failing" in get(datasette, "/-/desk").text
    assert "could not read anything" in get(datasette, "/-/desk/health").text
