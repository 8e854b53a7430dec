"""The jobs: list the sources, crawl, draft, run both, re-extract, and the offline demo."""

from __future__ import annotations

import dataclasses
import logging
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.text import Text

from pipeline import store
from pipeline.cli.app import EXIT_CANNOT_RUN, EXIT_FAILED, CannotRun, Context, SomeFailed, cli, json_option, pass_ctx
from pipeline.cli.output import console, echo, echo_json, inert, print_candidates, print_run, safe, table
from pipeline.cli.progress import stage_progress
from pipeline.cli.runlog import run_logger


@cli.command("sources")
@json_option
@pass_ctx
def sources_cmd(ctx: Context, as_json: bool):
    """List the sources in the registry.

    \b
    Example:
        newsdesk sources
        newsdesk sources --sources my-sources.toml --json
    """
    sources = ctx.sources()
    if as_json:
        echo_json([{"key": s.key, "name": s.name, "lang": s.lang, "spider": s.spider, "feeds": s.feeds,
                    "listings": s.listings, "revisit_hours": s.revisit_hours} for s in sources.values()])
        return
    listing = table("key", "name", "lang", "spider", "feeds", "listings", "revisit (h)")
    for s in sources.values():
        listing.add_row(s.key, safe(s.name), s.lang, s.spider, str(len(s.feeds)), str(len(s.listings)),
                        f"{s.revisit_hours:g}")
    console.print(listing)


def crawl_options(func):
    func = click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]),
                        help="How far back listings and release lists reach (YYYY-MM-DD).")(func)
    func = click.option("--mirror", metavar="URL",
                        help="Fetch from a local mirror (http://127.0.0.1:PORT or file:///DIR).")(func)
    func = click.option("--set", "overrides", multiple=True, metavar="NAME=VALUE",
                        help="Override a Scrapy setting, e.g. --set DOWNLOAD_TIMEOUT=10 (repeatable).")(func)
    func = json_option(func)
    func = click.option("--quiet", "-q", is_flag=True, expose_value=False, callback=_set_flag("quiet"),
                        help="Print only failures and the summary.")(func)
    func = click.option("--verbose", "-v", is_flag=True, expose_value=False, callback=_set_flag("verbose"),
                        help="Add Scrapy's INFO log (on standard error).")(func)
    return click.option("--log-level", default="WARNING", show_default=True,
                        type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]))(func)


def _set_flag(name: str):
    def callback(ctx: click.Context, _param, value):
        if value:
            setattr(ctx.ensure_object(Context), name, True)
    return callback


@cli.command()
@click.argument("keys", nargs=-1, metavar="[KEY]...")
@crawl_options
@pass_ctx
def crawl(ctx: Context, keys, mirror, since, log_level, overrides, as_json):
    """Crawl sources (all when no KEY is given) into the database.

    \b
    Example:
        newsdesk crawl
        newsdesk crawl scannetsecurity --since 2026-01-01
        newsdesk crawl --mirror file:///srv/mirror --set DOWNLOAD_TIMEOUT=10 --json
    """
    report = _crawl(ctx, keys, mirror, since, log_level, overrides)
    if as_json:
        echo_json(report)
    else:
        print_run(report["sources"], report["run_id"], report["verdict"], quiet=ctx.quiet)
    _exit_for(report)


def _crawl(ctx: Context, keys, mirror, since, log_level, overrides=()) -> dict:
    from crawler.pipelines import NOTHING_READ
    from crawler.run import CrawlInputError, crawl  # Scrapy loads only for commands that crawl

    ctx.sources()  # a broken registry is one sentence
    log = run_logger(ctx.db_file)
    log.info("crawl %s starts", ", ".join(keys) or "every source")
    try:
        run_id = crawl(str(ctx.db_file), keys, mirror=mirror, since=since.date().isoformat() if since else None,
                       sources_file=ctx.sources_file, log_level="INFO" if ctx.verbose else log_level,
                       overrides=overrides, progress=not ctx.quiet)
    except CrawlInputError as exc:
        raise click.ClickException(str(exc)) from None
    runs = store.run_summary(ctx.open(write=False), run_id)
    failed = [run for run in runs if run["status"] != "finished"]
    unread = [run for run in failed if run["finish_reason"] == NOTHING_READ]
    verdict = f"{len(runs)} sources crawled, " + (
        f"{len(failed)} failed: " + ", ".join(f"{run['source']} ({run['finish_reason']})" for run in failed)
        if failed else "all read")
    status = EXIT_CANNOT_RUN if runs and len(unread) == len(runs) else EXIT_FAILED if failed else 0
    log.log(logging.WARNING if failed else logging.INFO, "crawl %s: %s", run_id, verdict)
    for run in runs:
        for failure in run["failures"]:
            log.warning("%s %s %s %s", run["source"], failure["reason"], failure["url"], failure["detail"])
    return {"run_id": run_id, "status": status, "verdict": verdict, "sources": runs}


