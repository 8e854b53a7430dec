"""What the commands print: crawled text made inert for the terminal, tables, JSON documents.

rich is imported on first use (``console``, a table, a styled line), so a command printing JSON
(``newsdesk search --json``) starts without it.
"""

from __future__ import annotations

import functools
import json
import sys
from typing import TYPE_CHECKING

import click

from pipeline.store import strip_controls

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text


@functools.cache
def _console() -> Console:
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 160)


def __getattr__(name: str):
    if name == "console":  # `from pipeline.cli.output import console`: the shared rich Console
        return _console()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def inert(value) -> str:
    """Crawled text for the terminal: no control sequences (escape codes, carriage returns)."""
    return strip_controls("" if value is None else str(value))


def safe(value) -> Text:
    """Crawled text in a rich table or line: no markup, no control sequences."""
    from rich.text import Text

    return Text(inert(value))


def echo(text: str, nl: bool = True) -> None:
    click.echo(inert(text), nl=nl)


def echo_json(document) -> None:
    """One JSON document on standard output (crawled text is escaped by JSON itself)."""
    click.echo(json.dumps(document, ensure_ascii=False, indent=2, default=str))


def table(*columns: str, title: str | None = None) -> Table:
    from rich.table import Table

    return Table(*columns, title=title)


def print_run(runs: list[dict], run_id: str, verdict: str, quiet: bool = False) -> None:
    """The crawl summary: one row per source, every failure with its URL and reason, one closing line.
    Quiet: only the sources that failed, their failures, and the closing line."""
    from rich.text import Text

    summary = table("source", "status", "pages", "new", "changed", "unchanged", "skipped", "failures",
                    title=f"crawl {run_id}")
    if quiet:
        runs = [run for run in runs if run["status"] != "finished" or run["failures"]]
    for run in runs:
        summary.add_row(run["source"], run["status"], str(run["pages_fetched"]), str(run["articles_new"]),
                        str(run["articles_changed"]), str(run["articles_unchanged"]), str(run["articles_skipped"]),
                        str(run["errors"]))
    if runs:
        _console().print(summary)
    for run in runs:
        for failure in run["failures"]:
            _console().print(Text.assemble((f"  {run['source']} ", "bold"), (failure["reason"], "red"), " ",
                                        safe(failure["url"]), " ", safe(failure["detail"])))
    _console().print(safe(verdict))


def print_candidates(rows: list[dict]) -> None:
    listing = table("id", "score", "status", "published", "headline", "why")
    for row in rows:
        status = row["status"] + (" (edited)" if row["edited"] else "") + (" (review)" if row["needs_review"] else "")
        why = ", ".join(e["signal"] for e in row["explanation"][:3])
        listing.add_row(str(row["id"]), f"{row['score']:g}", status, safe((row["published_at"] or "")[:10]),
                        safe(row["headline"]), safe(why))
    _console().print(listing)
