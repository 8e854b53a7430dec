"""What newsdesk's article extraction costs against bare trafilatura on the same pages.

Run from the repository root (under the shared bench lock):

    flock /tmp/newsdesk-bench.lock .venv/bin/python bench/bench_extraction.py            # table
    flock /tmp/newsdesk-bench.lock .venv/bin/python bench/bench_extraction.py --json     # machine-readable
    flock /tmp/newsdesk-bench.lock .venv/bin/python bench/bench_extraction.py --check    # exit 1 above 1.2x
    .venv/bin/python bench/bench_extraction.py --code /tmp/old-checkout                  # another checkout's code

Pages: the public article-extraction benchmark's ``html/*.html.gz`` (181 real article pages, read
in place from ``../shared/bench/article-extraction-benchmark``), decompressed into memory before
any timing. In one process, for ``--rounds`` rounds, interleaved page by page (each page is read
by both systems one after the other, which goes first alternating), each system reads every page
from the same bytes:

- ``trafilatura``: bare ``trafilatura.extract(body)`` with its default options (it decodes the bytes itself);
- ``newsdesk``: ``decode_html(body)`` + ``extract_article`` with a Source without rules (as
  ``evaluate_extraction.py`` runs it): the generic path, trafilatura doing the text;
- ``newsdesk-rules`` (when the fixtures are there): the demo mirror's article pages of the
  registry's sources (``pipeline/demo_site``) and the real captures in ``../shared/real-samples``,
  each with its source's CSS rules, against bare trafilatura on those same pages
  (``trafilatura-rules``).

Printed: median and min seconds per round, pages/s at the median, and the cost ratios
newsdesk / trafilatura (medians, and mins). ``--check`` exits 1 when the generic ratio exceeds
``GOAL`` (1.2, issue 11). Exit 2 when the benchmark is missing. No network.

``measure(pages, rounds=3, rule_pages=None) -> dict`` is the function the suite (``bench/run.py``)
calls; ``load_pages()`` and ``load_rule_pages()`` give it the default pages.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT.parent / "shared" / "bench" / "article-extraction-benchmark"
REAL_SAMPLES = ROOT.parent / "shared" / "real-samples"
REAL_SAMPLE_URLS = {  # real captures of registry sources, with the article URLs the tests give them
    "scannetsecurity/postlight-parser@8493d05c/1551788723281.html":
        "https://scan.netsecurity.ne.jp/article/2019/03/05/42049.html",
    "internet-watch/1550928400623.html": "https://internet.watch.impress.co.jp/docs/news/1171154.html",
    "zdnet-japan/japan.zdnet.com.html": "https://japan.zdnet.com/article/35136396/",
}
GOAL = 1.2
ROUNDS = 3

Page = tuple[bytes, str]  # (response body, URL)


class BenchmarkMissing(RuntimeError):
    pass


def load_pages(bench_dir: Path = BENCH_DIR, limit: int | None = None) -> list[Page]:
    """The benchmark's pages, decompressed, with their URLs (ground-truth.json)."""
    truth_file = bench_dir / "ground-truth.json"
    if not truth_file.is_file():
        raise BenchmarkMissing(f"benchmark not found at {bench_dir} (expected ground-truth.json and html/); "
                               "it is read in place from ../shared/bench next to the repository")
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    keys = sorted(truth)[:limit]
    return [(gzip.decompress((bench_dir / "html" / f"{key}.html.gz").read_bytes()), truth[key].get("url") or "")
            for key in keys]


def load_rule_pages() -> list[tuple[bytes, str, object]]:
    """(body, URL, source) for the article pages of registry sources that are here: demo mirror, real captures."""
    from crawler.sources import ExtractRules, load_sources

    sources = list(load_sources().values())
    demo = ROOT / "pipeline" / "demo_site"  # the mirror's layout: host/path
    found = [(_demo_url(path.relative_to(demo)), path) for path in sorted(demo.rglob("*.html"))]
    found += [(url, REAL_SAMPLES / name) for name, url in REAL_SAMPLE_URLS.items()]
    pages = []
    for url, path in found:
        source = next((s for s in sources if s.is_article(url) and s.extract != ExtractRules()), None)
        if source is not None and path.is_file():
            pages.append((path.read_bytes(), url, source))
    return pages


def _demo_url(relative: Path) -> str:
    """The URL the demo mirror serves a file at (``…/index.html`` is the directory's URL)."""
    path = str(relative)
    return "https://" + (path.removesuffix("index.html") if relative.name == "index.html" else path)


def _pairs(pages: list[Page], rule_pages: list[tuple[bytes, str, object]]) -> list[tuple[dict, list]]:
    """[({name: function reading one page}, pages)]: bare trafilatura and newsdesk, on the same pages."""
    import trafilatura

    from crawler.extract.article import ExtractError, extract_article
    from crawler.extract.decode import DecodeError, decode_html
    from crawler.sources import Source

    generic = Source(key="bench", name="bench", lang="en", article_pattern=".*", allowed_domains=("x",))

    def newsdesk(item):
        body, url, source = item
        try:
            extract_article(decode_html(body, None)[0], url, source)
        except (DecodeError, ExtractError):
            pass

    def bare(item):
        trafilatura.extract(item[0])

    pairs = [({"trafilatura": bare, "newsdesk": newsdesk}, [(body, url, generic) for body, url in pages])]
    if rule_pages:
        pairs.append(({"trafilatura-rules": bare, "newsdesk-rules": newsdesk}, rule_pages))
    return pairs


