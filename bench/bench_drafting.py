"""Benchmark the draft stage on a synthetic archive: full rebuild at growing sizes, incremental drafting.

Run from the repository root:

    python bench/bench_drafting.py                          # 10,000 and 100,000 articles, +500 (long)
    python bench/bench_drafting.py --sizes 2000             # quick check
    python bench/bench_drafting.py --sizes 2000 --profile   # also cProfile each measurement
    python bench/bench_drafting.py --json                   # machine-readable

For each size N a synthetic archive of N articles (bench/synthetic.py: Japanese security news with
near-duplicate coverage by several sites and cited primary sources, seeded) is written into a
fresh SQLite database, then, each step in a fresh subprocess so that peak memory is its own:

1. full rebuild: ``pipeline.drafts.draft(db, profile, rebuild=True)``;
2. incremental: the generator adds new articles (default 500: about 30% more coverage of the
   archive's latest events, the rest new events), then ``draft(db, profile)``;
3. no-op: ``draft(db, profile)`` again with nothing new (the fixed cost of every scheduled run).

Reported per step: wall time, time in grouping (``pipeline.stories``) and in drafting
(``draft_story``) with their main stages (timed by wrapping the pipeline's functions in the child
process; nothing in pipeline/ is changed), throughput, peak RSS (``ru_maxrss`` of the child) and
the database size. Quality on the synthetic truth: pairwise recall of the generated near-duplicate
groups (news–news) and of news–primary pairs, pairwise precision over all stories, and the merge
rate of hard negatives (unrelated news of the same incident type published within 14 days of each
other, sampled), with the exact character-shingle Jaccard of sampled pairs for context.
"""

from __future__ import annotations

import argparse
import bisect
import cProfile
import io
import json
import os
import platform
import pstats
import random
import resource
import runpy
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_SIZES = [10_000, 100_000]
DEFAULT_INCREMENTAL = 500
SEED = 7
HARD_NEGATIVE_SAMPLE = 5000
JACCARD_SAMPLE = 1000
HARD_NEGATIVE_DAYS = 14              # other events of the same kind published this close
PROGRESS_SECONDS = 60


# --- child processes: one measurement each -----------------------------------------------------------

