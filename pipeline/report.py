"""What happened in a crawl run, per source, read back from crawl_runs and crawl_errors."""

from __future__ import annotations

import sqlite_utils


def run_summary(db: sqlite_utils.Database, run_id: str) -> list[dict]:
    runs = list(db.query("SELECT * FROM crawl_runs WHERE run_id = ? ORDER BY source", [run_id]))
    for run in runs:
        run["failures"] = list(db.query(
            "SELECT reason, url, detail FROM crawl_errors WHERE crawl_run_id = ? ORDER BY id", [run["id"]]))
    return runs

