"""The newsdesk command line: a thin click wrapper over the crawler and pipeline functions."""

from __future__ import annotations

import json
import re
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from crawler.sources import ENV_VAR as SOURCES_ENV
from crawler.sources import RegistryError, load_sources
from pipeline import candidates as cands
from pipeline import store
from pipeline.export import render_issue

console = Console(width=None if sys.stdout.isatty() else 160)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe(value) -> Text:
    """Crawled text shown in the terminal: no rich markup, no control sequences."""
    return Text(_CONTROL.sub("", "" if value is None else str(value)))


class Context:
    def __init__(self, db: str | None, sources: str | None):
        self.db_file = store.db_path(db)
        self.sources_file = sources

    def sources(self):
        try:
            return load_sources(self.sources_file)
        except RegistryError as exc:
            raise click.ClickException(str(exc)) from None

    def open(self, create: bool = False):
        try:
            return store.open_db(self.db_file, create=create)
        except FileNotFoundError as exc:
            raise click.ClickException(str(exc)) from None


pass_ctx = click.make_pass_decorator(Context)
candidate_id = click.argument("candidate_id", type=int, metavar="ID")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", envvar=store.ENV_VAR, type=click.Path(dir_okay=False),
              help=f"SQLite database (default {store.DEFAULT_DB}; env {store.ENV_VAR}).")
@click.option("--sources", "sources_file", envvar=SOURCES_ENV, type=click.Path(dir_okay=False, exists=True),
              help=f"Source registry replacing the bundled one (env {SOURCES_ENV}).")
@click.version_option(package_name="newsdesk")
@click.pass_context
def cli(ctx, db, sources_file):
    """Watch security-news sources, store their articles in SQLite, draft newsletter items.

    \b
    Example:
        newsdesk run                 # crawl every source, then draft candidates
        newsdesk candidates --status new
    """
    ctx.obj = Context(db, sources_file)


@cli.command("sources")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_ctx
def sources_cmd(ctx: Context, as_json: bool):
    """List the sources in the registry.

    \b
    Example:
        newsdesk sources
        newsdesk --sources my-sources.toml sources --json
    """
    sources = ctx.sources()
    if as_json:
        rows = [{"key": s.key, "name": s.name, "lang": s.lang, "spider": s.spider, "feeds": s.feeds,
                 "listings": s.listings, "revisit_hours": s.revisit_hours} for s in sources.values()]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("key", "name", "lang", "spider", "feeds", "listings", "revisit (h)")
    for s in sources.values():
        table.add_row(s.key, safe(s.name), s.lang, s.spider, str(len(s.feeds)), str(len(s.listings)),
                      f"{s.revisit_hours:g}")
    console.print(table)


def crawl_options(func):
    func = click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]),
                        help="How far back listings and release lists reach (YYYY-MM-DD).")(func)
    func = click.option("--mirror", metavar="URL",
                        help="Fetch from a local mirror (http://127.0.0.1:PORT or file:///DIR).")(func)
    func = click.option("--set", "overrides", multiple=True, metavar="NAME=VALUE",
                        help="Override a Scrapy setting, e.g. --set DOWNLOAD_TIMEOUT=10 (repeatable).")(func)
    return click.option("--log-level", default="WARNING", show_default=True,
                        type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]))(func)


@cli.command()
@click.argument("keys", nargs=-1, metavar="[KEY]...")
@crawl_options
@pass_ctx
def crawl(ctx: Context, keys, mirror, since, log_level, overrides):
    """Crawl sources (all when no KEY is given) into the database.

    \b
    Example:
        newsdesk crawl
        newsdesk crawl scannetsecurity --since 2026-01-01
        newsdesk crawl --mirror file:///srv/mirror --set DOWNLOAD_TIMEOUT=10
    """
    run_id = _crawl(ctx, keys, mirror, since, log_level, overrides)
    _print_summary(ctx, run_id)


def _crawl(ctx: Context, keys, mirror, since, log_level, overrides=()) -> str:
    from crawler.run import crawl_settings, run_crawl  # Scrapy loads only for commands that crawl

    known = ctx.sources()
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise click.ClickException(f"unknown source {', '.join(unknown)}; known: {', '.join(known)}")
    if mirror and not mirror.startswith(("http://", "https://", "file://")):
        raise click.ClickException("--mirror must be an http://, https:// or file:// URL")
    extra = {}
    for pair in overrides:
        name, sep, value = pair.partition("=")
        if not sep or not name.isupper():
            raise click.ClickException(f"--set takes NAME=VALUE with an upper-case Scrapy setting name, not {pair!r}")
        extra[name] = value
    ctx.open(create=True).close()  # create and migrate before the spiders open it
    settings = crawl_settings(ctx.db_file, mirror=mirror, since=since.date().isoformat() if since else None,
                              sources_file=ctx.sources_file, log_level=log_level, extra=extra)
    return run_crawl(list(keys), settings)


