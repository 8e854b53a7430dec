"""The benchmark suite (bench/run.py) in --quick mode on a tiny site: every step runs, rounds are
interleaved, the JSON holds the ratios, and --check's exit status follows the goals. Nothing here
asserts a timing; the figures of a quick run mean nothing."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import measure  # noqa: E402
from bench.goals import goal_results, missed  # noqa: E402
from bench.report import LABELS  # noqa: E402
from bench.run import QUICK, STEPS  # noqa: E402
from bench.site import BENCH_DIR, FEED_ENTRIES, build_site  # noqa: E402
from crawler.extract.feed import parse_feed  # noqa: E402
from crawler.sources import load_sources  # noqa: E402
from crawler.urls import canonical_url  # noqa: E402

pytestmark = pytest.mark.skipif(not (BENCH_DIR / "html").is_dir(),
                                reason=f"the public article-extraction benchmark is not at {BENCH_DIR}")


def run_bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bench.run", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=900)


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    work = tmp_path_factory.mktemp("bench-suite")
    done = run_bench("--quick", "--work", str(work / "work"), "--json", str(work / "result.json"))
    assert done.returncode == 0, done.stderr[-3000:]
    return done, json.loads((work / "result.json").read_text(encoding="utf-8"))


def test_the_table_has_every_step_and_every_goal(quick):
    done, result = quick
    for label, _unit in LABELS.values():
        assert label in done.stdout
    for goal in result["goals"]:
        assert goal["name"] in done.stdout
    assert "100k reextract peak RSS" in done.stdout and "not measured here" in done.stdout


def test_rounds_run_round_robin_over_the_steps(quick):
    _done, result = quick
    order = [(entry["round"], entry["step"]) for entry in result["schedule"]]
    assert order == [(number, step) for number in range(1, QUICK["rounds"] + 1) for step in STEPS]
    assert all(len(result["steps"][step]) == QUICK["rounds"] for step in STEPS)


def test_every_page_is_crawled_and_the_second_crawl_fetches_no_article(quick):
    _done, result = quick
    pages = result["site"]["pages"]
    assert pages == QUICK["pages"]
    for first, second, again in zip(result["steps"]["crawl"], result["steps"]["recrawl"],
                                    result["steps"]["reextract"], strict=True):
        assert first["articles"] == pages and first["errors"] == 0 and first["status"] == "finished"
        assert second["articles_fetched"] == 0 and second["status"] == "finished"
        assert second["requests"] <= 3  # robots.txt, the feed and the first listing page, answered 304
        assert again["pages"] == pages and again["outcomes"].get("unchanged") == pages
    assert all(entry["pages"] == pages for entry in result["steps"]["scrapy_fetch"])


def test_the_json_holds_the_ratios_and_the_goals(quick):
    _done, result = quick
    ratios = result["summary"]["ratios"]
    for name in ("extraction_cost", "crawl_speedup", "reextract_speedup", "crawl_vs_bare_scrapy"):
        assert ratios[name] > 0
    per_query = result["summary"]["search_per_query"]
    assert set(per_query) == set(result["config"]["queries"]) >= {"流出", "攻撃", "漏洩", "AI"}
    assert {goal["name"] for goal in result["goals"]} == {goal.name for goal in goal_results(result)}
    assert result["summary"]["crawl_peak_rss_mib"] > 0
    assert result["summary"]["crawl_cpu_cost"] > 0  # the crawl's CPU per page against trafilatura's
    assert all(0 <= entry["stolen_share"] < 1 for entry in result["steps"]["crawl"])


def test_stolen_time_is_the_steal_share_of_the_machine_s_cpu_time():
    before = [100, 0, 50, 800, 0, 0, 0, 50]     # user nice system idle iowait irq softirq steal
    after = [400, 0, 100, 1050, 0, 0, 0, 250]   # 300 + 50 + 250 + 200 ticks spent, 200 of them stolen
    assert measure._stolen_share(before, after) == 0.25
    assert measure._stolen_share(None, after) is None


def _figures(result: dict, startup_ms: float) -> dict:
    """A copy of a measured result whose figures meet every goal, except start-up when it is slow."""
    changed = copy.deepcopy(result)
    steps = changed["steps"]
    for index in range(len(steps["crawl"])):
        bare = min(steps["crawl"][index]["value"] / 2, steps["reextract"][index]["value"] / 2.5)
        steps["trafilatura"][index]["value"] = steps["extract"][index]["value"] = bare
        for query in steps["search"][index]["queries"].values():
            query["ms"] = [1.0] * len(query["ms"])
        steps["startup"][index]["value"] = startup_ms + 1.0
        steps["crawl"][index]["peak_rss_mib"] = 100.0
    return changed


def test_check_exits_1_exactly_when_a_goal_is_missed(quick, tmp_path):
    _done, result = quick
    met, slow = tmp_path / "met.json", tmp_path / "slow.json"
    met.write_text(json.dumps(_figures(result, startup_ms=100)), encoding="utf-8")
    slow.write_text(json.dumps(_figures(result, startup_ms=900)), encoding="utf-8")
    assert run_bench("--report", str(met), "--check").returncode == 0
    failing = run_bench("--report", str(slow), "--check")
    assert failing.returncode == 1
    assert "newsdesk search start-up" in failing.stdout and " NO" in failing.stdout
    assert run_bench("--report", str(slow)).returncode == 0  # without --check a miss is only reported


def test_steps_runs_only_the_steps_named(tmp_path):
    done = run_bench("--quick", "--rounds", "1", "--steps", "crawl", "trafilatura", "--work", str(tmp_path / "work"),
                     "--json", str(tmp_path / "result.json"))
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    assert [entry["step"] for entry in result["schedule"]] == ["trafilatura", "crawl"]  # in the suite's order
    assert result["archive"] == {} and not list((tmp_path / "work").glob("archive-*"))  # no search: no archive
    goals = {goal["name"]: goal for goal in result["goals"]}
    assert goals["crawl pages/s vs bare trafilatura"]["value"] > 0
    assert goals["search p95, worst query"]["met"] is None
    alone = run_bench("--quick", "--steps", "recrawl", "--work", str(tmp_path / "work"))
    assert alone.returncode == 2 and "needs crawl too" in alone.stderr


def test_goals_judge_the_summary():
    summary = {"ratios": {"extraction_cost": 1.1, "crawl_speedup": 1.6, "reextract_speedup": 1.9},
               "search_worst": {"query": "流出", "p95_ms": 40.0}, "startup_ms": 120.0, "python_ms": 20.0,
               "crawl_peak_rss_mib": 300.0, "crawl_pages": 2000, "archive_size": 100_000}
    assert missed(goal_results({"summary": summary})) == []
    slower = {**summary, "ratios": {**summary["ratios"], "crawl_speedup": 1.4}}
    assert [goal.name for goal in missed(goal_results({"summary": slower}))] == ["crawl pages/s vs bare trafilatura"]
    unmeasured = goal_results({"summary": {}})
    assert all(goal.met is None for goal in unmeasured) and missed(unmeasured) == []


def test_the_site_replicates_the_benchmark_pages_with_a_feed_and_listings(tmp_path):
    distinct = len(list((BENCH_DIR / "html").glob("*.html.gz")))
    site = build_site(tmp_path / "site", distinct + 9, per_listing=50)
    assert len(site.article_urls) == len(set(site.article_urls)) == distinct + 9
    assert len(site.distinct_files) == distinct
    replica = site.root / "news.bench.example" / "a" / f"{distinct:05d}.html"
    assert replica.read_bytes() == site.distinct_files[0].read_bytes()
    source = load_sources(site.sources_file)[site.source_key]
    assert all(source.is_article(url) for url in site.article_urls)
    assert source.max_listing_pages == site.listing_pages == -(-(distinct + 9) // 50)
    feed = (site.root / "news.bench.example" / "feed.xml").read_bytes()
    entries, warning = parse_feed(feed, site.feed_url, source.tzinfo)
    assert warning is None and len(entries) == FEED_ENTRIES and entries[0].url == site.article_urls[-1]
    last_listing = site.root / "news.bench.example" / "list" / f"index.html?page={site.listing_pages}"
    first_listing = (site.root / "news.bench.example" / "list" / "index.html?page=1").read_text(encoding="utf-8")
    assert "page=2" in first_listing and "page=" not in last_listing.read_text(encoding="utf-8").split("<ul>")[1]
    assert canonical_url(site.listing_template.format(page=2)).endswith("/list/?page=2")