def _exit_for(report: dict) -> None:
    if report["status"] == EXIT_CANNOT_RUN:
        raise CannotRun(f"no source could be read ({report['verdict']})")
    if report["status"] == EXIT_FAILED:
        raise SomeFailed(report["verdict"])


@cli.command()
@click.option("--rebuild", is_flag=True, help="Group the whole archive into stories again (slow on big archives).")
@click.option("--profile", "profile_file", type=click.Path(dir_okay=False, exists=True), envvar="NEWSDESK_PROFILE",
              help="Topic profile replacing pipeline/analyse/profile.toml (env NEWSDESK_PROFILE).")
@json_option
@pass_ctx
def draft(ctx: Context, rebuild, profile_file, as_json):
    """Group new and changed articles into stories and draft one candidate per story.

    \b
    Example:
        newsdesk draft
        newsdesk draft --rebuild --profile my-profile.toml
    """
    outcome = _draft(ctx, rebuild, profile_file, quiet=as_json)
    if as_json:
        echo_json(dataclasses.asdict(outcome))


def _draft(ctx: Context, rebuild: bool = False, profile_file: str | None = None, quiet: bool = False):
    from pipeline.analyse.relevance import ProfileError, load_profile
    from pipeline.drafts import draft as run_draft

    try:
        profile = load_profile(profile_file)
    except ProfileError as exc:
        raise click.ClickException(str(exc)) from None
    with stage_progress(enabled=not (quiet or ctx.quiet)) as progress:
        outcome = run_draft(ctx.open(), profile, rebuild=rebuild, llm_model=_llm_model(profile), progress=progress)
    run_logger(ctx.db_file).info("draft: %s", outcome.summary())
    if not quiet:
        click.echo(outcome.summary())
    return outcome


def _llm_model(profile):
    if profile.summariser.get("kind") != "llm":
        return None
    from pipeline.summarise.llm import get_model

    try:
        return get_model(profile.summariser.get("model") or "")
    except Exception as exc:  # noqa: BLE001 - unknown model or llm not installed
        console.print(Text(f"LLM summariser unavailable ({exc}); using the extractive summariser"))
        return None


@cli.command()
@crawl_options
@click.option("--all", "crawl_all", is_flag=True, help="Crawl every source, due or not.")
@pass_ctx
def run(ctx: Context, mirror, since, log_level, overrides, as_json, crawl_all):
    """Crawl the sources that are due, then draft candidates (the scheduled job).

    Safe to start every few minutes: one run at a time (a lock beside the database), and a source
    is crawled only once its interval_hours (else revisit_hours) have passed since its last
    finished crawl; a source whose last crawl failed is due at once.

    \b
    Example:
        newsdesk run
        newsdesk run --all --db /var/lib/newsdesk/newsdesk.db --json
    """
    from pipeline.store.runlock import Busy, run_lock

    notes: list[str] = []
    try:
        with run_lock(ctx.db_file, notes):
            for note in notes:
                click.echo(note, err=True)
                run_logger(ctx.db_file).warning(note)
            report = _scheduled_crawl(ctx, crawl_all, mirror, since, log_level, overrides, as_json)
            outcome = _draft(ctx, quiet=as_json)  # also drafts what an earlier, interrupted run left
            report["notifications"] = _notify(ctx)
    except Busy as exc:
        run_logger(ctx.db_file).warning("run skipped: %s", exc)
        if exc.hung:
            raise CannotRun(str(exc)) from None
        click.echo(f"skipped: {exc}", err=True)
        return
    if as_json:
        echo_json({**report, "draft": dataclasses.asdict(outcome)})
    _exit_for(report)


