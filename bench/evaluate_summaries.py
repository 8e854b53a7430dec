"""Evaluate the default summariser against lead-3 on the hand-written set in bench/eval/.

Run from the repository root:

    python bench/evaluate_summaries.py            # table
    python bench/evaluate_summaries.py --json     # machine-readable
    python bench/evaluate_summaries.py --bullets  # also print every system's bullets

For each item (one JSON file: sources + 3–4 reference bullets in the house format) both
systems are run: ``pipeline.summarise.summarise`` and ``pipeline.summarise.lead_baseline``.
Reported, macro-averaged over items:

* ROUGE-1/2/L F1 on characters (NFKC, whitespace removed) and on word tokens (fugashi for
  Japanese, letter/digit runs for English) — see bench/rouge.py;
* figures kept verbatim: of the figures (``facts_in``) in a system's bullets, the share found
  verbatim in the item's source texts (pooled over items);
* reference-figure recall: of the figures in the reference bullets, the share that occur
  verbatim in the system's bullets (pooled over items).

Exit status 1 if the summariser's mean ROUGE-L F1 on characters is not above lead-3's
(the evaluation gate), 2 on a malformed evaluation set. Deterministic; no network.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.rouge import rouge_all, summary_units  # noqa: E402
from pipeline.analyse.facts import facts_in  # noqa: E402
from pipeline.summarise.extractive import Bullet, SourceText, lead_baseline, summarise  # noqa: E402

EVAL_DIR = ROOT / "bench" / "eval"
SYSTEMS: dict[str, Callable[[list[SourceText]], list[Bullet]]] = {
    "summarise": summarise,
    "lead-3": lead_baseline,
}
GATE_SYSTEM, GATE_BASELINE, GATE_METRIC = "summarise", "lead-3", "char_rougeL"
METRICS = [f"{unit}_{name}" for unit in ("char", "token") for name in ("rouge1", "rouge2", "rougeL")]
_SOURCE_KEYS = ("article_id", "role", "url", "title", "published_at", "org", "text")


class EvalSetError(ValueError):
    pass


# --- loading --------------------------------------------------------------------------------


def _check_item(item: object, path: Path) -> dict:
    if not isinstance(item, dict):
        raise EvalSetError(f"{path.name}: not a JSON object")
    for key in ("id", "lang", "sources", "reference"):
        if key not in item:
            raise EvalSetError(f"{path.name}: missing {key!r}")
    if item["lang"] not in ("ja", "en"):
        raise EvalSetError(f"{path.name}: lang must be 'ja' or 'en'")
    if not item["sources"] or not isinstance(item["sources"], list):
        raise EvalSetError(f"{path.name}: 'sources' must be a non-empty list")
    for source in item["sources"]:
        missing = [k for k in _SOURCE_KEYS if k not in source]
        if missing:
            raise EvalSetError(f"{path.name}: source without {missing}")
        if source["role"] not in ("news", "primary"):
            raise EvalSetError(f"{path.name}: role must be 'news' or 'primary'")
    reference = item["reference"]
    if not isinstance(reference, list) or not all(isinstance(b, str) and b.strip() for b in reference):
        raise EvalSetError(f"{path.name}: 'reference' must be a list of non-empty strings")
    return item


def load_items(eval_dir: Path = EVAL_DIR) -> list[dict]:
    """Every bench/eval/*.json item, in file-name order."""
    paths = sorted(eval_dir.glob("*.json"))
    if not paths:
        raise EvalSetError(f"no *.json items in {eval_dir}")
    items = [_check_item(json.loads(p.read_text(encoding="utf-8")), p) for p in paths]
    ids = [item["id"] for item in items]
    if len(set(ids)) != len(ids):
        raise EvalSetError("duplicate item ids")
    return items


def to_sources(item: dict) -> list[SourceText]:
    return [
        SourceText(
            article_id=s["article_id"],
            role=s["role"],
            url=s["url"],
            title=s["title"],
            text=s["text"],
            lang=s.get("lang", item["lang"]),
            published_at=s["published_at"],
            org=s["org"],
        )
        for s in item["sources"]
    ]


# --- scoring --------------------------------------------------------------------------------


def _figures(texts: list[str]) -> set[str]:
    found: set[str] = set()
    for text in texts:
        found |= facts_in(text)
    return found


def score_summary(bullets: list[str], reference: list[str], source_texts: list[str], lang: str) -> dict:
    """All metrics of one system's bullets for one item."""
    scores: dict = {}
    for unit in ("char", "token"):
        cand, ref = summary_units(bullets, unit, lang), summary_units(reference, unit, lang)
        for name, score in rouge_all(cand, ref).items():
            scores[f"{unit}_{name}"] = score.f1
    output_figures = _figures(bullets)
    verbatim = {f for f in output_figures if any(f in text for text in source_texts)}
    reference_figures = _figures(reference)
    recalled = {f for f in reference_figures if any(f in bullet for bullet in bullets)}
    scores["figures"] = {
        "in_output": sorted(output_figures),
        "not_in_sources": sorted(output_figures - verbatim),
        "in_reference": sorted(reference_figures),
        "missed": sorted(reference_figures - recalled),
        "verbatim": len(verbatim),
        "output": len(output_figures),
        "recalled": len(recalled),
        "reference": len(reference_figures),
    }
    scores["n_bullets"] = len(bullets)
    scores["chars"] = sum(len(b) for b in bullets)
    return scores


def evaluate(items: list[dict]) -> dict:
    per_item = []
    for item in items:
        sources = to_sources(item)
        source_texts = [s.text for s in sources]
        row = {"id": item["id"], "lang": item["lang"], "reference": item["reference"], "systems": {}}
        for name, system in SYSTEMS.items():
            bullets = [b.text for b in system(sources)]
            row["systems"][name] = {
                "bullets": bullets,
                **score_summary(bullets, item["reference"], source_texts, item["lang"]),
            }
        per_item.append(row)
    groups = {"all": per_item}
    for lang in ("ja", "en"):
        subset = [row for row in per_item if row["lang"] == lang]
        if subset:
            groups[lang] = subset
    summary = {name: {group: _aggregate(rows, name) for group, rows in groups.items()} for name in SYSTEMS}
    system_score = summary[GATE_SYSTEM]["all"][GATE_METRIC]
    baseline_score = summary[GATE_BASELINE]["all"][GATE_METRIC]
    gate = {
        "metric": GATE_METRIC,
        "system": GATE_SYSTEM,
        "baseline": GATE_BASELINE,
        "system_score": system_score,
        "baseline_score": baseline_score,
        "passed": system_score > baseline_score,
    }
    return {"n_items": len(per_item), "summary": summary, "gate": gate, "items": per_item}


def _aggregate(rows: list[dict], system: str) -> dict:
    results = [row["systems"][system] for row in rows]
    n = len(results)
    agg = {metric: sum(r[metric] for r in results) / n for metric in METRICS}
    verbatim = sum(r["figures"]["verbatim"] for r in results)
    output = sum(r["figures"]["output"] for r in results)
    recalled = sum(r["figures"]["recalled"] for r in results)
    reference = sum(r["figures"]["reference"] for r in results)
    agg.update(
        n_items=n,
        figures_verbatim=verbatim,
        figures_output=output,
        figures_verbatim_share=verbatim / output if output else None,
        figures_recalled=recalled,
        figures_reference=reference,
        figures_recall=recalled / reference if reference else None,
        mean_bullets=sum(r["n_bullets"] for r in results) / n,
        mean_chars=sum(r["chars"] for r in results) / n,
    )
    return agg


# --- output ---------------------------------------------------------------------------------


def _share(part: int, whole: int) -> str:
    return f"{part:>3}/{whole:<3} {100 * part / whole:5.1f}%" if whole else f"{part:>3}/{whole:<3}    n/a"


def format_table(result: dict, show_bullets: bool = False) -> str:
    summary, items = result["summary"], result["items"]
    langs = ", ".join(f"{summary[GATE_SYSTEM][g]['n_items']} {g}" for g in ("ja", "en") if g in summary[GATE_SYSTEM])
    lines = [
        f"{result['n_items']} items ({langs}); ROUGE = macro-averaged F1; figures pooled over items",
        "",
        f"{'system':<10} {'set':<4}| {'chars R-1':>9} {'R-2':>6} {'R-L':>6} | {'tokens R-1':>10} {'R-2':>6} {'R-L':>6}"
        f" | {'figures verbatim':<17}| {'ref figures recalled':<20}| bullets  chars",
    ]
    lines.append("-" * len(lines[-1]))
    for name in SYSTEMS:
        for group, agg in summary[name].items():
            chars = f"{agg['char_rouge1']:>9.3f} {agg['char_rouge2']:>6.3f} {agg['char_rougeL']:>6.3f}"
            tokens = f"{agg['token_rouge1']:>10.3f} {agg['token_rouge2']:>6.3f} {agg['token_rougeL']:>6.3f}"
            lines.append(
                f"{name:<10} {group:<4}| {chars} | {tokens}"
                f" | {_share(agg['figures_verbatim'], agg['figures_output']):<17}"
                f"| {_share(agg['figures_recalled'], agg['figures_reference']):<20}"
                f"| {agg['mean_bullets']:>7.2f} {agg['mean_chars']:>6.1f}"
            )
    header = f"per item, ROUGE-L F1 (chars)   {GATE_SYSTEM:>9} {GATE_BASELINE:>7}    diff  ref figs recalled (sys/lead)"
    lines += ["", header]
    for row in items:
        s, b = row["systems"][GATE_SYSTEM], row["systems"][GATE_BASELINE]
        diff = s["char_rougeL"] - b["char_rougeL"]
        flag = f"  <- {GATE_BASELINE} better" if diff < 0 else ""
        sf, bf = s["figures"], b["figures"]
        recall = f"{sf['recalled']}/{sf['reference']} vs {bf['recalled']}/{bf['reference']}"
        lines.append(
            f"  {row['id']:<37} {s['char_rougeL']:>6.3f} {b['char_rougeL']:>7.3f} {diff:>+7.3f}  {recall:<13}{flag}"
        )
        if show_bullets:
            shown = [("reference", row["reference"])] + [(n, row["systems"][n]["bullets"]) for n in SYSTEMS]
            for label, bullets in shown:
                lines.append(f"      [{label}]")
                lines += [f"        - {bullet}" for bullet in bullets] or ["        (no bullets)"]
            if sf["missed"]:
                lines.append(f"      [{GATE_SYSTEM} missed reference figures] {', '.join(sf['missed'])}")
            if sf["not_in_sources"]:
                lines.append(f"      [{GATE_SYSTEM} figures not in sources] {', '.join(sf['not_in_sources'])}")
    gate = result["gate"]
    verdict = "PASS" if gate["passed"] else "FAIL"
    lines += [
        "",
        f"gate: {gate['system']} mean ROUGE-L F1 (chars) {gate['system_score']:.4f} > "
        f"{gate['baseline']} {gate['baseline_score']:.4f} ... {verdict}",
    ]
    return "\n".join(lines)


def _rounded(value):
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON instead of the table")
    parser.add_argument("--bullets", action="store_true", help="also print reference and system bullets per item")
    parser.add_argument("--eval-dir", type=Path, default=EVAL_DIR, help="directory of evaluation items (*.json)")
    args = parser.parse_args(argv)
    try:
        items = load_items(args.eval_dir)
    except (EvalSetError, json.JSONDecodeError) as exc:
        print(f"evaluate_summaries: bad evaluation set: {exc}", file=sys.stderr)
        return 2
    result = evaluate(items)
    if args.json:
        print(json.dumps(_rounded(result), ensure_ascii=False, indent=2))
    else:
        print(format_table(result, show_bullets=args.bullets))
    return 0 if result["gate"]["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
