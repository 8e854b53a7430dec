"""Memory and rate of `newsdesk reextract` over a large archive of real pages (issue 11: < 500 MiB at 100k).

    python bench/bench_reextract_memory.py [--size 100000] [--workers N] [--from CRAWL_DB] [--json]

The archive is built once in the work directory (default /tmp/newsdesk-bench-reextract): the
suite's local site (bench/site.py, 2,000 of the public benchmark's real pages) is crawled through
the mirror into a database, which is then replicated in SQL to ``--size`` articles, each copy under
its own URL with its own raw pages (``--from`` starts from a crawl database made elsewhere, e.g.
the suite's ``--keep``). Then one `reextract --restart` runs over all of it as a child process,
measured by bench/measure.py: wall, CPU, the largest process (the kernel's ru_maxrss) and the
summed RSS and PSS of the process tree (the main process and its extraction workers), sampled from
/proc. About 3 min to build 100k (5.5 GB of pages) and 25 min to re-extract it on this 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import measure  # noqa: E402
from bench.site import SOURCE_KEY, build_site  # noqa: E402

COPY_COLUMNS = ("source", "title", "published_at", "modified_at", "author", "lang", "lead", "text", "highlights",
                "feed_summary", "body_status", "kind", "content_hash", "version", "first_seen_at",
                "last_fetched_at", "last_checked_at")
PAGE_COLUMNS = ("page", "fetched_at", "status", "headers", "body_zlib", "context")
GOAL_MIB = 500


def crawl_site(work: Path, pages: int, env: dict) -> Path:
    """The suite's site crawled through the mirror into work/crawl-PAGES.db (kept for later runs)."""
    db = work / f"crawl-{pages}.db"
    if db.exists():
        return db
    site = build_site(work / "site", pages)
    mirror = subprocess.Popen([sys.executable, "-m", "crawler.mirror", str(site.root)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        port = int(mirror.stdout.readline().split()[1])
        partial = db.with_suffix(".partial.db")
        subprocess.run([sys.executable, "-m", "pipeline", "--db", str(partial), "--sources", str(site.sources_file),
                        "crawl", SOURCE_KEY, "--mirror", f"http://127.0.0.1:{port}", "--quiet"],
                       cwd=ROOT, env=env, check=True)
        partial.rename(db)
    finally:
        mirror.terminate()
        mirror.wait(timeout=10)
    return db


def replicate(crawl_db: Path, target: Path, size: int) -> int:
    """A copy of crawl_db grown to ``size`` articles: copy k of article A is A's row and raw pages
    under A's URL with ``?copy=k``. Returns the article count."""
    if target.exists():
        return _count(target)
    partial = target.with_suffix(".partial.db")
    shutil.copyfile(crawl_db, partial)
    conn = sqlite3.connect(partial, isolation_level=None)
    base = conn.execute("SELECT count(*), max(id) FROM articles").fetchone()
    columns, pages = ", ".join(COPY_COLUMNS), ", ".join(f"rp.{c}" for c in PAGE_COLUMNS)
    copy = 0
    while (have := _count(conn)) < size:
        copy += 1
        conn.execute("BEGIN")
        conn.execute(f"INSERT INTO articles (url, {columns}) SELECT url || '?copy={copy}', {columns} "
                     f"FROM articles WHERE id <= ? ORDER BY id LIMIT ?", [base[1], size - have])
        conn.execute(f"INSERT INTO raw_pages (url, article_id, {', '.join(PAGE_COLUMNS)}) "
                     f"SELECT rp.url || '?copy={copy}', copied.id, {pages} FROM raw_pages rp "
                     f"JOIN articles original ON original.id = rp.article_id "
                     f"JOIN articles copied ON copied.url = original.url || '?copy={copy}'")
        conn.execute("COMMIT")
    conn.close()
    partial.rename(target)
    return _count(target)


def _count(db) -> int:
    if isinstance(db, sqlite3.Connection):
        return db.execute("SELECT count(*) FROM articles").fetchone()[0]
    with closing(sqlite3.connect(db)) as conn:
        return _count(conn)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--pages", type=int, default=2000, help="pages of the crawled site (default 2000)")
    parser.add_argument("--from", dest="crawl_db", type=Path, help="start from this crawl database")
    parser.add_argument("--work", type=Path, default=Path("/tmp/newsdesk-bench-reextract"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["NEWSDESK_LOG"] = str(args.work / "newsdesk.log")
    crawl_db = args.crawl_db or crawl_site(args.work, args.pages, env)
    archive = args.work / f"reextract-{args.size}-from-{crawl_db.stem}.db"
    articles = replicate(crawl_db, archive, args.size)
    sources = args.work / "site" / "sources.toml"
    if not sources.exists():  # --from: the crawl was made elsewhere, of the same site
        build_site(args.work / "site", args.pages)
    done = measure.run([sys.executable, "-m", "pipeline", "--db", str(archive), "--sources", str(sources),
                        "reextract", "--workers", str(args.workers), "--restart", "--json"],
                       cwd=ROOT, env=env, timeout=4 * 3600)
    outcomes = json.loads(done.stdout)
    result = {"articles": articles, "workers": args.workers, "outcomes": outcomes, "wall_s": round(done.wall, 1),
              "articles_per_s": round(articles / done.wall, 1), "cpu_share": round(done.cpu_share, 2),
              "largest_process_mib": round(done.max_rss_mib, 1), "tree_rss_mib": round(done.tree_rss_mib, 1),
              "tree_pss_mib": round(done.tree_pss_mib, 1), "goal_mib": GOAL_MIB, "met": done.peak_rss_mib < GOAL_MIB}
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return
    for name, value in result.items():
        print(f"{name:>20}  {value}")


if __name__ == "__main__":
    main()
