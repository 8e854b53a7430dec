"""Fit the join model (``pipeline/stories/join_model.json``) on labelled articles.

The stream is replayed in date order through the real grouping code with the truth deciding
(teacher forcing): every candidate story scored for every article gives one example, its
features and whether it was the article's own event. A logistic regression with L2 (Newton's
method, numpy) gives the weights; the join threshold is the one that decides most articles right
on the same replay. The data: the fit part of the labelled set (``bench/story_eval.py``; its
held-out part is never read here) and a synthetic archive with another seed than the benchmark's.

    .venv/bin/python bench/fit_join_model.py            # writes pipeline/stories/join_model.json
    .venv/bin/python bench/fit_join_model.py --dry-run  # prints the weights only
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.story_eval import articles, held_out, load_into  # noqa: E402
from pipeline import store, stories  # noqa: E402
from pipeline.stories.scoring import FEATURES  # noqa: E402

MODEL = ROOT / "pipeline" / "stories" / "join_model.json"
SYNTHETIC_SEED = 11          # the drafting benchmark uses 7
L2 = 1.0                     # ridge penalty (absolute, on the summed log-loss)
REPAIR_MARGIN = 0.45         # the repair threshold sits this far above the join threshold (in probability)
VETOES = ["id_conflict"]     # decided by rule, not weighed: their examples are left out of the fit


def replay(db, event_of: dict[int, int]) -> list[tuple[list[float], int, int]]:
    """(features, is the article's own event, article id) of every candidate scored."""
    examples = []

    def truth(article: dict, scored: list) -> object:
        own = event_of.get(article["id"])
        best = None
        for candidate in scored:
            first = db.execute("SELECT min(article_id) FROM story_articles WHERE story_id = ?",
                               [candidate.story_id]).fetchone()[0]
            label = int(event_of.get(first) == own)
            examples.append(([candidate.features[name] for name in FEATURES], label, article["id"]))
            if label and (best is None or candidate.probability > best.probability):
                best = candidate
        return best

    stories.update_stories(db, decide=truth)
    return examples


def fit(x: np.ndarray, y: np.ndarray, l2: float = L2, steps: int = 50) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method: (weights, bias)."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    penalty = np.eye(xb.shape[1]) * l2
    penalty[-1, -1] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ w, -50, 50)))
        gradient = xb.T @ (p - y) + penalty @ w
        hessian = (xb * (p * (1 - p))[:, None]).T @ xb + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def best_threshold(probabilities: np.ndarray, y: np.ndarray, articles_of: np.ndarray) -> tuple[float, float]:
    """The threshold deciding most articles right: join the best candidate if it reaches it."""
    decisions = {}
    for p, label, article in zip(probabilities, y, articles_of, strict=True):
        best, has_own = decisions.get(article, (None, False))
        if best is None or p > best[0]:
            best = (p, label)
        decisions[article] = (best, has_own or bool(label))
    outcomes = list(decisions.values())
    grid = np.round(np.arange(0.05, 0.96, 0.01), 2)
    accuracy = [sum(((p >= t) and label) or ((p < t) and not own) for (p, label), own in outcomes) / len(outcomes)
                for t in grid]
    index = int(np.argmax(accuracy))
    return float(grid[index]), float(accuracy[index])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--synthetic", type=int, default=3000, help="synthetic articles to fit on (0: none)")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    examples = []
    with tempfile.TemporaryDirectory(prefix="newsdesk-fit-") as tmp:
        db = store.open_db(Path(tmp) / "labelled.db")
        fit_rows = [row for row in articles() if not held_out(row)]
        examples += replay(db, load_into(db, fit_rows))
        if args.synthetic:
            from bench.synthetic import build_archive, truth_path

            path = Path(tmp) / "synthetic.db"
            build_archive(path, args.synthetic, seed=SYNTHETIC_SEED)
            truth = json.loads(truth_path(path).read_text())["articles"]
            examples += replay(store.open_db(path), {a: -1 - e for a, e, _k, _i in truth})
    vetoed = [FEATURES.index(name) for name in VETOES]
    examples = [e for e in examples if not any(e[0][i] for i in vetoed)]
    x = np.array([features for features, _, _ in examples], dtype=float)
    y = np.array([label for _, label, _ in examples], dtype=float)
    weights, bias = fit(x, y)
    probabilities = 1.0 / (1.0 + np.exp(-(x @ weights + bias)))
    threshold, accuracy = best_threshold(probabilities, y, np.array([a for _, _, a in examples]))
    model = {
        "version": f"1-{date.today().isoformat()}",
        "note": "fitted by bench/fit_join_model.py; do not edit by hand",
        "weights": {name: round(float(w), 4) for name, w in zip(FEATURES, weights, strict=True)},
        "bias": round(bias, 4), "threshold": threshold, "vetoes": VETOES,
        "repair_threshold": round(min(0.99, threshold + REPAIR_MARGIN), 2),
        "fitted_on": {"labelled_fit_articles": len(fit_rows), "synthetic_articles": args.synthetic,
                      "synthetic_seed": SYNTHETIC_SEED, "examples": len(y), "positives": int(y.sum()),
                      "articles_decided_right": round(accuracy, 4), "l2": L2},
    }
    text = json.dumps(model, ensure_ascii=False, indent=2) + "\n"
    print(text)
    if not args.dry_run:
        MODEL.write_text(text, encoding="utf-8")
        print(f"written to {MODEL.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
