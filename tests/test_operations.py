"""Operations: `newsdesk check`, quiet runs, the run log, and the scheduling files (issue 12)."""

from __future__ import annotations

import configparser
import json
import shutil
import subprocess

import pytest

from conftest import DEMO_SITE, ROOT, run_newsdesk

MIRROR = DEMO_SITE.as_uri()


def test_check_reports_every_rule_of_a_source_on_its_first_article(tmp_path):
    result = run_newsdesk("check", "scannetsecurity", "--mirror", MIRROR, "--json", db=tmp_path / "c.db")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["url"].startswith("https://scan.netsecurity.ne.jp/article/") and report["broken"] == []
    rules = {r["rule"]: r for r in report["rules"]}
    assert rules["title"]["matched"] == 1 and rules["title"]["found"]
    assert rules["published"]["found"].startswith("20")
    assert report["extracted"]["body_status"] in ("full", "partial") and report["extracted"]["title"]


def test_check_names_the_rule_that_broke(tmp_path):
    registry = (ROOT / "crawler" / "sources.toml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text(registry.replace('title = "header.arti-header h1.head"', 'title = "h1.renamed-by-the-site"'),
                      encoding="utf-8")
    url = "https://scan.netsecurity.ne.jp/article/2026/11/18/51218.html"
    result = run_newsdesk("check", "scannetsecurity", "--sources", str(broken), "--mirror", MIRROR, "--url", url,
                          db=tmp_path / "c.db")
    assert result.returncode == 1 and "rules that matched nothing: title" in result.stderr
    assert "h1.renamed-by-the-site" in result.stdout and "nothing" in result.stdout


def test_check_refuses_what_the_crawler_would(tmp_path):
    result = run_newsdesk("check", "nict", "--url", "http://127.0.0.1/admin", db=tmp_path / "c.db")
    assert result.returncode == 1 and "private or loopback address" in result.stderr


def test_quiet_runs_print_only_failures_and_the_summary_and_every_run_is_logged(tmp_path):
    db_file = tmp_path / "quiet.db"
    result = run_newsdesk("run", "--quiet", "--mirror", MIRROR, "--since", "2000-01-01", db=db_file)
    assert result.returncode == 0, result.stderr
    assert "nict" not in result.stdout  # nothing failed there: not listed
    assert "not-found" in result.stdout and "5 sources crawled, all read" in result.stdout
    log = (tmp_path / "logs" / "newsdesk.log").read_text(encoding="utf-8")
    assert "crawl scannetsecurity, nict, internet_watch, zdnet_japan, msrc starts" in log
    assert "5 sources crawled, all read" in log and "draft: " in log
    again = run_newsdesk("run", "--quiet", "--mirror", MIRROR, db=db_file)
    assert again.stdout.strip().splitlines()[-1].startswith("0 articles grouped")  # the summary only
    assert "no source is due yet" in (tmp_path / "logs" / "newsdesk.log").read_text(encoding="utf-8")


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=True, interpolation=None)
    parser.optionxform = str
    parser.read_string((ROOT / "deploy" / name).read_text(encoding="utf-8"))
    return parser


def test_the_systemd_units_and_crontab_line_run_the_scheduled_job():
    service, timer = unit("newsdesk.service"), unit("newsdesk.timer")
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["ExecStart"].split()[-2:] == ["run", "--quiet"]
    assert timer["Timer"]["Persistent"] == "true" and timer["Install"]["WantedBy"] == "timers.target"
    cron = [line for line in (ROOT / "deploy" / "crontab").read_text().splitlines() if line and line[0] != "#"]
    assert len(cron) == 1 and cron[0].split()[:5] == ["*/15", "*", "*", "*", "*"] and "newsdesk run" in cron[0]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "deploy/newsdesk.timer" in readme and "deploy/crontab" in readme


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_timer_calendar_is_valid_for_systemd():
    spec = unit("newsdesk.timer")["Timer"]["OnCalendar"]
    result = subprocess.run(["systemd-analyze", "calendar", spec], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and "Next elapse" in result.stdout, result.stderr


def test_long_commands_report_progress_unless_quiet(tmp_path):
    db_file = tmp_path / "progress.db"
    crawled = run_newsdesk("crawl", "nict", "msrc", "--mirror", MIRROR, "--since", "2000-01-01", db=db_file)
    assert crawled.returncode == 0
    assert "nict: 5 pages fetched, 3 articles stored (done: finished)" in crawled.stderr
    assert "msrc: " in crawled.stderr and "articles stored (done: finished)" in crawled.stderr
    drafted = run_newsdesk("draft", db=db_file)
    assert "grouping: 6/6" in drafted.stderr and "drafting: " in drafted.stderr
    quiet = run_newsdesk("crawl", "nict", "--quiet", "--mirror", MIRROR, db=tmp_path / "quiet.db")
    assert "pages fetched" not in quiet.stderr
