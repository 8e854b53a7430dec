"""The suite's figures: per-step medians and the goal ratios (summarise), and the printed table.

Ratios pair the steps of one round (crawl of round 2 / trafilatura of round 2) and take the
median over rounds, so a slow minute of the shared machine weighs on both sides of a ratio.
"""

from __future__ import annotations

import statistics

from bench.goals import Goal, goal_results

LABELS = {"scrapy_fetch": ("bare Scrapy fetch", "pages/s"), "trafilatura": ("bare trafilatura.extract", "pages/s"),
          "extract": ("newsdesk extraction", "pages/s"), "crawl": ("newsdesk crawl", "pages/s"),
          "recrawl": ("second crawl (unchanged)", "ms"), "reextract": ("newsdesk reextract", "pages/s"),
          "search": ("search, in process", "ms"), "startup": ("newsdesk search process", "ms")}


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def _values(steps: dict, step: str, field: str = "value") -> list[float | None]:
    return [entry.get(field) for entry in steps.get(step, [])]


def _paired(steps: dict, top: str, bottom: str, invert: bool = False, field: str = "value") -> float | None:
    """Median over rounds of top/bottom (bottom/top with invert), each pair from one round."""
    pairs = [(a, b) for a, b in zip(_values(steps, top, field), _values(steps, bottom, field), strict=False)
             if a and b]
    if not pairs:
        return None
    return statistics.median(b / a if invert else a / b for a, b in pairs)


def search_per_query(steps: dict) -> dict[str, dict]:
    """Every query's timings over all rounds: median, p95, hits."""
    timings: dict[str, list[float]] = {}
    hits: dict[str, int] = {}
    for entry in steps.get("search", []):
        for query, measured in entry["queries"].items():
            timings.setdefault(query, []).extend(measured["ms"])
            hits[query] = measured["hits"]
    return {query: {"median_ms": statistics.median(ms), "p95_ms": p95(ms), "hits": hits[query]}
            for query, ms in timings.items()}


def _startup_ms(steps: dict, query: str) -> float | None:
    """Per round: the process's median wall minus the same query's median in process; median over rounds."""
    rounds = []
    for index, entry in enumerate(steps.get("startup", [])):
        searched = steps.get("search", [])
        in_process = statistics.median(searched[index]["queries"][query]["ms"]) \
            if index < len(searched) and query in searched[index]["queries"] else 0.0
        rounds.append(entry["value"] - in_process)
    return statistics.median(rounds) if rounds else None


def summarise(result: dict) -> dict:
    steps = result.get("steps", {})
    per_query = search_per_query(steps)
    worst = max(per_query.items(), key=lambda item: item[1]["p95_ms"], default=None)
    python = [ms for entry in steps.get("startup", []) for ms in entry["python_ms"]]
    workers = result.get("reextract_workers")
    return {
        "steps": {step: _step_summary(entries) for step, entries in steps.items()},
        "ratios": {"extraction_cost": _paired(steps, "extract", "trafilatura", invert=True),
                   "crawl_speedup": _paired(steps, "crawl", "trafilatura"),
                   "reextract_speedup": _paired(steps, "reextract", "trafilatura"),
                   "crawl_vs_bare_scrapy": _paired(steps, "crawl", "scrapy_fetch")},
        # Why the crawl ratio is what it is: the CPU a crawled page costs against a bare trafilatura
        # page (the workers' extraction, the store, Scrapy, the IPC, the start-up), and what that allows
        # on this machine's CPUs if every one were busy throughout.
        "crawl_cpu_cost": _paired(steps, "crawl", "trafilatura", field="cpu_ms_per_page"),
        "search_per_query": per_query,
        "search_p95_all_ms": p95([ms for entry in steps.get("search", []) for query in entry["queries"].values()
                                  for ms in query["ms"]]) if steps.get("search") else None,
        "search_worst": {"query": worst[0], **worst[1]} if worst else None,
        "startup_ms": _startup_ms(steps, result.get("config", {}).get("startup_query", "")),
        "python_ms": statistics.median(python) if python else None,
        "crawl_peak_rss_mib": max((e["peak_rss_mib"] for e in steps.get("crawl", [])), default=None),
        "crawl_peak_pss_mib": max((e.get("peak_pss_mib") or 0 for e in steps.get("crawl", [])), default=None) or None,
        "crawl_pages": result.get("site", {}).get("pages"),
        "archive_size": result.get("config", {}).get("archive"),
        "reextract_note": f"--workers {workers}" if workers else "one process (reextract has no --workers)",
    }


def _step_summary(entries: list[dict]) -> dict:
    values = [entry["value"] for entry in entries]
    shares = [entry["cpu_share"] for entry in entries if entry.get("cpu_share") is not None]
    stolen = [entry["stolen_share"] for entry in entries if entry.get("stolen_share") is not None]
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "cpu_share": statistics.median(shares) if shares else None,
            "stolen": (min(stolen), max(stolen)) if stolen else None,
            "peak_rss_mib": max((entry.get("peak_rss_mib") or 0 for entry in entries), default=None),
            "peak_pss_mib": max((entry.get("peak_pss_mib") or 0 for entry in entries), default=None)}


