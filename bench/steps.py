"""The suite's in-process steps, each run in a child process of its own (its memory is its own).

    python -m bench.steps trafilatura LIST [--passes N]          # bare trafilatura.extract() on each file's bytes
    python -m bench.steps extract LIST SOURCES [--passes N]      # decode_html + extract_article, as the crawl does
    python -m bench.steps search DB QUERIES --reps N # pipeline.store.search.search, each query N times
    python -m bench.steps archive DB SIZE SEED       # the synthetic archive, built unless DB exists

LIST is a file naming one page file a line, with the page's URL after a tab. Each step reads every
byte first, calls its function once untimed (imports and lazy set-up are not the page's cost), then
times the loop (--passes times over the pages: a longer loop is less at the mercy of a busy moment
of the shared machine), and prints one JSON line: seconds, CPU seconds, pages (or per-query
milliseconds).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def read_pages(list_file: str) -> list[tuple[str, bytes]]:
    pages = []
    for line in Path(list_file).read_text(encoding="utf-8").splitlines():
        path, _, url = line.partition("\t")
        pages.append((url, Path(path).read_bytes()))
    return pages


def timed_loop(pages: list[tuple[str, bytes]], extract, passes: int = 1) -> dict:
    """Run extract(url, body) over every page, ``passes`` times; failures (None or an exception) are
    counted, not fatal."""
    extract(*pages[0])  # warm-up, untimed
    pages = pages * passes
    failed = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for url, body in pages:
        try:
            failed += extract(url, body) is None
        except Exception:  # noqa: BLE001 - a page the extractor rejects still cost its time
            failed += 1
    return {"pages": len(pages), "failed": failed, "seconds": time.perf_counter() - wall,
            "cpu_seconds": time.process_time() - cpu}


def run_trafilatura(args) -> dict:
    import trafilatura

    return timed_loop(read_pages(args.list), lambda _url, body: trafilatura.extract(body), args.passes)


def run_extract(args) -> dict:
    from crawler.extract.article import extract_article
    from crawler.extract.decode import decode_html
    from crawler.sources import load_sources

    source = next(iter(load_sources(args.sources).values()))

    def extract(url: str, body: bytes):
        html, _encoding = decode_html(body, None)
        return extract_article(html, url, source, {})

    return timed_loop(read_pages(args.list), extract, args.passes)


def run_search(args) -> dict:
    from pipeline.store import open_db
    from pipeline.store.search import search

    db = open_db(args.db, create=False, migrate=False)
    queries = json.loads(Path(args.queries).read_text(encoding="utf-8"))
    results = {}
    cpu = time.process_time()
    for query in queries:
        hits = len(search(db, query))  # warm-up: the page cache, not the first query, is measured
        times = []
        for _ in range(args.reps):
            start = time.perf_counter()
            search(db, query)
            times.append((time.perf_counter() - start) * 1000)
        results[query] = {"ms": times, "hits": hits}
    return {"queries": results, "cpu_seconds": time.process_time() - cpu}


def run_archive(args) -> dict:
    """Build the synthetic archive once (into a temporary name, renamed when whole), then migrate it."""
    from bench.synthetic import build_archive, truth_path
    from pipeline.store import open_db

    target = Path(args.db)
    start = time.perf_counter()
    built = not target.exists()
    if built:
        partial = target.with_name(target.name + ".part")
        for leftover in (partial, truth_path(partial)):
            leftover.unlink(missing_ok=True)
        build_archive(partial, args.size, seed=args.seed)
        truth_path(partial).replace(truth_path(target))
        partial.replace(target)
    db = open_db(target)  # a cached archive gets the schema of this checkout
    indexed = index_words(db)
    db.close()
    return {"built": built, "words_indexed": indexed, "seconds": time.perf_counter() - start, "size": args.size,
            "seed": args.seed}


def index_words(db) -> int:
    """Fill the word index for articles the synthetic writer inserted without it (it writes rows
    directly; the store's save_article indexes words as it saves). Returns how many were indexed."""
    from pipeline.store.words import index_missing

    if not db["articles_words"].exists():
        return 0  # the store indexes short words some other way
    return index_missing(db)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    steps = parser.add_subparsers(dest="step", required=True)
    step = steps.add_parser("trafilatura")
    step.add_argument("list")
    step.add_argument("--passes", type=int, default=1)
    step = steps.add_parser("extract")
    step.add_argument("list")
    step.add_argument("sources")
    step.add_argument("--passes", type=int, default=1)
    step = steps.add_parser("search")
    step.add_argument("db")
    step.add_argument("queries")
    step.add_argument("--reps", type=int, default=5)
    step = steps.add_parser("archive")
    step.add_argument("db")
    step.add_argument("size", type=int)
    step.add_argument("seed", type=int)
    args = parser.parse_args()
    run = {"trafilatura": run_trafilatura, "extract": run_extract, "search": run_search,
           "archive": run_archive}[args.step]
    print(json.dumps(run(args), ensure_ascii=False))


if __name__ == "__main__":
    main()