class Timers:
    """Cumulative wall time per pipeline function, by wrapping module attributes in this process."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._active: set[str] = set()

    def wrap(self, module, name: str, label: str) -> None:
        original = getattr(module, name, None)
        if original is None:                           # renamed in the pipeline: that stage goes untimed
            return

        def timed(*args, **kwargs):
            if label in self._active:                  # re-entrant (rebuild_stories → update_stories)
                return original(*args, **kwargs)
            self._active.add(label)
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - start
                self.calls[label] += 1
                self._active.discard(label)

        setattr(module, name, timed)


GROUPING_STAGES = [  # (module attribute, label); all are looked up through the module at call time
    ("pending_ids", "pending query + sort"),
    ("profile_grouped", "profile grouped articles lacking one"),
    ("_story_by_citation", "citation look-up"),
    ("_story_by_release", "release look-up"),
    ("_story_by_text", "candidates + join model"),
    ("_near_duplicates", "LSH look-up + MinHash"),
    ("stories_sharing", "term index look-up"),
    ("store_signature", "store signature + buckets"),
    ("store_profile", "store profile, df, postings"),
    ("_new_story", "new story row"),
    ("_join", "join story (role, touch)"),
    ("repair_stories", "repair pass"),
]
DRAFTING_STAGES = [
    ("stories", "story_articles", "load story articles"),
    ("drafts", "_story_facts", "facts"),
    ("drafts", "_prose_bullets", "summarise (bullets)"),
    ("drafts", "score_story", "relevance score"),
    ("drafts", "related_stories", "related stories (term index)"),
    ("drafts", "_insert", "write candidate (insert)"),
    ("drafts", "_update", "write candidate (update)"),
    ("drafts", "_flag", "write candidate (flag)"),
]


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024      # KiB on Linux


def progress_path(db_path: str | Path) -> Path:
    return Path(f"{db_path}.progress.json")


def _progress(timers: Timers, label: str, db_path: str, stop: threading.Event) -> None:
    """Every minute: a line on stderr and the same in a file (read by the parent on a timeout)."""
    start = time.perf_counter()
    while not stop.wait(PROGRESS_SECONDS):
        state = {"seconds": round(time.perf_counter() - start), "grouped": timers.calls.get("citation look-up", 0),
                 "drafted": timers.calls.get("drafting", 0), "peak_rss_mib": round(_rss_mib(), 1),
                 "stages": {k: round(v, 1) for k, v in timers.seconds.items()}}
        progress_path(db_path).write_text(json.dumps(state))
        print(f"  [{label}] {state['seconds']:7} s: {state['grouped']:,} articles grouped, "
              f"{state['drafted']:,} stories drafted", file=sys.stderr, flush=True)


def child_draft(db_path: str, rebuild: bool, label: str) -> dict:
    from pipeline import drafts, store, stories
    from pipeline.analyse.relevance import load_profile

    db = store.open_db(db_path, create=False)
    profile = load_profile()
    counts_before = _counts(db)
    timers = Timers()
    timers.wrap(stories, "update_stories", "grouping")
    timers.wrap(stories, "rebuild_stories", "grouping")
    timers.wrap(drafts, "draft_story", "drafting")
    for name, stage in GROUPING_STAGES:
        timers.wrap(stories.grouping, name, stage)
    for module, name, stage in DRAFTING_STAGES:
        timers.wrap(stories if module == "stories" else drafts, name, stage)
    baseline = _rss_mib()
    stop = threading.Event()
    threading.Thread(target=_progress, args=(timers, label, db_path, stop), daemon=True).start()
    start = time.perf_counter()
    outcome = drafts.draft(db, profile, rebuild=rebuild)
    seconds = time.perf_counter() - start
    stop.set()
    counts = _counts(db)
    db.conn.close()
    stages = {label: {"seconds": round(timers.seconds[label], 3), "calls": timers.calls[label]}
              for label in timers.seconds}
    return {
        "seconds": round(seconds, 3), "grouping_seconds": round(timers.seconds["grouping"], 3),
        "drafting_seconds": round(timers.seconds["drafting"], 3), "stages": stages,
        "outcome": {k: v for k, v in vars(outcome).items() if k != "notes"},
        "counts_before": counts_before, "counts": counts,
        "baseline_rss_mib": round(baseline, 1), "peak_rss_mib": round(_rss_mib(), 1),
        "worker_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    }


def _counts(db) -> dict:
    one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
    return {"articles": one("SELECT count(*) FROM articles"), "stories": one("SELECT count(*) FROM stories"),
            "candidates": one("SELECT count(*) FROM candidates"),
            "multi_article_stories": one("SELECT count(*) FROM (SELECT story_id FROM story_articles "
                                         "GROUP BY story_id HAVING count(*) > 1)")}


def child_generate(db_path: str, size: int, seed: int) -> dict:
    from bench.synthetic import build_archive

    start = time.perf_counter()
    summary = build_archive(db_path, size, seed=seed)
    kinds = Counter(a[2] for a in summary["articles"])
    return {"seconds": round(time.perf_counter() - start, 3), "articles": len(summary["articles"]),
            "events": summary["events"], "news": kinds["news"], "primary": kinds["primary"],
            "links": summary["links"], "peak_rss_mib": round(_rss_mib(), 1)}


def child_add(db_path: str, count: int, seed: int) -> dict:
    from bench.synthetic import add_incremental

    start = time.perf_counter()
    summary = add_incremental(db_path, count, seed=seed)
    return {"seconds": round(time.perf_counter() - start, 3), **summary["incremental"]}


def child_quality(db_path: str, seed: int) -> dict:
    """Pairwise agreement of the stories with the generator's events."""
    from bench.evaluate_grouping import bcubed
    from bench.synthetic import truth_path
    from pipeline.stories import DUPLICATE_JACCARD, SHINGLE, SIGNATURE_CHARS
    from pipeline.text.japanese import normalize

    truth = json.loads(truth_path(db_path).read_text())["articles"]
    conn = sqlite3.connect(db_path)
    story_of = dict(conn.execute("SELECT article_id, story_id FROM story_articles"))
    published = dict(conn.execute("SELECT id, published_at FROM articles"))
    by_event: dict[int, list[tuple[int, str]]] = defaultdict(list)
    event_of, incident_of = {}, {}
    for article_id, event, kind, incident in truth:
        by_event[event].append((article_id, kind))
        event_of[article_id], incident_of[article_id] = event, incident

    def pair_recall(kinds: tuple[str, str]) -> dict:
        total = joined = 0
        for members in by_event.values():
            for i, (a, ka) in enumerate(members):
                for b, kb in members[i + 1:]:
                    if {ka, kb} == set(kinds) or (kinds[0] == kinds[1] == ka == kb):
                        total += 1
                        joined += story_of.get(a) is not None and story_of.get(a) == story_of.get(b)
        return {"pairs": total, "joined": joined, "recall": round(joined / total, 4) if total else None}

    groups = [m for m in by_event.values() if len(m) > 1]
    whole = sum(1 for m in groups if len({story_of.get(a) for a, _ in m}) == 1)
    members_of: dict[int, list[int]] = defaultdict(list)
    for article_id, story_id in story_of.items():
        members_of[story_id].append(article_id)
    story_pairs = same_event_pairs = mixed = 0
    for members in members_of.values():
        n = len(members)
        story_pairs += n * (n - 1) // 2
        per_event = Counter(event_of.get(a) for a in members)
        same_event_pairs += sum(c * (c - 1) // 2 for c in per_event.values())
        mixed += len(per_event) > 1
    n = len(event_of)
    true_pairs = sum(len(m) * (len(m) - 1) // 2 for m in by_event.values())
    wrong = story_pairs - same_event_pairs

    # hard negatives: news of other events, same incident type, published within the window
    rng = random.Random(seed)
    news = sorted((datetime.fromisoformat(published[a]), a) for a, _, kind, _ in truth if kind == "news")
    moments = [m for m, _ in news]
    span = timedelta(days=HARD_NEGATIVE_DAYS)
    negatives = []
    for _ in range(HARD_NEGATIVE_SAMPLE * 20):
        if len(negatives) >= HARD_NEGATIVE_SAMPLE:
            break
        moment, a = news[rng.randrange(len(news))]
        lo, hi = bisect.bisect_left(moments, moment - span), bisect.bisect_right(moments, moment + span)
        b = news[rng.randrange(lo, hi)][1]
        if event_of[a] != event_of[b] and incident_of[a] == incident_of[b]:
            negatives.append((a, b))
    merged = sum(1 for a, b in negatives if story_of.get(a) == story_of.get(b))

    # exact Jaccard (the pipeline's shingles of the opening) of sampled pairs, for context
    def shingles(article_id: int) -> set[str]:
        title, lead, text = conn.execute("SELECT title, lead, text FROM articles WHERE id = ?",
                                         [article_id]).fetchone()
        chars = "".join(normalize(f"{title}\n{lead or ''}\n{text}").split())[:SIGNATURE_CHARS]
        return {chars[i:i + SHINGLE] for i in range(max(len(chars) - SHINGLE + 1, 1))}

    def jaccard_stats(pairs: list[tuple[int, int]]) -> dict:
        values = []
        for a, b in pairs[:JACCARD_SAMPLE]:
            sa, sb = shingles(a), shingles(b)
            values.append(len(sa & sb) / len(sa | sb))
        values.sort()
        if not values:
            return {}
        return {"pairs": len(values), "median": round(values[len(values) // 2], 3),
                "p10": round(values[len(values) // 10], 3), "p90": round(values[len(values) * 9 // 10], 3),
                "share_at_threshold": round(sum(v >= DUPLICATE_JACCARD for v in values) / len(values), 4)}

    dup_pairs = [(a, b) for m in by_event.values() for i, (a, ka) in enumerate(m) for b, kb in m[i + 1:]
                 if ka == kb == "news"]
    rng.shuffle(dup_pairs)
    missed = [(a, b) for a, b in dup_pairs if story_of.get(a) != story_of.get(b)]
    jaccards = {"jaccard_duplicates": jaccard_stats(dup_pairs), "jaccard_missed_duplicates": jaccard_stats(missed),
                "jaccard_hard_negatives": jaccard_stats(negatives)}
    conn.close()
    return {
        "bcubed": bcubed(story_of, event_of),  # articles in no story count as alone
        "news_news": pair_recall(("news", "news")), "news_primary": pair_recall(("news", "primary")),
        "groups": len(groups), "groups_whole": whole,
        "groups_whole_share": round(whole / len(groups), 4) if groups else None,
        "story_pairs": story_pairs, "wrong_pairs": wrong,
        "precision": round(same_event_pairs / story_pairs, 4) if story_pairs else None,
        "unrelated_pairs": n * (n - 1) // 2 - true_pairs,
        "stories_mixing_events": mixed,
        "hard_negatives": {"pairs": len(negatives), "merged": merged,
                           "rate": round(merged / len(negatives), 5) if negatives else None},
        **jaccards, "threshold": DUPLICATE_JACCARD,
    }


def child_main(args: argparse.Namespace) -> None:
    if args.patch and args.child in ("rebuild", "incremental", "noop"):
        runpy.run_path(args.patch)               # try a pipeline change without editing pipeline/
    profiler = cProfile.Profile() if args.profile_out else None
    if profiler:
        profiler.enable()
    if args.child == "generate":
        result = child_generate(args.db, args.size, args.seed)
    elif args.child == "add":
        result = child_add(args.db, args.size, args.seed)
    elif args.child == "quality":
        result = child_quality(args.db, args.seed)
    else:
        result = child_draft(args.db, rebuild=args.child == "rebuild", label=args.label)
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile_out)
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)


# --- the parent: orchestration and report ------------------------------------------------------------

def run_child(mode: str, db: Path, *, size: int = 0, seed: int = SEED, label: str = "",
              profile_dir: Path | None = None, patch: Path | None = None, timeout: float | None = None) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--db", str(db),
               "--child-size", str(size), "--seed", str(seed), "--label", label or mode]
    if patch:
        command += ["--patch", str(patch)]
    profile_out = None
    if profile_dir is not None and mode != "quality":
        profile_out = profile_dir / f"{label or mode}.prof"
        command += ["--profile-out", str(profile_out)]
    print(f"- {label or mode} …", file=sys.stderr, flush=True)
    started = time.perf_counter()
    progress_path(db).unlink(missing_ok=True)
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        stdout, _ = child.communicate(timeout=timeout or None)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        progress = json.loads(progress_path(db).read_text()) if progress_path(db).exists() else {}
        print(f"  stopped after {timeout:.0f} s (--timeout): {progress.get('grouped', 0):,} articles grouped, "
              f"{progress.get('drafted', 0):,} stories drafted", file=sys.stderr, flush=True)
        return {"timed_out": True, "timeout": timeout, "progress": progress}
    lines = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
    if child.returncode or not lines:
        raise SystemExit(f"{label or mode} failed (exit status {child.returncode}):\n{stdout[-3000:]}")
    result = json.loads(lines[-1][len("RESULT "):])
    result["process_seconds"] = round(time.perf_counter() - started, 2)
    if profile_out:
        result["profile"] = str(profile_out)
    print(f"  done in {result['process_seconds']:.1f} s", file=sys.stderr, flush=True)
    return result


def db_size(path: Path) -> dict:
    files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
    total = sum(f.stat().st_size for f in files if f.exists())
    tables: dict[str, int] = {}
    try:
        conn = sqlite3.connect(path)
        rows = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
        conn.close()
        for name, size in rows:
            group = "articles_fts (trigram index)" if name.startswith("articles_fts") else name
            tables[group] = tables.get(group, 0) + size
    except sqlite3.Error:
        pass                                      # SQLite built without the dbstat table
    return {"bytes": total, "tables": dict(sorted(tables.items(), key=lambda kv: -kv[1])[:8])}


def machine() -> dict:
    info = {"cpus": os.cpu_count(), "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "platform": platform.platform()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()[1]
        info["memory_gib"] = round(int(mem) / 1024 / 1024, 1)
    except OSError:
        pass
    return info


def bench_size(size: int, increment: int, workdir: Path, seed: int, profile: bool, cache: Path | None,
               patch: Path | None = None, timeout: float | None = None) -> dict:
    db = workdir / f"archive-{size}.db"
    profile_dir = workdir if profile else None
    result: dict = {"size": size}
    cached = cache / f"archive-{size}-seed{seed}.db" if cache else None
    if cached and cached.exists():
        shutil.copy(cached, db)
        shutil.copy(f"{cached}.truth.json", f"{db}.truth.json")
        result["generate"] = json.loads(Path(f"{cached}.generate.json").read_text())
        print(f"- generate {size:,}: copied from {cached}", file=sys.stderr)
    else:
        result["generate"] = run_child("generate", db, size=size, seed=seed, label=f"generate-{size}")
        if cached:
            cache.mkdir(parents=True, exist_ok=True)
            shutil.copy(db, cached)
            shutil.copy(f"{db}.truth.json", f"{cached}.truth.json")
            Path(f"{cached}.generate.json").write_text(json.dumps(result["generate"]))
    result["archive_db"] = db_size(db)
    result["rebuild"] = run_child("rebuild", db, label=f"rebuild-{size}", profile_dir=profile_dir, patch=patch,
                                  timeout=timeout)
    if result["rebuild"].get("timed_out"):
        return result                             # the archive is half grouped: nothing more to measure
    result["rebuild_db"] = db_size(db)
    result["rebuild_quality"] = run_child("quality", db, seed=seed, label=f"quality-{size}")
    if increment:
        result["add"] = run_child("add", db, size=increment, seed=seed, label=f"add-{size}")
        result["incremental"] = run_child("incremental", db, label=f"incremental-{size}", profile_dir=profile_dir,
                                          patch=patch, timeout=timeout)
        if result["incremental"].get("timed_out"):
            return result
        result["incremental_quality"] = run_child("quality", db, seed=seed, label=f"quality-{size}+{increment}")
        result["noop"] = run_child("noop", db, label=f"noop-{size}", profile_dir=profile_dir, patch=patch)
        result["final_db"] = db_size(db)
    return result


# --- report ------------------------------------------------------------------------------------------

def _n(value, digits: int = 0) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) or digits:
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def _pct(value) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _get(result: dict, *path, default=None):
    for key in path:
        if not isinstance(result, dict) or key not in result:
            return default
        result = result[key]
    return result


def _div(a, b, scale: float = 1.0):
    return None if a is None or not b else scale * a / b


def _pair(a, b) -> str:
    return "–" if a is None or b is None else f"{a:,}/{b:,}"


def report(results: list[dict], meta: dict) -> str:
    sizes = [r["size"] for r in results]
    growth = len(results) > 1
    width = 15
    lines = []
    m = meta["machine"]
    lines.append(f"newsdesk drafting benchmark — synthetic archive (bench/synthetic.py, seed {meta['seed']})")
    lines.append(f"machine: {m.get('cpus')} cores ({m.get('cpu', '?')}), {m.get('memory_gib', '?')} GiB RAM; "
                 f"Python {m['python']}, SQLite {m['sqlite']}; database files in {meta['workdir']}")
    lines.append("each step in a fresh process; peak RSS = ru_maxrss of that process (imports included)")
    if meta.get("patch"):
        lines.append(f"PATCHED: {meta['patch']} was run in each drafting process (not the pipeline as committed)")
    lines.append("")
    header = f"{'':44}" + "".join(f"{s:>{width},}" for s in sizes)
    lines.append(header + (f"{'growth':>{width}}" if growth else "") + "   (articles in the archive)")

    def row(label: str, values: list, digits: int | None = 0) -> None:
        """digits=None: values are preformatted strings (no growth column)."""
        shown = [v if digits is None else _n(v, digits) for v in values]
        text = f"{label:44}" + "".join(f"{v:>{width}}" for v in shown)
        if growth and digits is not None and all(isinstance(v, int | float) and v for v in (values[0], values[-1])):
            text += f"{values[-1] / values[0]:>{width - 1}.1f}×"
        lines.append(text)

    def col(*path, default=None) -> list:
        return [_get(r, *path, default=default) for r in results]

    lines.append("archive")
    row("  news / primary articles", [_pair(a, b) for a, b in zip(col("generate", "news"),
                                                                   col("generate", "primary"), strict=True)], None)
    row("  events (true stories)", col("generate", "events"))
    row("  generate + insert (s)", col("generate", "seconds"), 1)
    row("  database size (MiB)", [_div(b, 2**20) for b in col("archive_db", "bytes")])
    lines.append("full rebuild: draft(db, profile, rebuild=True)")
    row("  wall time (s)", col("rebuild", "seconds"), 1)
    row("    grouping into stories (s)", col("rebuild", "grouping_seconds"), 1)
    row("    drafting candidates (s)", col("rebuild", "drafting_seconds"), 1)
    row("  articles per second", [_div(r["size"], _get(r, "rebuild", "seconds")) for r in results])
    row("  ms per article", [_div(_get(r, "rebuild", "seconds"), r["size"], 1000) for r in results], 2)
    row("  stories / candidates", [_pair(a, b) for a, b in zip(col("rebuild", "counts", "stories"),
                                                               col("rebuild", "counts", "candidates"), strict=True)],
        None)
    row("  peak RSS (MiB)", col("rebuild", "peak_rss_mib"))
    row("    worker process peak RSS (MiB)", col("rebuild", "worker_peak_rss_mib"))
    row("    of which before drafting (MiB)", col("rebuild", "baseline_rss_mib"))
    row("  database size after (MiB)", [_div(b, 2**20) for b in col("rebuild_db", "bytes")])
    for r in results:
        if _get(r, "rebuild", "timed_out"):
            p = r["rebuild"]["progress"]
            top = sorted((p.get("stages") or {}).items(), key=lambda kv: -kv[1])[:6]
            so_far = f"; seconds so far: {', '.join(f'{k} {v:,.0f}' for k, v in top)}" if top else ""
            lines.append(f"  ! {r['size']:,}: stopped after {r['rebuild']['timeout']:.0f} s (--timeout) with "
                         f"{p.get('grouped', 0):,}/{r['size']:,} articles grouped, {p.get('drafted', 0):,} stories "
                         f"drafted, peak RSS {p.get('peak_rss_mib', 0):,.0f} MiB{so_far}")
    if any("add" in r for r in results):
        added = next(_get(r, "add", "articles") for r in results if "add" in r)
        lines.append(f"incremental: +{added} new articles, then draft(db, profile)")
        row("  of which continue archive events", col("add", "continuing"))
        row("  insert the new articles (s)", col("add", "seconds"), 2)
        row("  wall time (s)", col("incremental", "seconds"), 2)
        row("    grouping into stories (s)", col("incremental", "grouping_seconds"), 2)
        row("    drafting candidates (s)", col("incremental", "drafting_seconds"), 2)
        row("  ms per new article", [_div(_get(r, "incremental", "seconds"), _get(r, "add", "articles"), 1000)
                                     for r in results], 1)
        drafted = [None if a is None else a + b for a, b in zip(col("incremental", "outcome", "drafted"),
                                                                col("incremental", "outcome", "redrafted", default=0),
                                                                strict=True)]
        row("  stories created / candidates (re)drafted",
            [_pair(a, b) for a, b in zip(col("incremental", "outcome", "stories_new"), drafted, strict=True)], None)
        row("  peak RSS (MiB)", col("incremental", "peak_rss_mib"))
        row("    worker process peak RSS (MiB)", col("incremental", "worker_peak_rss_mib"))
        row("  no-op draft, nothing new (s)", col("noop", "seconds"), 2)
        row("  no-op draft peak RSS (MiB)", col("noop", "peak_rss_mib"))
        row("  database size after (MiB)", [_div(b, 2**20) for b in col("final_db", "bytes")])

    lines.append("quality against the synthetic truth (after the rebuild | after the incremental run)")
    for label, key in (("BCubed precision", ("bcubed", "precision")), ("BCubed recall", ("bcubed", "recall")),
                       ("near-duplicate news pairs joined (recall)", ("news_news", "recall")),
                       ("news–primary pairs joined (recall)", ("news_primary", "recall")),
                       ("multi-article events wholly in one story", ("groups_whole_share",)),
                       ("pairwise precision (co-story pairs)", ("precision",)),
                       ("hard negatives merged (sampled)", ("hard_negatives", "rate"))):
        row("  " + label, [f"{_pct(a)} | {_pct(b)}" for a, b in zip(col("rebuild_quality", *key),
                                                                   col("incremental_quality", *key), strict=True)],
            None)
    row("  wrongly merged pairs / unrelated pairs",
        [f"{a:,}/{b:.1e}" if a is not None else "–" for a, b in zip(col("rebuild_quality", "wrong_pairs"),
                                                                   col("rebuild_quality", "unrelated_pairs"),
                                                                   strict=True)], None)
    for label, key in (("dup pairs: Jaccard median (share ≥ thr.)", "jaccard_duplicates"),
                       ("missed dup pairs: Jaccard median (≥ thr.)", "jaccard_missed_duplicates"),
                       ("hard negatives: Jaccard median (≥ thr.)", "jaccard_hard_negatives")):
        row("  " + label, [f"{_n(a, 3)} ({_pct(b)})" if a is not None else "–"
                           for a, b in zip(col("rebuild_quality", key, "median"),
                                           col("rebuild_quality", key, "share_at_threshold"), strict=True)], None)

    for step in ("rebuild", "incremental"):
        if not any(_get(r, step, "stages") for r in results):
            continue
        lines.append("")
        lines.append(f"where the {step} spends its time (s; calls at the largest size)")
        labels = ["grouping"] + [s for _, s in GROUPING_STAGES] + ["drafting"] + [s for *_, s in DRAFTING_STAGES]
        for label in labels:
            values = col(step, "stages", label, "seconds")
            if all(v is None for v in values):
                continue
            calls = next((c for c in reversed(col(step, "stages", label, "calls")) if c is not None), 0)
            indent = "  " if label in ("grouping", "drafting") else "    "
            text = f"{indent + label:44}" + "".join(f"{_n(v, 2):>{width}}" for v in values)
            if growth and values[0] and values[-1]:
                text += f"{values[-1] / values[0]:>{width - 1}.1f}×"
            lines.append(text + f"   {calls:,} calls")
        for top, stages in (("grouping", [s for _, s in GROUPING_STAGES]),
                            ("drafting", [s for *_, s in DRAFTING_STAGES])):
            rest = []
            for r in results:
                total = _get(r, step, "stages", top, "seconds")
                rest.append(None if total is None else
                            total - sum(_get(r, step, "stages", s, "seconds", default=0) for s in stages))
            lines.append(f"    {'(rest of ' + top + ': commits, loops)':40}" + "".join(f"{_n(v, 2):>{width}}"
                                                                                       for v in rest))
    if meta.get("profiles"):
        lines.append("")
        lines.append("cProfile, top functions by own time per measurement (files kept in the work directory):")
        for name, text in meta["profiles"].items():
            lines.append(f"--- {name}")
            lines.append(text.rstrip())
    return "\n".join(lines)


def profile_summary(path: str, limit: int = 15) -> str:
    out = io.StringIO()
    stats = pstats.Stats(path, stream=out)
    stats.strip_dirs().sort_stats("tottime").print_stats(limit)
    text = out.getvalue()
    start = text.find("   ncalls")
    return text[start:] if start >= 0 else text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=DEFAULT_SIZES,
                        help="archive sizes for the full rebuild (default: 10000 100000)")
    parser.add_argument("--incremental", type=int, default=DEFAULT_INCREMENTAL,
                        help="new articles for the incremental run, 0 to skip (default: 500)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--timeout", type=float, default=0, help="stop a rebuild or incremental run after this "
                        "many seconds and report how far it got (default: no limit)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--profile", action="store_true", help="run each measurement under cProfile too "
                        "(slower; times then include the profiler's overhead)")
    parser.add_argument("--workdir", type=Path, help="where the databases go (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--cache", type=Path, help="keep generated archives here and reuse them")
    parser.add_argument("--patch", type=Path, help="a Python file run in each drafting process before it is "
                        "measured: monkeypatch pipeline functions to measure a proposed change without editing "
                        "pipeline/ (the report names the file)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--child-size", dest="size", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--label", default="", help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(args)
        return 0

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="newsdesk-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    meta = {"seed": args.seed, "workdir": str(workdir), "machine": machine(), "sizes": args.sizes,
            "patch": str(args.patch) if args.patch else None,
            "incremental": args.incremental, "started": datetime.now().isoformat(timespec="seconds")}
    results = []
    try:
        for size in args.sizes:
            results.append(bench_size(size, args.incremental, workdir, args.seed, args.profile, args.cache,
                                      args.patch.resolve() if args.patch else None, args.timeout))
            if args.json:
                continue
            print(report(results, meta), file=sys.stderr, flush=True)   # partial results as they come
    finally:
        if not (args.keep or args.workdir or args.profile):
            shutil.rmtree(workdir, ignore_errors=True)
    if args.profile:
        meta["profiles"] = {r[k]["profile"].rsplit("/", 1)[1]: profile_summary(r[k]["profile"])
                            for r in results for k in ("rebuild", "incremental", "noop") if k in r and
                            "profile" in r[k]}
    meta["finished"] = datetime.now().isoformat(timespec="seconds")
    if args.json:
        print(json.dumps({"meta": meta, "results": results}, ensure_ascii=False, indent=2))
    else:
        print(report(results, meta))
    return 0


if __name__ == "__main__":
    sys.exit(main())