# --- the table ------------------------------------------------------------------------------
def table(result: dict) -> str:
    summary = result.get("summary") or summarise(result)
    config, site = result.get("config", {}), result.get("site", {})
    lines = [f"newsdesk benchmark suite: {site.get('pages')} pages ({site.get('distinct_pages')} distinct), "
             f"{config.get('rounds')} rounds interleaved, search archive {config.get('archive'):,} articles, "
             f"{config.get('cpus')} CPUs" + (f", {result['wall_seconds']:.0f} s" if "wall_seconds" in result else ""),
             "",
             f"{'step':<26}{'unit':<9}{'median':>9}{'min':>9}{'max':>9}{'CPU':>7}{'stolen':>9}{'peak RSS':>11}"
             f"{'PSS':>9}  notes"]
    for step, (label, unit) in LABELS.items():
        if step not in summary["steps"]:
            continue
        figures = summary["steps"][step]
        share = f"{figures['cpu_share']:.0%}" if figures["cpu_share"] is not None else "-"
        rss = f"{figures['peak_rss_mib']:.0f} MiB" if figures["peak_rss_mib"] else "-"
        pss = f"{figures['peak_pss_mib']:.0f} MiB" if figures.get("peak_pss_mib") else "-"
        stolen = _span(figures.get("stolen"))
        lines.append(f"{label:<26}{unit:<9}{_num(figures['median']):>9}{_num(figures['min']):>9}"
                     f"{_num(figures['max']):>9}{share:>7}{stolen:>9}{rss:>11}{pss:>9}  {_note(step, result, summary)}")
    lines += ["", "CPU: CPU seconds per wall second of the step's processes (100% = one core busy); "
              "stolen: the least and most of the machine's CPU time the hypervisor gave other guests "
              "during the step, over the rounds; peak RSS: the process tree's, summed (a page shared by "
              "processes counted in each); PSS: the tree's proportional set size (shared pages divided "
              "among the processes).", ""]
    lines += _query_lines(summary)
    lines += ["", f"{'goal':<40}{'measured':>13}{'target':>14}  met"]
    lines += [_goal_line(goal) for goal in goal_results({**result, "summary": summary})]
    lines += _crawl_cost_lines(summary, config.get("cpus"))
    return "\n".join(lines)


def _crawl_cost_lines(summary: dict, cpus: int | None) -> list[str]:
    """The crawl's CPU per page against bare trafilatura's, and the ratio it allows on these CPUs."""
    cost = summary.get("crawl_cpu_cost")
    if not cost or not cpus:
        return []
    return ["", f"crawl CPU per page: {cost:.2f}x bare trafilatura's (median over rounds): with all {cpus} CPUs "
            f"busy throughout, at most {cpus / cost:.2f}x its pages/s"]


def _span(least_most: list[float] | None) -> str:
    if not least_most:
        return "-"
    least, most = (round(100 * share) for share in least_most)
    return f"{least}%" if least == most else f"{least}-{most}%"


def _num(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 1000 else f"{value:,.0f}"


def _note(step: str, result: dict, summary: dict) -> str:
    last = result["steps"][step][-1]
    if step == "scrapy_fetch":
        return f"{last['pages']} pages, {last['bytes'] / 1e6:.0f} MB, robots.txt off"
    if step in ("trafilatura", "extract"):
        passes = last.get("passes", 1)
        distinct = last["pages"] // passes
        return (f"{distinct} distinct pages from disk" + (f" x {passes}" if passes > 1 else "")
                + f", {last['ms_per_page']:.1f} ms/page, {last['failed']} failed")
    if step == "crawl":
        return f"{last['articles']} articles stored, {last['errors']} errors, {last['requests']} responses"
    if step == "recrawl":
        return (f"{last['requests']} requests, {last['bytes']:,} bytes, {last['articles_fetched']} articles "
                "fetched again")
    if step == "reextract":
        return f"{last['pages']} articles, {summary['reextract_note']}"
    if step == "search":
        worst = summary["search_worst"]
        return f"p95 {summary['search_p95_all_ms']:.1f} ms overall; worst query {worst['query']} p95 " \
               f"{worst['p95_ms']:.1f} ms"
    if step == "startup":
        startup, python = summary["startup_ms"], summary["python_ms"]
        return f"start-up {startup:.0f} ms (process − in-process query); python -c pass {python:.0f} ms"
    return ""


def _query_lines(summary: dict) -> list[str]:
    per_query = summary.get("search_per_query") or {}
    if not per_query:
        return []
    lines = [f"{'query (in process)':<28}{'median ms':>10}{'p95 ms':>9}{'hits':>6}"]
    for query, figures in per_query.items():
        pad = 28 - sum(2 if ord(char) > 0x2E7F else 1 for char in query)  # wide characters take two columns
        lines.append(f"{query}{' ' * max(pad, 1)}{figures['median_ms']:>10.1f}{figures['p95_ms']:>9.1f}"
                     f"{figures['hits']:>6}")
    return lines


def _goal_line(goal: Goal) -> str:
    measured = "-" if goal.value is None else f"{_num(goal.value)} {goal.unit}"
    met = {True: "yes", False: "NO", None: "-"}[goal.met]
    note = f"  ({goal.note})" if goal.note else ""
    target = f"{goal.op} {_num(goal.target)} {goal.unit}"
    return f"{goal.name:<40}{measured:>13}{target:>14}  {met}{note}"
