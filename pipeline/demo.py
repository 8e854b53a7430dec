"""`newsdesk demo`: serve the bundled demo mirror, crawl it into a throwaway database, draft.

The demo site (pipeline/demo_site/, wget layout) imitates the real sites' structure with
made-up articles; see its README for what each page exercises.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from crawler.mirror import serve

DEMO_SITE = Path(__file__).with_name("demo_site")
DEMO_SINCE = datetime(2000, 1, 1)  # the demo shows everything the mirror holds


def run_demo(ctx, keep: str | None = None) -> Path:
    from pipeline.candidates import list_candidates
    from pipeline.cli import Context, _crawl, _draft, _print_candidates, _print_summary, console

    server = serve(DEMO_SITE)
    mirror = f"http://127.0.0.1:{server.server_address[1]}"
    folder = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="newsdesk-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    demo_ctx = Context(str(folder / "newsdesk.db"), ctx.sources_file)
    console.print(f"Serving the demo mirror at {mirror}; database {demo_ctx.db_file}")
    try:
        run_id = _crawl(demo_ctx, (), mirror, DEMO_SINCE, "ERROR")
    finally:
        server.shutdown()
    _print_summary(demo_ctx, run_id)
    _draft(demo_ctx)
    _print_candidates(list_candidates(demo_ctx.open()))
    return demo_ctx.db_file