def _print_summary(ctx: Context, run_id: str) -> None:
    from pipeline.report import run_summary

    db = ctx.open()
    table = Table("source", "pages", "new", "changed", "unchanged", "failures", title=f"crawl {run_id}")
    failures = []
    for run in run_summary(db, run_id):
        table.add_row(run["source"], str(run["pages_fetched"]), str(run["articles_new"]),
                      str(run["articles_changed"]), str(run["articles_unchanged"]), str(run["errors"]))
        failures += [(run["source"], f) for f in run["failures"]]
    console.print(table)
    for source, failure in failures:
        console.print(Text.assemble((f"  {source} ", "bold"), (failure["reason"], "red"), " ",
                                    safe(failure["url"]), " ", safe(failure["detail"])))


@cli.command()
@click.option("--rebuild", is_flag=True, help="Group the whole archive into stories again (slow on big archives).")
@click.option("--profile", "profile_file", type=click.Path(dir_okay=False, exists=True), envvar="NEWSDESK_PROFILE",
              help="Topic profile replacing pipeline/profile.toml (env NEWSDESK_PROFILE).")
@pass_ctx
def draft(ctx: Context, rebuild, profile_file):
    """Group new and changed articles into stories and draft one candidate per story.

    \b
    Example:
        newsdesk draft
        newsdesk draft --rebuild --profile my-profile.toml
    """
    _draft(ctx, rebuild, profile_file)


def _draft(ctx: Context, rebuild: bool = False, profile_file: str | None = None) -> None:
    from pipeline.drafts import draft as run_draft
    from pipeline.relevance import ProfileError, load_profile

    try:
        profile = load_profile(profile_file)
    except ProfileError as exc:
        raise click.ClickException(str(exc)) from None
    outcome = run_draft(ctx.open(), profile, rebuild=rebuild, llm_model=_llm_model(profile))
    click.echo(f"{outcome.articles_grouped} articles grouped, {outcome.stories_new} new stories; "
               f"{outcome.drafted} candidates drafted, {outcome.redrafted} redrafted, "
               f"{outcome.flagged} edited candidates flagged for review"
               + (f"; LLM fell back to extractive {outcome.summariser_fallbacks} times"
                  if outcome.summariser_fallbacks else ""))


def _llm_model(profile):
    if profile.summariser.get("kind") != "llm":
        return None
    from pipeline.llm_summarise import get_model

    try:
        return get_model(profile.summariser.get("model") or "")
    except Exception as exc:  # noqa: BLE001 - unknown model or llm not installed
        console.print(Text(f"LLM summariser unavailable ({exc}); using the extractive summariser"))
        return None


@cli.command()
@crawl_options
@pass_ctx
def run(ctx: Context, mirror, since, log_level, overrides):
    """Crawl every source, then draft candidates (the scheduled job).

    \b
    Example:
        newsdesk run
        newsdesk --db /var/lib/newsdesk/newsdesk.db run
    """
    run_id = _crawl(ctx, (), mirror, since, log_level, overrides)
    _print_summary(ctx, run_id)
    _draft(ctx)


