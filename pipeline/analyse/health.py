"""Source health, from crawl_runs, crawl_errors and articles: is each source ok, degraded or failing, and why.

- failing: its last crawls failed (unreachable, every page failing) two or more times in a row, or
  the last one read nothing at all;
- degraded: the last crawl missed a feed or listing page, CSS rules matched nothing (a selector
  probably broke), recent articles come without a body, title or date far more often than before,
  or nothing new has come for far longer than usual;
- ok otherwise. Each verdict carries its reasons in words.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

import sqlite_utils

RECENT_ARTICLES = 20        # extraction quality is judged on a source's newest articles...
EARLIER_ARTICLES = 100      # ... against the ones before them
QUIET_FACTOR = 4            # nothing new for this many times the usual gap is unusual
MIN_QUIET = timedelta(days=3)


@dataclass
class Health:
    source: str
    status: str = "ok"                     # ok | degraded | failing | unknown
    reasons: list[str] = field(default_factory=list)
    last_success: str | None = None
    consecutive_failures: int = 0
    last_new: int | None = None
    usual_new: float | None = None
    partial_share: float | None = None
    missing_date_share: float | None = None
    rule_warnings: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def source_health(db: sqlite_utils.Database, sources: list[str]) -> list[Health]:
    return [_health(db, source) for source in sources]


def _health(db: sqlite_utils.Database, source: str) -> Health:
    health = Health(source)
    runs = list(db.query("SELECT * FROM crawl_runs WHERE source = ? AND status != 'running' ORDER BY id DESC "
                         "LIMIT 30", [source]))
    if not runs:
        health.status, health.reasons = "unknown", ["never crawled"]
        return health
    finished = [r for r in runs if r["status"] == "finished"]
    health.last_success = finished[0]["started_at"] if finished else None
    health.consecutive_failures = next((i for i, r in enumerate(runs) if r["status"] == "finished"), len(runs))
    health.last_new = runs[0]["articles_new"]
    health.usual_new = statistics.median(r["articles_new"] for r in finished) if finished else None
    health.rule_warnings = db.execute("SELECT count(*) FROM crawl_errors WHERE crawl_run_id = ? AND reason = 'rule'",
                                      [runs[0]["id"]]).fetchone()[0]
    _failing(health, runs)
    if health.status != "failing":
        _degraded(db, health, runs[0])
    return health


def _failing(health: Health, runs: list[dict]) -> None:
    last = runs[0]
    if last["finish_reason"] == "nothing-read":
        health.reasons.append(f"the last crawl ({last['started_at']}) could not read anything: unreachable "
                              f"or every page failing ({last['errors']} failures)")
    if health.consecutive_failures >= 2:
        health.reasons.append(f"the last {health.consecutive_failures} crawls failed; last success "
                              f"{health.last_success or 'never'}")
    if health.reasons:
        health.status = "failing"


def _degraded(db: sqlite_utils.Database, health: Health, last: dict) -> None:
    reasons = []
    if last["finish_reason"] == "incomplete":
        reasons.append("the last crawl could not read a feed or listing page")
    if health.rule_warnings:
        reasons.append(f"{health.rule_warnings} extraction rules matched nothing in the last crawl "
                       "(a selector probably broke: newsdesk check SOURCE)")
    rows = list(db.query("SELECT body_status, title, published_at FROM articles WHERE source = ? "
                         "ORDER BY first_seen_at DESC, id DESC LIMIT ?", [health.source,
                                                                          RECENT_ARTICLES + EARLIER_ARTICLES]))
    recent, earlier = rows[:RECENT_ARTICLES], rows[RECENT_ARTICLES:]
    for name, bad in (("partial_share", lambda r: r["body_status"] == "partial"),
                      ("missing_date_share", lambda r: not r["published_at"])):
        share = _share(recent, bad)
        setattr(health, name, share)
        before = _share(earlier, bad) if earlier else 0.0
        if share is not None and share >= 0.5 and share >= before + 0.3:
            what = "come without a full body" if name == "partial_share" else "come without a date"
            reasons.append(f"{share:.0%} of the newest articles {what} (before: {before:.0%})")
    quiet = _quiet_for(rows)
    if quiet:
        reasons.append(quiet)
    if reasons:
        health.status, health.reasons = "degraded", reasons


def _share(rows: list[dict], bad) -> float | None:
    return sum(1 for r in rows if bad(r)) / len(rows) if rows else None


def _quiet_for(rows: list[dict]) -> str | None:
    """Nothing published for far longer than the usual gap between the source's articles."""
    seen = sorted((_moment(r["published_at"]) for r in rows if r["published_at"]), reverse=True)
    if len(seen) < 5:
        return None
    gaps = [earlier - later for earlier, later in zip(seen, seen[1:], strict=False)]
    usual = statistics.median(gaps)
    silence = datetime.now(UTC) - seen[0]
    if silence > max(MIN_QUIET, usual * QUIET_FACTOR):
        return f"nothing published for {silence.days} days (usually an article every {_span(usual)})"
    return None


def _moment(stamp: str) -> datetime:
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _span(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f} hours" if hours < 48 else f"{hours / 24:.0f} days"
