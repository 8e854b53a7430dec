"""The editors' commands: list and show candidates, edit, pick, reject, export an issue."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
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
    from pipeline import stories
    from pipeline.desk.export import render_item, render_notes
    from pipeline.stories.evidence import explain

    db = ctx.open(write=False)
    with not_found():
        candidate = cands.get_candidate(db, candidate_id)
    members = [{"article_id": a["id"], "role": a["role"], "title": a["title"], "why": explain(a["evidence"])}
               for a in stories.story_articles(db, candidate["story_id"])]
    if as_json:
        echo_json({**candidate, "articles": members})
    else:
        echo(render_item(candidate, with_notes=True) + "\n" + render_notes(candidate, members), nl=False)


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
        cands.edit(ctx.open(), candidate_id, headline=headline, bullets=bullets, editor=ctx.editor)
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
        cands.set_status(ctx.open(), candidate_id, status, editor=ctx.editor)
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


def _desk_result(result: dict, as_json: bool, sentence: str) -> None:
    if as_json:
        echo_json(result)
    else:
        click.echo(sentence)


@cli.command()
@click.argument("keep", type=int, metavar="KEEP_ID")
@click.argument("absorb", type=int, metavar="ABSORB_ID")
@json_option
@pass_ctx
def merge(ctx: Context, keep, absorb, as_json):
    """Merge the story of candidate ABSORB_ID into that of KEEP_ID (the kept one is redrafted).

    \b
    Example:
        newsdesk merge 12 15
    """
    from pipeline.desk import actions

    with not_found(), _refused():
        result = actions.merge(ctx.open(), keep, absorb, editor=ctx.editor)
    _desk_result(result, as_json, f"candidate {absorb} merged into candidate {keep}")


@cli.command()
@candidate_id
@click.argument("article_id", type=int, metavar="ARTICLE_ID")
@json_option
@pass_ctx
def split(ctx: Context, candidate_id, article_id, as_json):
    """Take article ARTICLE_ID out of candidate ID's story; a new candidate is drafted for it.

    \b
    Example:
        newsdesk split 12 40
    """
    from pipeline.desk import actions

    with not_found(), _refused():
        result = actions.split(ctx.open(), candidate_id, article_id, editor=ctx.editor)
    _desk_result(result, as_json, f"article {article_id} is now candidate {result['id']}")


@cli.command()
@click.argument("candidate_id", type=int, metavar="[ID]", required=False)
@json_option
@pass_ctx
def undo(ctx: Context, candidate_id, as_json):
    """Undo the last editor action (on candidate ID, or your last one anywhere).

    \b
    Example:
        newsdesk undo
        newsdesk undo 12
    """
    from pipeline.desk import actions

    with not_found():
        result = (actions.undo(ctx.open(), candidate_id, editor=ctx.editor) if candidate_id is not None
                  else actions.undo_last(ctx.open(), editor=ctx.editor))
    _desk_result(result, as_json, f"candidate {result['id']}: undone (now {result['status']})")


@cli.command()
@candidate_id
@click.argument("text")
@json_option
@pass_ctx
def commentary(ctx: Context, candidate_id, text, as_json):
    """Write the editor's commentary (所感) of a candidate; an empty TEXT clears it.

    \b
    Example:
        newsdesk commentary 12 "大学の発表では対象者への連絡が始まっています。"
    """
    from pipeline.desk import actions

    with not_found():
        result = actions.set_commentary(ctx.open(), candidate_id, text, editor=ctx.editor)
    _desk_result(result, as_json, f"candidate {candidate_id}: commentary saved")


@cli.command()
@click.option("--date", "issue_date", type=click.DateTime(formats=["%Y-%m-%d"]), help="The edition's date.")
@click.option("--title", help="The edition's title (default セキュリティニュース DATE).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Also write the Markdown to a file.")
@json_option
@pass_ctx
def edition(ctx: Context, issue_date, title, output, as_json):
    """Make the next edition from the picked candidates (in the editors' order) and keep it.

    \b
    Example:
        newsdesk edition --date 2026-12-02 -o edition.md
    """
    from pipeline.desk.editions import NothingPicked, create_edition

    try:
        made = create_edition(ctx.open(), issue_date=issue_date.date() if issue_date else None, title=title,
                              editor=ctx.editor)
    except NothingPicked as exc:
        raise click.ClickException(str(exc)) from None
    if output:
        _write_atomically(Path(output), made["markdown"])
    _desk_result(made, as_json, f"edition {made['id']} ({made['issue_date']}): {len(made['candidate_ids'])} items"
                 + (f", written to {output}" if output else ""))


@contextmanager
def _refused():
    try:
        yield
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
