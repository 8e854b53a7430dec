"""Story grouping quality: BCubed and pairwise precision/recall, and hard negatives merged.

Sets: the labelled evaluation set (``bench/story_eval.py``: all of it, its fit part and its held-out
part, each grouped on its own) and, with ``--synthetic N``, a synthetic archive of N articles
(``bench/synthetic.py``, seed 7). Hard negatives are pairs of articles of different events in
the same scenario (the same vendor's other CVE, the next month's patch, another victim that week,
the follow-up weeks later, the same organisation's other incident).

    .venv/bin/python bench/evaluate_grouping.py                        # labelled set
    .venv/bin/python bench/evaluate_grouping.py --synthetic 10000 --json
    .venv/bin/python bench/evaluate_grouping.py --code /tmp/old         # another checkout's grouping
    .venv/bin/python bench/evaluate_grouping.py --min-bcubed-precision 0.97 --min-bcubed-recall 0.90

``--code DIR`` imports ``pipeline`` from another checkout (e.g. a ``git worktree`` of an older
commit), to state the figures of an earlier grouping on the same sets.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from itertools import combinations
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _paths(code: str | None) -> None:
    if code:
        sys.path.insert(0, str(Path(code).resolve()))
    sys.path.append(str(HERE.parent))


def _tally(story_of: dict[int, int], event_of: dict[int, int]) -> tuple[Counter, Counter, Counter]:
    """Articles per story, per event, and per (story, event); an article in no story is alone."""
    in_story, in_event, both = Counter(), Counter(), Counter()
    for article, event in event_of.items():
        story = story_of.get(article, -article)
        in_story[story] += 1
        in_event[event] += 1
        both[story, event] += 1
    return in_story, in_event, both


def bcubed(story_of: dict[int, int], event_of: dict[int, int]) -> dict:
    """BCubed precision and recall (Bagga and Baldwin 1998): per article, the share of its story that
    is its event and the share of its event that is in its story, averaged over articles."""
    in_story, in_event, both = _tally(story_of, event_of)
    n = len(event_of) or 1
    p = sum(both[story_of.get(a, -a), e] / in_story[story_of.get(a, -a)] for a, e in event_of.items()) / n
    r = sum(both[story_of.get(a, -a), e] / in_event[e] for a, e in event_of.items()) / n
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def scores(story_of: dict[int, int], event_of: dict[int, int], negatives: list[tuple[int, int]]) -> dict:
    """BCubed and pairwise figures of a grouping against the truth."""
    in_story, in_event, both = _tally(story_of, event_of)
    b3 = bcubed(story_of, event_of)
    same_story = sum(c * (c - 1) // 2 for c in in_story.values())
    same_event = sum(c * (c - 1) // 2 for c in in_event.values())
    agree = sum(c * (c - 1) // 2 for c in both.values())
    merged = sum(1 for a, b in negatives if story_of.get(a) is not None and story_of.get(a) == story_of.get(b))
    return {"articles": len(event_of), "events": len(in_event), "stories": len(in_story),
            "bcubed_precision": b3["precision"], "bcubed_recall": b3["recall"], "bcubed_f1": b3["f1"],
            "pairwise_precision": round(agree / same_story, 4) if same_story else 1.0,
            "pairwise_recall": round(agree / same_event, 4) if same_event else 1.0,
            "hard_negatives": len(negatives), "hard_negatives_merged": merged}


def group_labelled(rows: list[dict], workdir: Path, name: str) -> dict:
    from bench.story_eval import load_into
    from pipeline import store, stories

    db = store.open_db(workdir / f"{name}.db")
    event_of = load_into(db, rows)
    id_of = {row["url"]: article for row, article in zip(rows, event_of, strict=True)}
    group_of = {id_of[row["url"]]: row["group"] for row in rows}
    started = time.perf_counter()
    stories.update_stories(db)
    seconds = time.perf_counter() - started
    story_of = dict(db.execute("SELECT article_id, story_id FROM story_articles").fetchall())
    negatives = [(a, b) for a, b in combinations(sorted(event_of), 2)
                 if group_of[a] == group_of[b] and event_of[a] != event_of[b]]
    return {**scores(story_of, event_of, negatives), "grouping_seconds": round(seconds, 2)}


def group_synthetic(size: int, workdir: Path) -> dict:
    from bench.synthetic import build_archive, truth_path
    from pipeline import store, stories

    path = workdir / f"synthetic-{size}.db"
    build_archive(path, size, seed=7)
    truth = json.loads(truth_path(path).read_text())["articles"]
    db = store.open_db(path)
    started = time.perf_counter()
    stories.update_stories(db)
    seconds = time.perf_counter() - started
    story_of = dict(db.execute("SELECT article_id, story_id FROM story_articles").fetchall())
    event_of = {article: event for article, event, _kind, _incident in truth}
    incident_of = {article: incident for article, _event, _kind, incident in truth}
    published = dict(db.execute("SELECT id, published_at FROM articles").fetchall())
    return {**scores(story_of, event_of, _synthetic_negatives(event_of, incident_of, published)),
            "grouping_seconds": round(seconds, 1)}


def _synthetic_negatives(event_of: dict, incident_of: dict, published: dict, days: int = 14) -> list:
    """Pairs of articles of other events of the same incident type published within ``days``
    (every such pair among consecutive articles of the same type, in date order)."""
    from datetime import datetime

    by_type: dict[str, list] = {}
    for article, incident in incident_of.items():
        by_type.setdefault(incident, []).append((datetime.fromisoformat(published[article]), article))
    pairs = []
    for items in by_type.values():
        items.sort()
        for (t1, a), (t2, b) in zip(items, items[1:], strict=False):
            if (t2 - t1).days <= days and event_of[a] != event_of[b]:
                pairs.append((a, b))
    return pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--synthetic", type=int, action="append", default=[], metavar="N",
                        help="also group a synthetic archive of N articles (repeatable)")
    parser.add_argument("--code", help="import pipeline from this checkout instead")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--min-bcubed-precision", type=float, default=None)
    parser.add_argument("--min-bcubed-recall", type=float, default=None)
    args = parser.parse_args(argv)
    _paths(args.code)
    from bench.story_eval import articles, held_out

    rows = articles()
    results = {}
    with tempfile.TemporaryDirectory(prefix="newsdesk-grouping-") as tmp:
        workdir = Path(tmp)
        results["labelled (all)"] = group_labelled(rows, workdir, "all")
        results["labelled (fit part)"] = group_labelled([r for r in rows if not held_out(r)], workdir, "fit")
        results["labelled (held out)"] = group_labelled([r for r in rows if held_out(r)], workdir, "held")
        for size in args.synthetic:
            results[f"synthetic {size:,}"] = group_synthetic(size, workdir)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        print(report(results))
    failed = [name for name, r in results.items()
              if (args.min_bcubed_precision is not None and r["bcubed_precision"] < args.min_bcubed_precision)
              or (args.min_bcubed_recall is not None and r["bcubed_recall"] < args.min_bcubed_recall)
              or r["hard_negatives_merged"] and args.min_bcubed_precision is not None]
    if failed:
        print(f"below the goals: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def report(results: dict) -> str:
    columns = [("articles", "articles"), ("events", "events"), ("stories", "stories"),
               ("BCubed P", "bcubed_precision"), ("BCubed R", "bcubed_recall"), ("BCubed F1", "bcubed_f1"),
               ("pairwise P", "pairwise_precision"), ("pairwise R", "pairwise_recall"),
               ("hard neg. merged", "hard_negatives_merged"), ("of", "hard_negatives"),
               ("grouping s", "grouping_seconds")]
    lines = ["| set | " + " | ".join(label for label, _ in columns) + " |",
             "|---|" + "---:|" * len(columns)]
    for name, result in results.items():
        lines.append(f"| {name} | " + " | ".join(str(result[key]) for _, key in columns) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
