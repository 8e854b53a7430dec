"""Notifications through Apprise (email, Slack, Teams, Discord, ntfy, webhooks… by URL).

Events: a new candidate scoring at least the threshold; a source turning degraded or failing; a
source recovering. Each event is recorded once (table notifications, by its key) and sent once; a
failed send is tried again by the next run and never fails or blocks the crawl.

Configuration: NEWSDESK_NOTIFY holds one or more Apprise URLs (separated by spaces or commas), e.g.
``ntfy://ntfy.sh/my-newsdesk mailtos://user:pass@example.com``; NEWSDESK_NOTIFY_SCORE the score from
which a candidate is announced (default 10).
"""

from __future__ import annotations

import os
import re
import uuid

import sqlite_utils

from pipeline.analyse.health import source_health
from pipeline.store import now_iso, transaction

URLS_ENV, SCORE_ENV = "NEWSDESK_NOTIFY", "NEWSDESK_NOTIFY_SCORE"
DEFAULT_SCORE = 10.0
MAX_ATTEMPTS = 20


def configured_urls() -> list[str]:
    return [url for url in re.split(r"[\s,]+", os.environ.get(URLS_ENV, "")) if url]


def score_threshold() -> float:
    try:
        return float(os.environ.get(SCORE_ENV) or DEFAULT_SCORE)
    except ValueError:
        return DEFAULT_SCORE


def record_events(db: sqlite_utils.Database, sources: list[str]) -> int:
    """Record the events not yet recorded; returns how many are new."""
    with transaction(db):  # a status change and its event are recorded together, or neither
        events = _candidate_events(db) + _health_events(db, sources)
        before = db["notifications"].count
        for key, kind, title, body in events:
            db.execute("INSERT OR IGNORE INTO notifications (key, kind, title, body, created_at, attempts) "
                       "VALUES (?, ?, ?, ?, ?, 0)", [key, kind, title, body, now_iso()])
        return db["notifications"].count - before


def _candidate_events(db) -> list[tuple]:
    rows = db.execute("SELECT c.id, c.headline, c.score, c.news_url FROM candidates c WHERE c.status = 'new' "
                      "AND c.score >= ? AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.key = "
                      "'candidate:' || c.id) ORDER BY c.score DESC LIMIT 50", [score_threshold()]).fetchall()
    return [(f"candidate:{cid}", "candidate", f"newsdesk: {headline}",
             f"score {score:g} · candidate {cid}" + (f" · {url}" if url else "")) for cid, headline, score, url in rows]


def _health_events(db, sources: list[str]) -> list[tuple]:
    events = []
    for health in source_health(db, sources):
        if health.status == "unknown":
            continue
        last = db.execute("SELECT status FROM source_status WHERE source = ?", [health.source]).fetchone()
        previous = last[0] if last else "ok"
        if health.status == previous:
            continue
        stamp = now_iso()
        db.execute("INSERT OR REPLACE INTO source_status (source, status, changed_at) VALUES (?, ?, ?)",
                   [health.source, health.status, stamp])
        key = f"health:{health.source}:{health.status}:{stamp}:{uuid.uuid4().hex[:8]}"  # one per change
        if health.status == "ok":
            events.append((key, "recovered", f"newsdesk: {health.source} recovered",
                           f"{health.source} is ok again (was {previous})"))
        else:
            events.append((key, health.status, f"newsdesk: {health.source} is {health.status}",
                           "; ".join(health.reasons)))
    return events


def send_pending(db: sqlite_utils.Database, urls: list[str] | None = None) -> dict:
    """Send every recorded, unsent event; a failure is kept for the next run. Never raises."""
    urls = configured_urls() if urls is None else urls
    outcome = {"sent": 0, "failed": 0, "pending": 0}
    pending = list(db.query("SELECT * FROM notifications WHERE sent_at IS NULL AND attempts < ? ORDER BY id",
                            [MAX_ATTEMPTS]))
    if not urls or not pending:
        outcome["pending"] = len(pending)
        return outcome
    try:
        import apprise

        sender = apprise.Apprise()
        for url in urls:
            sender.add(url)
    except Exception as exc:  # noqa: BLE001 - a bad configuration must not stop the run
        outcome["error"] = f"notifications are not configured correctly: {exc}"
        return outcome
    for event in pending:
        try:
            delivered = bool(sender.notify(title=event["title"], body=event["body"]))
            error = None if delivered else "no service accepted it"
        except Exception as exc:  # noqa: BLE001
            delivered, error = False, str(exc)[:500]
        with transaction(db):
            db["notifications"].update(event["id"], {"sent_at": now_iso() if delivered else None,
                                                     "attempts": event["attempts"] + 1, "last_error": error})
        outcome["sent" if delivered else "failed"] += 1
    return outcome


def notify(db: sqlite_utils.Database, sources: list[str]) -> dict:
    """Record what happened and send what waits; with no URL configured nothing is recorded."""
    if not configured_urls():
        return {"sent": 0, "failed": 0, "pending": 0}
    try:
        recorded = record_events(db, sources)
    except Exception as exc:  # noqa: BLE001 - notifications never fail the run
        return {"sent": 0, "failed": 0, "pending": 0, "error": f"could not record events: {exc}"}
    return {"recorded": recorded, **send_pending(db)}
