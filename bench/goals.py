"""Issue 11's goals, as ratios and limits over one suite result; pure functions, no timing.

``goal_results(result)`` reads the summary the suite computed (``result["summary"]``) and returns
one entry per goal: its name, the measured value, the target, and whether it is met (None when the
suite did not measure it). ``missed(goals)`` lists the goals ``--check`` fails on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

EXTRACTION_COST_MAX = 1.2      # newsdesk extraction time per page / bare trafilatura's
CRAWL_SPEEDUP_MIN = 1.5        # newsdesk crawl pages/s / bare trafilatura pages/s
REEXTRACT_SPEEDUP_MIN = 1.8    # newsdesk reextract pages/s / bare trafilatura pages/s
SEARCH_P95_MAX_MS = 50.0       # every query of the fixed set, in process, at 100k articles
STARTUP_MAX_MS = 150.0         # newsdesk search process start-up
CRAWL_RSS_MAX_MIB = 400.0      # crawl of 2,000 pages, the whole process tree
REEXTRACT_100K_RSS_MAX_MIB = 500.0


@dataclass(frozen=True)
class Goal:
    name: str
    value: float | None
    target: float
    op: str                     # "<=", ">=", "<"
    unit: str
    met: bool | None
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _judge(name: str, value: float | None, op: str, target: float, unit: str, note: str = "") -> Goal:
    if value is None:
        return Goal(name, None, target, op, unit, None, note or "not measured")
    met = {"<=": value <= target, ">=": value >= target, "<": value < target}[op]
    return Goal(name, value, target, op, unit, met, note)


def goal_results(result: dict) -> list[Goal]:
    """The goals of issue 11 judged on result["summary"] (missing figures count as not measured)."""
    summary = result.get("summary", {})
    ratios = summary.get("ratios", {})
    worst = summary.get("search_worst") or {}
    crawl_pages = summary.get("crawl_pages")
    rss_note = f"{crawl_pages} pages" if crawl_pages else ""
    if crawl_pages is not None and crawl_pages < 2000:
        rss_note += " (the goal is for 2,000: indicative only)"
    return [
        _judge("extraction cost vs bare trafilatura", ratios.get("extraction_cost"), "<=", EXTRACTION_COST_MAX, "x"),
        _judge("crawl pages/s vs bare trafilatura", ratios.get("crawl_speedup"), ">=", CRAWL_SPEEDUP_MIN, "x"),
        _judge("reextract pages/s vs bare trafilatura", ratios.get("reextract_speedup"), ">=",
               REEXTRACT_SPEEDUP_MIN, "x", summary.get("reextract_note", "")),
        _judge("search p95, worst query", worst.get("p95_ms"), "<=", SEARCH_P95_MAX_MS, "ms",
               f"{worst['query']} ({summary.get('archive_size', '?')} articles)" if worst else ""),
        _judge("newsdesk search start-up", summary.get("startup_ms"), "<", STARTUP_MAX_MS, "ms",
               f"python -c pass: {summary['python_ms']:.0f} ms" if summary.get("python_ms") else ""),
        _judge("crawl peak RSS", summary.get("crawl_peak_rss_mib"), "<", CRAWL_RSS_MAX_MIB, "MiB", rss_note),
        _judge("crawl peak PSS", summary.get("crawl_peak_pss_mib"), "<", CRAWL_RSS_MAX_MIB, "MiB",
               "shared pages counted once"),
        _judge("100k reextract peak RSS", None, "<", REEXTRACT_100K_RSS_MAX_MIB, "MiB",
               "not measured here: bench/bench_reextract_memory.py"),
    ]


def missed(goals: list[Goal]) -> list[Goal]:
    """The goals measured and not met (what --check exits 1 for)."""
    return [goal for goal in goals if goal.met is False]
