"""Score our generic article extraction on the public article-extraction benchmark, next to other tools.

Run from the repository root:

    python bench/evaluate_extraction.py                # table, sorted by F1
    python bench/evaluate_extraction.py --json         # machine-readable
    python bench/evaluate_extraction.py --min-f1 0.95  # evaluation gate on our F1
    python bench/evaluate_extraction.py --worst 10     # also list our 10 weakest pages

The benchmark (scrapinghub/article-extraction-benchmark, MIT; 181 pages with hand-made
``articleBody`` ground truth and other tools' outputs) is read in place from
``../shared/bench/article-extraction-benchmark`` next to the repository; it is never copied
into the project. See its SOURCES.md.

Our system: every ``html/<id>.html.gz`` is decoded with ``crawler.extract.decode.decode_html``
(no Content-Type, so the meta declaration / detection path is used) and passed to
``crawler.extract.article.extract_article`` with a plain Source without extraction rules, i.e.
pure generic extraction (trafilatura with the options set in ``_trafilatura`` there, plus our
text cleaning); ``Article.text`` is scored. A DecodeError or ExtractError counts as an empty
prediction. Every ``output/*.json`` of the benchmark is scored the same way.

Metric (the benchmark's own, as described in its SOURCES.md): texts are tokenised with the
regex ``\\w+``; each text becomes a multiset of word 4-gram shingles (a text of fewer than four
tokens is one shingle); TP/FP/FN are the multiset overlap and differences, normalised per page so
long pages do not weigh more. Precision is averaged over pages with a non-empty prediction,
recall over pages with a non-empty ground truth, and F1 is computed from the two means.
"exact" is the share of pages whose token sequence equals the ground truth. The ± figures are
bootstrap standard deviations (1000 resamples of pages, fixed seed, the same resamples for
every system). "empty" counts pages with no predicted text.

Exit status 1 when ``--min-f1`` is given and our F1 is below it, 2 when the benchmark is
missing or malformed. Scores are deterministic; timings go to stderr. No network.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from importlib.metadata import version as package_version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from crawler.extract.article import ExtractError, extract_article  # noqa: E402
from crawler.extract.decode import DecodeError, decode_html  # noqa: E402
from crawler.sources import Source  # noqa: E402

BENCH_DIR = ROOT.parent / "shared" / "bench" / "article-extraction-benchmark"
OURS = "newsdesk (ours)"
BENCH_SOURCE = Source(key="bench", name="bench", lang="en", article_pattern=".*", allowed_domains=("x",))
NGRAM = 4
_TOKEN_RE = re.compile(r"\w+")


class BenchmarkError(RuntimeError):
    pass


# --- metric ---------------------------------------------------------------------------------


def tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text or "")


def shingles(text: str, n: int = NGRAM) -> Counter:
    """Multiset of word n-grams; a text shorter than n tokens is a single shingle."""
    toks = tokens(text)
    if not toks:
        return Counter()
    return Counter(tuple(toks[i:i + n]) for i in range(max(1, len(toks) - n + 1)))


def match_counts(true: str, pred: str) -> tuple[float, float, float]:
    """(TP, FP, FN) over shingles, normalised to sum to 1 (all zero when both texts are empty)."""
    expected, predicted = shingles(true), shingles(pred)
    tp = sum((expected & predicted).values())
    fp = sum((predicted - expected).values())
    fn = sum((expected - predicted).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def page_precision(tp: float, fp: float, fn: float) -> float | None:
    """None when the prediction is empty: such a page is left out of the precision mean."""
    if tp + fp == 0:
        return None
    return 1.0 if fp == fn == 0 else tp / (tp + fp)


def page_recall(tp: float, fp: float, fn: float) -> float | None:
    if tp + fn == 0:
        return None
    return 1.0 if fp == fn == 0 else tp / (tp + fn)


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _mean(values: list[float | None]) -> float:
    kept = [v for v in values if v is not None]
    return statistics.fmean(kept) if kept else 0.0


@dataclass
class Scored:
    name: str
    version: str
    precisions: list[float | None]
    recalls: list[float | None]
    exact: list[bool]
    empty: int
    errors: list[dict] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return _mean(self.precisions)

    @property
    def recall(self) -> float:
        return _mean(self.recalls)

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)


def score(name: str, version: str, truth: dict[str, str], pred: dict[str, str]) -> Scored:
    precisions, recalls, exact = [], [], []
    for key, true in truth.items():
        counts = match_counts(true, pred.get(key, ""))
        precisions.append(page_precision(*counts))
        recalls.append(page_recall(*counts))
        exact.append(tokens(true) == tokens(pred.get(key, "")))
    empty = sum(1 for key in truth if not tokens(pred.get(key, "")))
    return Scored(name, version, precisions, recalls, exact, empty)


def bootstrap_std(systems: list[Scored], n_pages: int, n_bootstrap: int, seed: int) -> dict[str, dict]:
    """Std of precision, recall and F1 over page resamples (paired: the same resamples for all)."""
    rng = random.Random(seed)
    samples = [[rng.randrange(n_pages) for _ in range(n_pages)] for _ in range(n_bootstrap)]
    result = {}
    for system in systems:
        ps, rs, fs = [], [], []
        for idx in samples:
            p = _mean([system.precisions[i] for i in idx])
            r = _mean([system.recalls[i] for i in idx])
            ps.append(p)
            rs.append(r)
            fs.append(_f1(p, r))
        result[system.name] = {"precision": statistics.stdev(ps), "recall": statistics.stdev(rs),
                               "f1": statistics.stdev(fs)} if n_bootstrap > 1 else {}
    return result


# --- loading and running --------------------------------------------------------------------


def load_truth(bench_dir: Path) -> dict[str, dict]:
    if not bench_dir.is_dir():
        raise BenchmarkError(
            f"benchmark not found at {bench_dir}\n"
            "expected the article-extraction-benchmark data (ground-truth.json, html/, output/) "
            "in ../shared/bench/ next to the repository; it is read in place, not copied into the project")
    path = bench_dir / "ground-truth.json"
    try:
        truth = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BenchmarkError(f"cannot read {path}: {exc}") from exc
    if not isinstance(truth, dict) or not truth:
        raise BenchmarkError(f"{path}: expected a non-empty object of items")
    for key, item in truth.items():
        if not isinstance(item, dict) or not isinstance(item.get("articleBody"), str):
            raise BenchmarkError(f"{path}: item {key} has no articleBody string")
    return truth


def load_output(path: Path) -> tuple[dict[str, str], str]:
    """An output file as ({item_id: text}, version); some files are wrapped as {version, output}."""
    data = json.loads(path.read_text(encoding="utf-8"))
    version = ""
    if isinstance(data.get("output"), dict) and "version" in data:
        version, data = str(data["version"]), data["output"]
    return {key: (item or {}).get("articleBody") or "" for key, item in data.items()}, version


def run_ours(bench_dir: Path, truth: dict[str, dict]) -> tuple[dict[str, str], list[dict]]:
    pred, errors = {}, []
    for key, item in truth.items():
        page = bench_dir / "html" / f"{key}.html.gz"
        try:
            html, _ = decode_html(gzip.decompress(page.read_bytes()), None)
            pred[key] = extract_article(html, item.get("url") or "", BENCH_SOURCE).text
        except (DecodeError, ExtractError) as exc:
            pred[key] = ""
            errors.append({"id": key, "url": item.get("url"), "error": f"{type(exc).__name__}: {exc}"})
        except OSError as exc:
            raise BenchmarkError(f"cannot read {page}: {exc}") from exc
    return pred, errors


def evaluate(bench_dir: Path, n_bootstrap: int = 1000, seed: int = 0, worst: int = 0) -> dict:
    truth_items = load_truth(bench_dir)
    truth = {key: item["articleBody"] for key, item in truth_items.items()}
    started = time.perf_counter()
    ours_pred, errors = run_ours(bench_dir, truth_items)
    seconds = time.perf_counter() - started
    ours = score(OURS, f"trafilatura {package_version('trafilatura')}", truth, ours_pred)
    ours.errors = errors
    systems, skipped = [ours], []
    for path in sorted((bench_dir / "output").glob("*.json")):
        try:
            pred, version = load_output(path)
        except (OSError, ValueError, AttributeError) as exc:
            skipped.append(f"{path.name}: unreadable ({exc})")
            continue
        if pred.keys() != truth.keys():
            skipped.append(f"{path.name}: item ids do not match the ground truth")
            continue
        systems.append(score(path.stem, version, truth, pred))
    stds = bootstrap_std(systems, len(truth), n_bootstrap, seed)
    systems.sort(key=lambda s: (-s.f1, s.name))
    rows = []
    for rank, system in enumerate(systems, 1):
        std = stds[system.name]
        rows.append({"rank": rank, "system": system.name, "version": system.version, "ours": system is ours,
                     "precision": system.precision, "precision_std": std.get("precision"),
                     "recall": system.recall, "recall_std": std.get("recall"),
                     "f1": system.f1, "f1_std": std.get("f1"),
                     "exact": statistics.fmean(system.exact), "empty": system.empty})
    per_page = []
    for i, (key, item) in enumerate(truth_items.items()):
        p, r = ours.precisions[i], ours.recalls[i]
        per_page.append({"id": key, "url": item.get("url"), "precision": p, "recall": r,
                         "f1": _f1(p or 0.0, r or 0.0)})
    per_page.sort(key=lambda row: (row["f1"], row["id"]))
    return {"benchmark": str(bench_dir), "pages": len(truth), "n_bootstrap": n_bootstrap, "seed": seed,
            "metric": f"word {NGRAM}-gram shingle multiset P/R/F1 (\\w+ tokens), per-page normalised, "
                      "macro-averaged; F1 from mean P and mean R",
            "systems": rows, "ours": {"f1": ours.f1, "errors": errors, "rank": next(r["rank"] for r in rows
                                                                                    if r["ours"])},
            "worst": per_page[:worst], "skipped": skipped, "extraction_seconds": seconds}


# --- output ---------------------------------------------------------------------------------


def _pm(value: float, std: float | None) -> str:
    return f"{value:.3f} ±{std:.3f}" if std is not None else f"{value:.3f}"


def format_table(result: dict) -> str:
    lines = [f"article-extraction-benchmark: {result['pages']} pages, {result['metric']}; "
             f"± = bootstrap std ({result['n_bootstrap']} resamples, seed {result['seed']})", ""]
    header = f"{'#':>2}  {'system':<18} {'version':<18} {'precision':>12} {'recall':>12} {'F1':>12} " \
             f"{'exact':>6} {'empty':>5}"
    lines += [header, "-" * len(header)]
    for row in result["systems"]:
        lines.append(f"{row['rank']:>2}{'*' if row['ours'] else ' '} {row['system']:<18} {row['version'][:18]:<18} "
                     f"{_pm(row['precision'], row['precision_std']):>12} {_pm(row['recall'], row['recall_std']):>12} "
                     f"{_pm(row['f1'], row['f1_std']):>12} {row['exact']:>6.3f} {row['empty']:>5}")
    errors = result["ours"]["errors"]
    lines.append("")
    lines.append(f"* ours: generic extract_article, no source rules; {len(errors)} decode/extract errors "
                 "(scored as empty)")
    lines += [f"    {e['id'][:12]}  {e['error']}" for e in errors]
    lines += [f"skipped {s}" for s in result["skipped"]]
    if result["worst"]:
        lines += ["", f"our {len(result['worst'])} weakest pages (F1, precision, recall):"]
        for row in result["worst"]:
            p = "  -  " if row["precision"] is None else f"{row['precision']:.3f}"
            lines.append(f"    {row['f1']:.3f} {p} {row['recall']:.3f}  {row['id'][:12]}  {row['url']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON instead of the table")
    parser.add_argument("--min-f1", type=float, default=None, metavar="X",
                        help="exit with status 1 when our F1 is below X (evaluation gate)")
    parser.add_argument("--worst", type=int, default=0, metavar="N", help="also list our N lowest-F1 pages")
    parser.add_argument("--n-bootstrap", type=int, default=1000, help="bootstrap resamples for the std (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    args = parser.parse_args(argv)
    try:
        result = evaluate(BENCH_DIR, n_bootstrap=args.n_bootstrap, seed=args.seed, worst=args.worst)
    except BenchmarkError as exc:
        print(f"evaluate_extraction: {exc}", file=sys.stderr)
        return 2
    print(f"extraction of {result['pages']} pages took {result['extraction_seconds']:.1f} s", file=sys.stderr)
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if k != "extraction_seconds"}, indent=2,
                         ensure_ascii=False))
    else:
        print(format_table(result))
    ours_f1 = result["ours"]["f1"]
    if args.min_f1 is not None and ours_f1 < args.min_f1:
        print(f"evaluate_extraction: gate failed, our F1 {ours_f1:.4f} < {args.min_f1}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