@cli.command("candidates")
@click.option("--status", type=click.Choice(cands.STATUSES), help="Only candidates with this status.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_ctx
def candidates_cmd(ctx: Context, status, as_json):
    """List draft candidates, ranked by score.

    \b
    Example:
        newsdesk candidates --status new
        newsdesk candidates --json | jq '.[0].headline'
    """
    rows = cands.list_candidates(ctx.open(), status)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        _print_candidates(rows)


def _print_candidates(rows: list[dict]) -> None:
    table = Table("id", "score", "status", "published", "headline", "why")
    for row in rows:
        status = row["status"] + (" (edited)" if row["edited"] else "") + (" (review)" if row["needs_review"] else "")
        why = ", ".join(e["signal"] for e in row["explanation"][:3])
        table.add_row(str(row["id"]), f"{row['score']:g}", status, safe((row["published_at"] or "")[:10]),
                      safe(row["headline"]), safe(why))
    console.print(table)


@cli.command()
@candidate_id
@pass_ctx
def show(ctx: Context, candidate_id):
    """Show one candidate as it would be exported, with score, facts, provenance and related stories.

    \b
    Example:
        newsdesk show 12
    """
    from pipeline.export import render_item, render_notes

    candidate = _candidate(ctx, candidate_id)
    click.echo(render_item(candidate, with_notes=True) + "\n" + render_notes(candidate), nl=False)


@cli.command()
@candidate_id
@click.option("--headline", help="The new headline.")
@click.option("--bullet", "bullets", multiple=True, help="A bullet (repeat for each; replaces all bullets).")
@pass_ctx
def edit(ctx: Context, candidate_id, headline, bullets):
    """Edit a candidate's headline or bullets; software never overwrites it afterwards.

    \b
    Example:
        newsdesk edit 12 --headline "東都工科大学に不正アクセス、66,482件流出の可能性"
        newsdesk edit 12 --bullet "一つ目です。" --bullet "二つ目です。" --bullet "三つ目です。"
    """
    if headline is None and not bullets:
        raise click.ClickException("nothing to change: give --headline and/or --bullet")
    with candidate_errors():
        cands.edit(ctx.open(), candidate_id, headline=headline, bullets=list(bullets) or None)
    click.echo(f"candidate {candidate_id}: edited")


@cli.command()
@candidate_id
@pass_ctx
def pick(ctx: Context, candidate_id):
    """Mark a candidate as picked for the next issue.

    \b
    Example:
        newsdesk pick 12
    """
    _set_status(ctx, candidate_id, "picked")


@cli.command()
@candidate_id
@pass_ctx
def reject(ctx: Context, candidate_id):
    """Reject a candidate.

    \b
    Example:
        newsdesk reject 13
    """
    _set_status(ctx, candidate_id, "rejected")


@contextmanager
def candidate_errors():
    """An unknown candidate id is one sentence for the user, not a traceback."""
    try:
        yield
    except cands.NotFound as exc:
        raise click.ClickException(str(exc)) from None


def _candidate(ctx: Context, candidate_id: int) -> dict:
    with candidate_errors():
        return cands.get_candidate(ctx.open(), candidate_id)


def _set_status(ctx: Context, candidate_id: int, status: str) -> None:
    with candidate_errors():
        cands.set_status(ctx.open(), candidate_id, status)
    click.echo(f"candidate {candidate_id}: {status}")


@cli.command()
@click.option("--status", type=click.Choice(cands.STATUSES), default="picked", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write to a file.")
@pass_ctx
def export(ctx: Context, status, output):
    """Export candidates as one newsletter issue in Markdown (house format).

    \b
    Example:
        newsdesk export --status picked -o issue.md
    """
    rows = cands.list_candidates(ctx.open(), status)
    text = render_issue(rows, date.today())
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"{len(rows)} items written to {output}")
    else:
        click.echo(text, nl=False)


@cli.command()
@click.option("--source", "source_key", help="Only this source's articles.")
@pass_ctx
def reextract(ctx: Context, source_key):
    """Extract every article again from its stored response (after a rule change).

    \b
    Example:
        newsdesk reextract --source scannetsecurity
    """
    from pipeline.reextract import reextract as run_reextract

    sources = ctx.sources()
    if source_key and source_key not in sources:
        raise click.ClickException(f"unknown source {source_key}; known: {', '.join(sources)}")
    outcomes = run_reextract(ctx.open(), sources, source_key)
    click.echo(", ".join(f"{name}: {count}" for name, count in sorted(outcomes.items())) or "no articles")


@cli.command()
@click.argument("query")
@click.option("--limit", default=20, show_default=True)
@pass_ctx
def search(ctx: Context, query, limit):
    """Full-text search over titles and text (Japanese works).

    \b
    Example:
        newsdesk search 不正アクセス
    """
    table = Table("id", "source", "published", "title")
    for row in store.search(ctx.open(), query, limit):
        table.add_row(str(row["id"]), row["source"], safe((row["published_at"] or "")[:10]), safe(row["title"]))
    console.print(table)


@cli.command()
@click.option("--keep", type=click.Path(file_okay=False), help="Keep the demo database in this directory.")
@pass_ctx
def demo(ctx: Context, keep):
    """Crawl the bundled offline demo mirror into a throwaway database and draft candidates.

    \b
    Example:
        newsdesk demo
        newsdesk demo --keep /tmp/newsdesk-demo
    """
    from pipeline.demo import run_demo

    run_demo(ctx, keep)


def main() -> None:
    try:
        cli(prog_name="newsdesk")
    except KeyboardInterrupt:
        sys.exit(130)