def _notify(ctx: Context) -> dict:
    """New candidates and source health to the configured Apprise URLs; never fails the run."""
    from pipeline.ops.notify import notify

    sent = notify(ctx.open(), list(ctx.sources()))
    if sent.get("sent") or sent.get("failed") or sent.get("error"):
        line = (f"notifications: {sent['sent']} sent, {sent['failed']} failed (tried again next run)"
                + (f"; {sent['error']}" if sent.get("error") else ""))
        run_logger(ctx.db_file).info(line)
        click.echo(line, err=True)
    return sent


def _scheduled_crawl(ctx: Context, crawl_all: bool, mirror, since, log_level, overrides, as_json) -> dict:
    sources = ctx.sources()
    keys = list(sources) if crawl_all else due_sources(ctx, sources)
    if not keys:
        verdict = "no source is due yet (newsdesk run --all crawls them anyway)"
        run_logger(ctx.db_file).info(verdict)
        if not as_json and not ctx.quiet:
            click.echo(verdict)
        return {"run_id": None, "status": 0, "verdict": verdict, "sources": []}
    report = _crawl(ctx, keys, mirror, since, log_level, overrides)
    if not as_json:
        print_run(report["sources"], report["run_id"], report["verdict"], quiet=ctx.quiet)
    return report


def due_sources(ctx: Context, sources: dict) -> list[str]:
    """Sources whose interval has passed since their last finished crawl (or that never finished one)."""
    last = store.last_finished_starts(ctx.open(create=True))
    now = datetime.now(UTC)
    return [key for key, source in sources.items()
            if key not in last or now - datetime.fromisoformat(last[key]) >= source.interval]


@cli.command()
@click.option("--source", "source_key", help="Only this source's articles.")
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Extraction worker processes (default: one per core; 0: in this process).")
@click.option("--restart", is_flag=True, help="Start from the first article, not where a killed run stopped.")
@json_option
@pass_ctx
def reextract(ctx: Context, source_key, workers, restart, as_json):
    """Extract every article again from its stored response (after a rule change).

    Articles are stored in batches as it goes; a run that was killed is resumed by the next one
    after the last article it stored (--restart starts over).

    \b
    Example:
        newsdesk reextract --source scannetsecurity
        newsdesk reextract --workers 2 --json
    """
    from crawler.reextract import reextract as run_reextract
    from crawler.workers import available_cores

    sources = ctx.sources()
    if source_key and source_key not in sources:
        raise click.ClickException(f"unknown source {source_key}; known: {', '.join(sources)}")
    failures: list[str] = []
    with stage_progress(enabled=not (as_json or ctx.quiet)) as progress:
        outcomes = run_reextract(ctx.open(), sources, source_key, progress=progress, restart=restart,
                                 workers=available_cores() if workers is None else workers,
                                 on_failure=lambda *failure: failures.append(" ".join(failure)))
    for failure in failures:
        click.echo(inert(f"failed: {failure}"), err=True)
    outcomes = dict(sorted(outcomes.items()))
    if as_json:
        echo_json(outcomes)
    else:
        click.echo(", ".join(f"{name}: {count}" for name, count in outcomes.items()) or "no articles")


@cli.command()
@click.option("--keep", type=click.Path(file_okay=False), help="Keep the demo database in this directory.")
@pass_ctx
def demo(ctx: Context, keep):
    """Crawl the bundled offline demo mirror into a throwaway database and draft candidates.

    The database is removed afterwards unless --keep DIR is given.

    \b
    Example:
        newsdesk demo
        newsdesk demo --keep /tmp/newsdesk-demo
    """
    from pipeline.demo import run_demo
    from pipeline.desk.candidates import list_candidates

    folder = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="newsdesk-demo-"))
    demo_ctx = Context(str(folder / "newsdesk.db"), ctx.sources_file)
    try:
        result = run_demo(folder, ctx.sources_file, on_serve=lambda mirror, db: echo(
            f"Serving the demo mirror at {mirror}; database {db}"))
        runs = store.run_summary(demo_ctx.open(write=False), result.run_id)
        print_run(runs, result.run_id, f"{len(runs)} sources crawled from the demo mirror")
        click.echo(result.draft.summary())
        print_candidates(list_candidates(demo_ctx.open(write=False)))
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
    echo(f"Kept the demo database in {demo_ctx.db_file}" if keep else
         "Removed the demo database (keep it with --keep DIR)")
