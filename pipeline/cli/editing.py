"""The editors' commands: list and show candidates, edit, pick, reject, export an issue."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

import click

from pipeline.cli.app import Context, cli, json_option, not_found, pass_ctx
from pipeline.cli.output import echo, echo_json, print_candidates
from pipeline.desk import candidates as cands

candidate_id = click.argument("candidate_id", type=int, metavar="ID")


@cli.command("candidates")
@click.option("--status", type=click.Choice(cands.STATUSES), help="Only candidates with this status.")
@json_option
@pass_ctx
def candidates_cmd(ctx: Context, status, as_json):
    """List draft candidates, ranked by score.

    \b
    Example:
        newsdesk candidates --status new
        newsdesk candidates --json | jq '.[0].headline'
    """
    rows = cands.list_candidates(ctx.open(write=False), status)
    if as_json:
        echo_json(rows)
    else:
        print_candidates(rows)


@cli.command()
@candidate_id
@json_option
@pass_ctx
def show(ctx: Context, candidate_id, as_json):
    """Show one candidate as it would be exported, with score, facts, provenance and related stories.

    \b
    Example:
        newsdesk show 12
        newsdesk show 12 --json
    """
    from pipeline.desk.export import render_item, render_notes

    with not_found():
        candidate = cands.get_candidate(ctx.open(write=False), candidate_id)
    if as_json:
        echo_json(candidate)
    else:
        echo(render_item(candidate, with_notes=True) + "\n" + render_notes(candidate), nl=False)


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
    bullets = list(bullets) or None
    try:
        warnings = cands.check_edit(headline, bullets)
    except cands.EditRefused as exc:
        raise click.ClickException(f"edit refused: {exc}") from None
    with not_found():
        cands.edit(ctx.open(), candidate_id, headline=headline, bullets=bullets)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
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


def _set_status(ctx: Context, candidate_id: int, status: str) -> None:
    with not_found():
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
    from pipeline.desk.export import render_issue

    rows = cands.list_candidates(ctx.open(write=False), status)
    if not rows:
        raise click.ClickException(f"nothing to export: no candidate is {status}"
                                   + (" (mark some with newsdesk pick ID)" if status == "picked" else ""))
    text = render_issue(rows, date.today())
    if output:
        _write_atomically(Path(output), text)
        click.echo(f"{len(rows)} items written to {output}")
    else:
        echo(text, nl=False)


def _write_atomically(path: Path, text: str) -> None:
    """A temporary file beside the target, then a rename: readers never see half an issue."""
    if not path.parent.is_dir():
        raise click.ClickException(f"cannot write {path}: the folder {path.parent} does not exist")
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise click.ClickException(f"cannot write {path}: {exc.strerror}") from None
