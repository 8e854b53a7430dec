"""Crawl and re-extraction throughput against bare single-process trafilatura, on the same pages.

Builds a local site from the public article-extraction benchmark (181 real pages, read in place
from ``../shared/bench/article-extraction-benchmark``, replicated under distinct URLs to ``pages``
articles with listing pages linking them all), serves it with the project's mirror
(``python -m crawler.mirror``) and measures, in the same run and interleaved over ``rounds``:

- ``trafilatura``: bare ``trafilatura.extract()`` on each page's bytes from disk, one process
  (the baseline every ratio is against);
- ``crawl``: ``newsdesk crawl --mirror`` end to end into a fresh database (fetch, extract, store),
  pages/s over the wall time of the command, and the peak memory of its process tree (main process
  and extraction workers together), as summed RSS and as unique memory (pages the processes share,
  such as the interpreter and libraries, counted once: the memory the crawl really takes; the goal
  is checked against it);
- ``second crawl``: the same crawl again over the unchanged mirror (requests, bytes, wall time);
- ``reextract``: ``newsdesk reextract --workers N`` over the crawled database, pages/s and peak RSS.

Goals (issue 11): crawl >= 1.5x and reextract >= 1.8x trafilatura; crawl memory (unique) < 400 MiB.

    .venv/bin/python bench/bench_crawl.py [--pages 2000] [--rounds 3] [--workers N] [--json] [--check]

The suite calls ``measure(pages=2000, rounds=3, workers=None, work_dir=None) -> dict``.
Exit status 1 with --check when a goal is missed, 2 when the benchmark pages are absent.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT.parent / "shared" / "bench" / "article-extraction-benchmark"
HOST = "bench.newsdesk.example"
LINKS_PER_LISTING = 100
GOALS = {"crawl": 1.5, "reextract": 1.8}
CRAWL_RSS_GOAL_MIB = 400
SOURCES_TOML = f"""
[benchsite]
name = "Extraction benchmark site"
lang = "en"
timezone = "+00:00"
listings = ["https://{HOST}/list/{{page}}.html"]
max_listing_pages = 1000
article_pattern = '^https://{HOST.replace(".", chr(92) + ".")}/articles/\\d+\\.html$'
allowed_domains = ["{HOST}"]
revisit_hours = 87600
history_days = 36500
"""


class BenchmarkMissing(RuntimeError):
    pass


# --- the site ------------------------------------------------------------------------------

def benchmark_pages(bench_dir: Path = BENCH_DIR) -> list[bytes]:
    files = sorted((bench_dir / "html").glob("*.html.gz"))
    if not files:
        raise BenchmarkMissing(f"benchmark pages not found in {bench_dir / 'html'} "
                               "(the article-extraction-benchmark beside the repository)")
    return [gzip.decompress(file.read_bytes()) for file in files]


def build_site(directory: Path, pages: int = 2000, bench_dir: Path = BENCH_DIR) -> Path:
    """A wget-layout mirror directory with `pages` articles and listing pages; returns its sources.toml."""
    originals = benchmark_pages(bench_dir)
    articles = directory / "site" / HOST / "articles"
    listings = directory / "site" / HOST / "list"
    articles.mkdir(parents=True, exist_ok=True)
    listings.mkdir(parents=True, exist_ok=True)
    for number in range(pages):
        (articles / f"{number:05d}.html").write_bytes(originals[number % len(originals)])
    listing_count = -(-pages // LINKS_PER_LISTING)
    for page in range(1, listing_count + 1):
        first = (page - 1) * LINKS_PER_LISTING
        links = "".join(f'<li><a href="/articles/{n:05d}.html">article {n}</a></li>'
                        for n in range(first, min(first + LINKS_PER_LISTING, pages)))
        following = f'<a href="/list/{page + 1}.html">next</a>' if page < listing_count else ""
        (listings / f"{page}.html").write_text(f"<html><body><ul>{links}</ul>{following}</body></html>")
    sources = directory / "sources.toml"
    sources.write_text(SOURCES_TOML)
    return sources


def site_pages(directory: Path) -> list[Path]:
    return sorted((directory / "site" / HOST / "articles").glob("*.html"))


class Mirror:
    """`python -m crawler.mirror DIR` in a subprocess, with its request log."""

    def __init__(self, root: Path, log: Path):
        self.root, self.log = root, log
        self.process = subprocess.Popen([sys.executable, "-m", "crawler.mirror", str(root), "--log", str(log)],
                                        stdout=subprocess.PIPE, text=True, cwd=ROOT)
        self.url = f"http://127.0.0.1:{int(self.process.stdout.readline().split()[1])}"

    def requests_since(self, start: int) -> list[dict]:
        lines = self.log.read_text().splitlines() if self.log.exists() else []
        return [json.loads(line) for line in lines[start:]]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


# --- measurements --------------------------------------------------------------------------

def bare_trafilatura(files: list[Path]) -> dict:
    """Bare single-process trafilatura.extract() on each page's bytes read from disk."""
    import trafilatura

    started = time.perf_counter()
    for file in files:
        trafilatura.extract(file.read_bytes())
    wall = time.perf_counter() - started
    return {"pages": len(files), "wall_s": wall, "pages_per_s": len(files) / wall}


