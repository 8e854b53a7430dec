"""`newsdesk demo`: serve the bundled demo mirror, crawl it into a database in a folder, draft.

The demo site (pipeline/demo_site/, wget layout) imitates the real sites' structure with
made-up articles; see its README for what each page exercises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from crawler.mirror import serve
from crawler.run import crawl
from pipeline import store
from pipeline.analyse.relevance import load_profile
from pipeline.drafts import DraftOutcome, draft

DEMO_SITE = Path(__file__).with_name("demo_site")
DEMO_SINCE = "2000-01-01"  # the demo shows everything the mirror holds


@dataclass
class DemoRun:
    db_file: Path
    run_id: str
    draft: DraftOutcome


def run_demo(folder: Path, sources_file: str | None = None,
             on_serve: Callable[[str, Path], None] | None = None) -> DemoRun:
    """Crawl the demo mirror into folder/newsdesk.db and draft; ``on_serve(mirror, db)`` once it is served."""
    folder.mkdir(parents=True, exist_ok=True)
    db_file = folder / "newsdesk.db"
    server = serve(DEMO_SITE)
    mirror = f"http://127.0.0.1:{server.server_address[1]}"
    if on_serve:
        on_serve(mirror, db_file)
    try:
        run_id = crawl(str(db_file), mirror=mirror, since=DEMO_SINCE, sources_file=sources_file, log_level="ERROR")
    finally:
        server.shutdown()
    db = store.open_db(db_file)
    try:
        outcome = draft(db, load_profile())
    finally:
        db.close()
    return DemoRun(db_file, run_id, outcome)