def measure(pages: list[Page], rounds: int = ROUNDS, rule_pages: list | None = None) -> dict:
    """Time each system over the pages ``rounds`` times; medians, mins, pages/s and cost ratios.

    Interleaved page by page: each page is read by bare trafilatura and by newsdesk one after the
    other (which goes first alternates), so a change in the machine's load hits both alike.
    """
    logging.disable(logging.WARNING)  # trafilatura logs every page it discards
    try:
        pairs = _pairs(pages, rule_pages or [])
        for systems, items in pairs:  # warm-up: imports, compiled selectors, caches
            for read in systems.values():
                for item in items[:20]:
                    read(item)
        times: dict[str, list[float]] = {name: [] for systems, _ in pairs for name in systems}
        for round_no in range(rounds):
            for systems, items in pairs:
                _time_round(systems, items, round_no, times)
    finally:
        logging.disable(logging.NOTSET)
    counts = {name: len(items) for systems, items in pairs for name in systems}
    result = {"rounds": rounds, "pages": len(pages), "rule_pages": len(rule_pages or []), "goal": GOAL,
              "systems": {name: _summary(seconds, counts[name]) for name, seconds in times.items()}}
    result["ratio"] = _ratio(result["systems"], "newsdesk", "trafilatura")
    if rule_pages:
        result["ratio_rules"] = _ratio(result["systems"], "newsdesk-rules", "trafilatura-rules")
    result["goal_met"] = result["ratio"]["median"] <= GOAL
    return result


def _time_round(systems: dict, items: list, round_no: int, times: dict) -> None:
    names = list(systems)
    spent = dict.fromkeys(names, 0.0)
    for index, item in enumerate(items):
        for name in names if (index + round_no) % 2 == 0 else names[::-1]:
            started = time.perf_counter()
            systems[name](item)
            spent[name] += time.perf_counter() - started
    for name in names:
        times[name].append(spent[name])


def _summary(seconds: list[float], pages: int) -> dict:
    median = statistics.median(seconds)
    return {"median_s": median, "min_s": min(seconds), "rounds_s": seconds, "pages": pages,
            "pages_per_s": pages / median if median else 0.0, "ms_per_page": 1e3 * median / pages if pages else 0.0}


def _ratio(systems: dict, ours: str, baseline: str) -> dict:
    return {"median": systems[ours]["median_s"] / systems[baseline]["median_s"],
            "min": systems[ours]["min_s"] / systems[baseline]["min_s"]}


def format_table(result: dict) -> str:
    lines = [f"extraction cost: {result['pages']} benchmark pages, {result['rule_pages']} pages with source rules, "
             f"{result['rounds']} interleaved rounds" + (f"; code from {result['code']}" if "code" in result else ""),
             "",
             f"{'system':<18} {'pages':>5} {'median s':>9} {'min s':>8} {'pages/s':>8} {'ms/page':>8}"]
    for name, row in result["systems"].items():
        lines.append(f"{name:<18} {row['pages']:>5} {row['median_s']:>9.3f} {row['min_s']:>8.3f} "
                     f"{row['pages_per_s']:>8.1f} {row['ms_per_page']:>8.2f}")
    ratio = result["ratio"]
    lines += ["", f"newsdesk / trafilatura cost: {ratio['median']:.2f}x (medians), {ratio['min']:.2f}x (mins); "
              f"goal <= {result['goal']}x: {'met' if result['goal_met'] else 'MISSED'}"]
    if "ratio_rules" in result:
        rules = result["ratio_rules"]
        lines.append(f"with source rules / trafilatura on the same pages: {rules['median']:.2f}x (medians), "
                     f"{rules['min']:.2f}x (mins)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON instead of the table")
    parser.add_argument("--check", action="store_true", help=f"exit 1 when the cost ratio exceeds {GOAL}")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"interleaved rounds (default {ROUNDS})")
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="only the first N benchmark pages")
    parser.add_argument("--no-rules", action="store_true", help="leave out the pages with source rules")
    parser.add_argument("--code", type=Path, default=None, metavar="DIR",
                        help="import crawler from another checkout (e.g. a git worktree of an older commit)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str((args.code or ROOT).resolve()))
    try:
        pages = load_pages(limit=args.limit)
    except BenchmarkMissing as exc:
        print(f"bench_extraction: {exc}", file=sys.stderr)
        return 2
    result = measure(pages, args.rounds, [] if args.no_rules else load_rule_pages())
    import crawler

    result["code"] = str(Path(crawler.__file__).parent.parent)
    print(json.dumps(result, indent=2) if args.json else format_table(result))
    if args.check and not result["goal_met"]:
        print(f"bench_extraction: cost ratio {result['ratio']['median']:.2f} > {GOAL}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