def tree_memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, unique) of a process and all its descendants (KiB, from /proc): summed RSS counts the pages
    the processes share (interpreter, libraries, mapped read-only) in each of them; unique counts them
    once: every process's private pages plus the largest shared set among them (the memory the tree
    really takes, whatever else on the machine maps the same libraries)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    rss = private = shared = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            fields = dict(line.split(":", 1) for line in Path(f"/proc/{current}/smaps_rollup").read_text()
                          .splitlines()[1:])
        except (OSError, ValueError):
            continue
        kib = {name: int(value.split()[0]) for name, value in fields.items()}
        rss += kib.get("Rss", 0)
        private += kib.get("Private_Clean", 0) + kib.get("Private_Dirty", 0)
        shared = max(shared, kib.get("Shared_Clean", 0) + kib.get("Shared_Dirty", 0))
    return rss, private + shared


def run_measured(command: list[str], env: dict | None = None) -> dict:
    """Run a command; its wall time and the peak RSS of its process tree (sampled every 0.1 s)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0, 0]

    def sample() -> None:
        while process.poll() is None:
            rss, unique = tree_memory_kib(process.pid)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], unique)
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}: {stderr[-2000:]}")
    return {"wall_s": wall, "peak_rss_mib": peak[0] / 1024, "peak_unique_mib": peak[1] / 1024, "stdout": stdout}


def newsdesk(db: Path, sources: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", "--db", str(db), "--sources", str(sources), *args]


def crawl(db: Path, sources: Path, mirror: Mirror, workers: int | None) -> dict:
    extra = ["--set", f"NEWSDESK_EXTRACT_WORKERS={workers}"] if workers is not None else []
    start = len(mirror.requests_since(0))
    result = run_measured(newsdesk(db, sources, "crawl", "--mirror", mirror.url, "--quiet", "--json", *extra))
    report = json.loads(result.pop("stdout"))
    stored = sum(run["articles_new"] + run["articles_changed"] + run["articles_unchanged"]
                 for run in report["sources"])
    requests = mirror.requests_since(start)
    sent = sum(_file_size(mirror, entry["path"]) for entry in requests if entry["status"] == 200)
    return {**result, "articles": stored, "pages_per_s": stored / result["wall_s"], "requests": len(requests),
            "bytes": sent}


def _file_size(mirror: Mirror, path: str) -> int:
    file = mirror.root / path.lstrip("/")
    return file.stat().st_size if file.is_file() else 0


def reextract(db: Path, sources: Path, workers: int | None, articles: int) -> dict:
    extra = ["--workers", str(workers)] if workers is not None else []
    result = run_measured(newsdesk(db, sources, "reextract", "--json", *extra))
    outcomes = json.loads(result.pop("stdout"))
    done = sum(outcomes.get(name, 0) for name in ("new", "changed", "unchanged", "failed"))
    assert done == articles, f"reextract did {outcomes}, expected {articles} articles"
    return {**result, "outcomes": outcomes, "pages_per_s": done / result["wall_s"]}


def measure(pages: int = 2000, rounds: int = 3, workers: int | None = None, work_dir: Path | None = None,
            bench_dir: Path = BENCH_DIR) -> dict:
    """Build the site, then per round: bare trafilatura, a fresh crawl, a second crawl, reextract.

    ``workers`` is passed to the crawl (NEWSDESK_EXTRACT_WORKERS) and to reextract (--workers);
    None keeps their default (all cores). Returns medians, minima, ratios and every round.
    """
    with tempfile.TemporaryDirectory(prefix="pool-bench-", dir=work_dir) as folder:
        directory = Path(folder)
        sources = build_site(directory, pages, bench_dir)
        files = site_pages(directory)
        mirror = Mirror(directory / "site", directory / "requests.jsonl")
        rounds_done = []
        try:
            for number in range(rounds):
                db = directory / f"round-{number}.db"
                baseline = bare_trafilatura(files)
                first = crawl(db, sources, mirror, workers)
                second = crawl(db, sources, mirror, workers)
                again = reextract(db, sources, workers, first["articles"])
                rounds_done.append({"trafilatura": baseline, "crawl": first, "second_crawl": second,
                                    "reextract": again})
                db.unlink()
        finally:
            mirror.stop()
    return summarise(rounds_done, pages, workers)


def summarise(rounds: list[dict], pages: int, workers: int | None) -> dict:
    def stat(name: str, key: str) -> dict:
        values = [r[name][key] for r in rounds]
        return {"median": statistics.median(values), "min": min(values), "max": max(values)}

    ratios = {name: statistics.median(r[name]["pages_per_s"] / r["trafilatura"]["pages_per_s"] for r in rounds)
              for name in GOALS}
    return {
        "pages": pages, "rounds": len(rounds), "workers": workers, "cores": os.cpu_count(),
        "trafilatura_pages_per_s": stat("trafilatura", "pages_per_s"),
        "crawl_pages_per_s": stat("crawl", "pages_per_s"),
        "reextract_pages_per_s": stat("reextract", "pages_per_s"),
        "crawl_peak_rss_mib": stat("crawl", "peak_rss_mib"),
        "crawl_peak_unique_mib": stat("crawl", "peak_unique_mib"),
        "reextract_peak_rss_mib": stat("reextract", "peak_rss_mib"),
        "reextract_peak_unique_mib": stat("reextract", "peak_unique_mib"),
        "second_crawl": {"requests": stat("second_crawl", "requests"), "bytes": stat("second_crawl", "bytes"),
                         "wall_s": stat("second_crawl", "wall_s")},
        "ratios": ratios, "goals": GOALS,
        "goals_met": {**{name: ratios[name] >= goal for name, goal in GOALS.items()},
                      "crawl_memory": stat("crawl", "peak_unique_mib")["max"] < CRAWL_RSS_GOAL_MIB},
        "rounds_detail": rounds,
    }


def table(result: dict) -> str:
    rows = [("what", "pages/s median", "min", "ratio", "peak RSS MiB", "peak unique MiB")]
    rows.append(("trafilatura.extract, 1 process", *_rate(result["trafilatura_pages_per_s"]), "1.00", "-", "-"))
    for name in ("crawl", "reextract"):
        rows.append((f"newsdesk {name}", *_rate(result[f"{name}_pages_per_s"]), f"{result['ratios'][name]:.2f}",
                     f"{result[f'{name}_peak_rss_mib']['max']:.0f}", f"{result[f'{name}_peak_unique_mib']['max']:.0f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    second = result["second_crawl"]
    lines.append(f"second crawl: {second['requests']['median']:.0f} requests, {second['bytes']['median']:.0f} bytes, "
                 f"{second['wall_s']['median']:.1f} s")
    lines.append(f"{result['pages']} pages, {result['rounds']} rounds, workers {result['workers'] or 'all cores'}, "
                 f"{result['cores']} cores; goals: " + ", ".join(
                     f"{name} {'met' if met else 'MISSED'}" for name, met in result["goals_met"].items()))
    return "\n".join(lines)


def _rate(values: dict) -> tuple[str, str]:
    return f"{values['median']:.1f}", f"{values['min']:.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, help="extraction workers (default: all cores; 0: in-process)")
    parser.add_argument("--bench-dir", type=Path, default=BENCH_DIR, help="the article-extraction-benchmark")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    try:
        result = measure(args.pages, args.rounds, args.workers, bench_dir=args.bench_dir)
    except BenchmarkMissing as exc:
        print(exc, file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2) if args.json else table(result))
    return 1 if args.check and not all(result["goals_met"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
