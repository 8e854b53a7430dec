"""The benchmark suite of issue 11: newsdesk against bare Scrapy and bare trafilatura, in one run.

    make bench                                  # = .venv/bin/python -m bench.run
    python -m bench.run --json out.json --check # also write the result; exit 1 when a goal is missed
    python -m bench.run --rounds 5 --pages 3000
    python -m bench.run --quick                 # tiny sizes, for the test (figures mean nothing)
    python -m bench.run --steps trafilatura crawl   # only these steps (goals of the others: not measured)
    python -m bench.run --report out.json --check   # table and goals of a saved result, nothing measured

It builds the local site (bench/site.py: the public benchmark's pages replicated to --pages
articles, with a feed and listing pages) in the work directory, serves it with the project's
mirror (``python -m crawler.mirror``), makes or reuses the synthetic search archive
(bench/synthetic.py, cached in the work directory by size and seed), then runs every step once per
round, round after round (interleaved, so a slow minute of the shared machine hits every step):

  scrapy_fetch  bare Scrapy fetching the article URLs from the mirror (bench/bare_scrapy.py)
  trafilatura   bare trafilatura.extract() on the distinct pages' bytes, one process
  extract       decode_html + extract_article on the same bytes (bench/steps.py)
  crawl         `newsdesk crawl` of the site into a fresh database, through the mirror
  recrawl       `newsdesk crawl` again over the unchanged site: requests, bytes, wall
  reextract     `newsdesk reextract` of that database (--workers N when the command has it)
  search        pipeline.store.search.search over the archive, every query --search-reps times
  startup       `newsdesk search` as a process, against `python -c pass`

Every step is a child process; its CPU and peak memory come from bench/measure.py. The table and
the goals (bench/goals.py) are printed at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import measure
from bench.crawlstats import ENV_VAR as STATS_ENV
from bench.crawlstats import read_stats
from bench.goals import goal_results, missed
from bench.report import summarise, table
from bench.site import BENCH_DIR, SiteError, build_site

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WORK = Path("/tmp/newsdesk-bench-suite")
STEPS = ("scrapy_fetch", "trafilatura", "extract", "crawl", "recrawl", "reextract", "search", "startup")
STARTUP_QUERY = "不正アクセス"
# A fixed set of Japanese and English queries: two-character terms (the slow path today), trigram
# terms, all-of, OR, a phrase, and words the synthetic archive rarely or never has.
QUERIES = ["流出", "攻撃", "漏洩", "AI", "漏えい", "不正アクセス", "ランサムウェア", "個人情報", "脆弱性",
           "サイバー攻撃", "二次被害", "不正アクセス 流出", "ランサムウェア OR 身代金", '"外部に流出した可能性"',
           "攻撃 流出", "流出 OR 漏洩", "AI 攻撃", "VPN", "CVE", "Microsoft", "ransomware", "security update",
           "data breach"]
# passes: the extraction steps read the distinct pages this many times (3 x 181 pages: 12-20 s, near
# a crawl's 30-40 s, so a busy moment of the shared machine weighs on both alike)
FULL = {"pages": 2000, "per_listing": 100, "archive": 100_000, "rounds": 3, "search_reps": 5, "startup_reps": 5,
        "passes": 3}
QUICK = {"pages": 60, "per_listing": 25, "archive": 300, "rounds": 2, "search_reps": 2, "startup_reps": 2,
         "passes": 1}


class Suite:
    def __init__(self, work: Path, sizes: dict, seed: int = 7):
        self.work = work
        self.sizes = sizes
        self.seed = seed
        self.python = sys.executable
        # bytecode cached as in any installation, even where PYTHONDONTWRITEBYTECODE is set (this
        # sandbox sets it: every process would compile all it imports, start-up above all)
        base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        self.env = {**base, "NEWSDESK_LOG": str(work / "newsdesk.log"), "PYTHONPYCACHEPREFIX": str(work / "pycache")}
        self.mirror_process: subprocess.Popen | None = None
        self.mirror = ""
        self.site = None
        self.archive = work / f"archive-{sizes['archive']}-seed{seed}-{_generator_version()}.db"
        self.workers = os.cpu_count() or 1
        self.reextract_workers: int | None = None

    # --- set-up -----------------------------------------------------------------------------
    def prepare(self, steps: tuple[str, ...] = STEPS) -> dict:
        self.work.mkdir(parents=True, exist_ok=True)
        for old in self.work.glob("round-*"):
            shutil.rmtree(old)
        start = time.perf_counter()
        self.site = build_site(self.work / "site", self.sizes["pages"], per_listing=self.sizes["per_listing"])
        site_seconds = time.perf_counter() - start
        distinct = zip(self.site.distinct_files, self.site.article_urls, strict=False)  # the first pages
        (self.work / "distinct.txt").write_text("".join(f"{path}\t{url}\n" for path, url in distinct),
                                                encoding="utf-8")
        archive = {}
        if {"search", "startup"} & set(steps):
            built = self._child("archive", [str(self.archive), str(self.sizes["archive"]), str(self.seed)])
            archive = {**json.loads(built.stdout), "path": str(self.archive)}
        (self.work / "queries.json").write_text(json.dumps(QUERIES, ensure_ascii=False), encoding="utf-8")
        self._start_mirror()
        (self.work / "urls.txt").write_text("\n".join(self.site.mirror_urls(self.mirror)), encoding="utf-8")
        self.reextract_workers = self._reextract_workers()
        return {"site": {**self.site.as_dict(), "seconds": round(site_seconds, 2)},
                "archive": archive,
                "reextract_workers": self.reextract_workers}

    def _start_mirror(self) -> None:
        self.mirror_process = subprocess.Popen([self.python, "-m", "crawler.mirror", str(self.site.root)],
                                               cwd=ROOT, stdout=subprocess.PIPE, text=True)
        line = self.mirror_process.stdout.readline()
        if not line.startswith("PORT "):
            raise measure.StepFailed(f"the mirror did not start: {line!r}")
        self.mirror = f"http://127.0.0.1:{int(line.split()[1])}"

    def close(self) -> None:
        if self.mirror_process is not None:
            self.mirror_process.terminate()
            self.mirror_process.wait(timeout=10)
            self.mirror_process = None

    def _reextract_workers(self) -> int | None:
        """--workers N when `reextract --help` offers it (None: the command has no such option)."""
        help_text = subprocess.run([self.python, "-m", "pipeline", "reextract", "--help"], cwd=ROOT, env=self.env,
                                   capture_output=True, text=True).stdout
        return self.workers if "--workers" in help_text else None

    # --- steps ------------------------------------------------------------------------------
    def _child(self, step: str, args: list[str]) -> measure.Measured:
        return measure.run([self.python, "-m", "bench.steps", step, *args], cwd=ROOT, env=self.env)

    def _newsdesk(self, *args: str, env: dict | None = None) -> measure.Measured:
        return measure.run([self.python, "-m", "pipeline", *args], cwd=ROOT, env={**self.env, **(env or {})})

    def scrapy_fetch(self, _round: Path) -> dict:
        done = measure.run([self.python, "-m", "bench.bare_scrapy", str(self.work / "urls.txt")], cwd=ROOT,
                           env=self.env)
        fetched = json.loads(done.stdout.strip().splitlines()[-1])
        return {**_usage(done), "pages": fetched["pages"], "bytes": fetched["bytes"], "failed": fetched["failed"],
                "value": fetched["pages"] / done.wall}

    def trafilatura(self, _round: Path) -> dict:
        return self._extraction("trafilatura", [str(self.work / "distinct.txt")])

    def extract(self, _round: Path) -> dict:
        return self._extraction("extract", [str(self.work / "distinct.txt"), str(self.site.sources_file)])

    def _extraction(self, step: str, args: list[str]) -> dict:
        done = self._child(step, [*args, "--passes", str(self.sizes["passes"])])
        loop = json.loads(done.stdout)
        return {**_usage(done), "cpu_share": loop["cpu_seconds"] / loop["seconds"],
                "cpu_ms_per_page": 1000 * loop["cpu_seconds"] / loop["pages"], "pages": loop["pages"],
                "passes": self.sizes["passes"],
                "failed": loop["failed"], "value": loop["pages"] / loop["seconds"],
                "ms_per_page": 1000 * loop["seconds"] / loop["pages"]}

    def crawl(self, round_dir: Path) -> dict:
        done, stats, run = self._crawl(round_dir, "first")
        stored = _count(round_dir / "crawl.db", "SELECT count(*) FROM articles")
        return {**_usage(done), "value": stored / done.wall, "articles": stored, "errors": run["errors"],
                "cpu_ms_per_page": 1000 * done.cpu / stored if stored else None,
                "requests": stats.get("downloader/response_count", 0),
                "bytes": stats.get("downloader/response_bytes", 0), "status": run["finish_reason"]}

    def recrawl(self, round_dir: Path) -> dict:
        done, stats, run = self._crawl(round_dir, "second")
        return {**_usage(done), "value": done.wall * 1000, "requests": stats.get("downloader/response_count", 0),
                "bytes": stats.get("downloader/response_bytes", 0), "articles_fetched": run["articles_new"]
                + run["articles_changed"] + run["articles_unchanged"], "pages_fetched": run["pages_fetched"],
                "status": run["finish_reason"]}

    def _crawl(self, round_dir: Path, name: str) -> tuple[measure.Measured, dict, dict]:
        stats_file = round_dir / f"{name}-stats.jsonl"
        done = self._newsdesk("--db", str(round_dir / "crawl.db"), "--sources", str(self.site.sources_file),
                              "crawl", self.site.source_key, "--mirror", self.mirror, "--quiet", "--json",
                              "--set", "STATS_CLASS=bench.crawlstats.FileStatsCollector",
                              env={STATS_ENV: str(stats_file)})
        report = json.loads(done.stdout)
        stats = read_stats(stats_file)
        return done, (stats[-1]["stats"] if stats else {}), report["sources"][0]

    def reextract(self, round_dir: Path) -> dict:
        workers = ["--workers", str(self.reextract_workers)] if self.reextract_workers else []
        done = self._newsdesk("--db", str(round_dir / "crawl.db"), "--sources", str(self.site.sources_file),
                              "reextract", *workers, "--json")
        outcomes = json.loads(done.stdout)
        pages = sum(count for name, count in outcomes.items() if name != "skipped")
        return {**_usage(done), "value": pages / done.wall, "pages": pages, "outcomes": outcomes,
                "workers": self.reextract_workers}

    def search(self, _round: Path) -> dict:
        done = self._child("search", [str(self.archive), str(self.work / "queries.json"),
                                      "--reps", str(self.sizes["search_reps"])])
        queries = json.loads(done.stdout)["queries"]
        every = [ms for query in queries.values() for ms in query["ms"]]
        return {**_usage(done), "value": statistics.median(every), "queries": queries}

    def startup(self, _round: Path) -> dict:
        reps = self.sizes["startup_reps"]
        python = [measure.run([self.python, "-c", "pass"], cwd=ROOT, env=self.env).wall * 1000 for _ in range(reps)]
        runs = [self._newsdesk("--db", str(self.archive), "search", STARTUP_QUERY, "--json") for _ in range(reps)]
        walls = [run.wall * 1000 for run in runs]
        return {"value": statistics.median(walls), "ms": walls, "python_ms": python,
                "peak_rss_mib": max(run.peak_rss_mib for run in runs),
                "cpu_share": statistics.median(run.cpu_share for run in runs)}

    # --- rounds -----------------------------------------------------------------------------
    def run_rounds(self, rounds: int, steps: tuple[str, ...] = STEPS, keep: bool = False) -> tuple[dict, list]:
        results: dict[str, list[dict]] = {step: [] for step in steps}
        schedule = []
        for number in range(1, rounds + 1):
            round_dir = self.work / f"round-{number}"
            round_dir.mkdir()
            for step in steps:
                print(f"round {number}/{rounds}: {step}", file=sys.stderr, flush=True)
                start = time.perf_counter()
                results[step].append(getattr(self, step)(round_dir))
                schedule.append({"round": number, "step": step, "seconds": round(time.perf_counter() - start, 3)})
            if not keep:
                shutil.rmtree(round_dir)
        return results, schedule


def _generator_version() -> str:
    """A short hash of bench/synthetic.py: a cached archive is rebuilt when the generator changes."""
    return hashlib.sha1((ROOT / "bench" / "synthetic.py").read_bytes()).hexdigest()[:8]


def _usage(done: measure.Measured) -> dict:
    return {"wall_seconds": done.wall, "cpu_share": done.cpu_share, "peak_rss_mib": done.peak_rss_mib,
            "peak_pss_mib": done.tree_pss_mib, "max_process_rss_mib": done.max_rss_mib,
            "stolen_share": done.stolen}


def _count(db_file: Path, sql: str) -> int:
    import sqlite3

    conn = sqlite3.connect(db_file)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="newsdesk against bare Scrapy and bare trafilatura (issue 11).")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 3; --quick: 2)")
    parser.add_argument("--pages", type=int, help="article pages of the local site (default 2000)")
    parser.add_argument("--archive-size", type=int, help="articles of the search archive (default 100000)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a test: the figures mean nothing")
    parser.add_argument("--json", metavar="FILE", help="write the whole result as JSON ('-': standard output)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK,
                        help=f"work directory: site, databases, cached archive (default {DEFAULT_WORK})")
    parser.add_argument("--keep", action="store_true", help="keep each round's crawl database")
    parser.add_argument("--steps", nargs="+", choices=STEPS, default=list(STEPS), metavar="STEP",
                        help=f"run only these steps, in the suite's order (default: all of {', '.join(STEPS)})")
    parser.add_argument("--report", metavar="FILE", type=Path,
                        help="measure nothing: print the table and judge the goals of a result saved with --json")
    args = parser.parse_args(argv)
    sizes = dict(QUICK if args.quick else FULL)
    for name, value in (("rounds", args.rounds), ("pages", args.pages), ("archive", args.archive_size)):
        if value is not None:
            if value < 1:
                parser.error(f"--{name.replace('archive', 'archive-size')} must be at least 1")
            sizes[name] = value
    if {"recrawl", "reextract"} & set(args.steps) and "crawl" not in args.steps:
        parser.error("recrawl and reextract work on the round's crawl: --steps needs crawl too")
    args.sizes = sizes
    return args


def run_suite(args: argparse.Namespace) -> dict:
    suite = Suite(args.work, args.sizes)
    started = time.perf_counter()
    try:
        chosen = tuple(step for step in STEPS if step in args.steps)
        setup = suite.prepare(chosen)
        steps, schedule = suite.run_rounds(args.sizes["rounds"], chosen, keep=args.keep)
    finally:
        suite.close()
    result = {"config": {**args.sizes, "work": str(args.work), "python": sys.version.split()[0],
                         "cpus": os.cpu_count(), "queries": QUERIES, "startup_query": STARTUP_QUERY},
              **setup, "schedule": schedule, "steps": steps}
    result = judged(result)
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    return result


def judged(result: dict) -> dict:
    """The result with its summary and goals computed afresh from the measured steps."""
    result = {**result, "summary": summarise(result)}
    result["goals"] = [goal.as_dict() for goal in goal_results(result)]
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.report:
        try:
            result = judged(json.loads(args.report.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            print(f"bench: {args.report} is not a result written by --json ({exc})", file=sys.stderr)
            return 2
    elif not (BENCH_DIR / "html").is_dir():
        print(f"the public benchmark is missing: {BENCH_DIR} (it is read in place, never copied)", file=sys.stderr)
        return 2
    else:
        try:
            result = run_suite(args)
        except (SiteError, measure.StepFailed) as exc:
            print(f"bench: {exc}", file=sys.stderr)
            return 2
    print(table(result), file=sys.stderr if args.json == "-" else sys.stdout)
    if args.json:
        text = json.dumps(result, ensure_ascii=False, indent=1)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 1 if args.check and missed(goal_results(result)) else 0


if __name__ == "__main__":
    sys.exit(main())
