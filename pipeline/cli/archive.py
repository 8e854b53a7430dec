"""The researchers' commands: full-text search over the archive, and one stored article."""

from __future__ import annotations

import click

from pipeline import store
from pipeline.cli import output
from pipeline.cli.app import Context, cli, json_option, not_found, pass_ctx
from pipeline.cli.output import echo, echo_json, safe, table


@cli.command()
@click.argument("query")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--newest", is_flag=True, help="Newest first (by publication date) instead of best first.")
@json_option
@pass_ctx
def search(ctx: Context, query, limit, newest, as_json):
    """Full-text search over titles and text (Japanese works); `newsdesk article ID` opens a result.

    Words are all required, "a quoted phrase" is matched as written, OR between words accepts
    either (a b OR c: a, and b or c). Best matches first, among the 1,000 most recently stored
    matches; --newest orders those by publication date.

    \b
    Example:
        newsdesk search 不正アクセス
        newsdesk search 不正アクセス 流出
        newsdesk search '"情報漏えい"' --json
        newsdesk search 'ランサムウェア OR 身代金'
        newsdesk search 流出 --newest
    """
    try:
        rows = store.search(ctx.reader(), query, limit, order="newest" if newest else "best")
    except store.QueryError as exc:
        raise click.UsageError(str(exc)) from None
    if as_json:
        echo_json(rows)
        return
    results = table("id", "source", "published", "title", "snippet")
    for row in rows:
        results.add_row(str(row["id"]), row["source"], safe((row["published_at"] or "")[:10]), safe(row["title"]),
                        safe(row["snippet"]))
    console = output.console  # rich loads here, not for --json
    console.print(results)
    console.print(safe(f"{len(rows)} articles; `newsdesk article ID` shows one" if rows else "no article matches"))


@cli.command()
@click.argument("article_id", type=int, metavar="ID")
@json_option
@pass_ctx
def article(ctx: Context, article_id, as_json):
    """Show one stored article: source, dates, URL, body status, text, the pages it cites, its story.

    \b
    Example:
        newsdesk article 7
        newsdesk article 7 --json
    """
    with not_found():
        row = store.article_detail(ctx.open(write=False), article_id)
    if as_json:
        echo_json(row)
        return
    echo("\n".join(_article_lines(row)))


def _article_lines(row: dict) -> list[str]:
    from pipeline.stories.evidence import explain  # only here: the stories package loads datasketch

    story = row["story"]
    lines = [
        row["title"],
        f"article {row['id']} · {row['source']} · {row['kind']} · body {row['body_status']} · version {row['version']}",
        f"url:       {row['url']}",
        f"published: {row['published_at'] or '-'}   modified: {row['modified_at'] or '-'}",
        f"fetched:   first seen {row['first_seen_at']}, last fetched {row['last_fetched_at']}",
        f"author:    {row['author'] or '-'}",
        "story:     " + (f"{story['id']} {story['title']} (as {story['role']}"
                         + (f"; candidate {story['candidate_id']})" if story["candidate_id"] else ")")
                         + f"; {explain(story['evidence'])}"
                         if story else "not grouped yet (newsdesk draft)"),
    ]
    lines += [f"cites:     {c['url']}" + (f" (article {c['article_id']})" if c["article_id"] else " (not stored)")
              for c in row["cites"]]
    lines += [f"cited by:  article {c['article_id']} {c['url']}" for c in row["cited_by"]]
    if row["lead"]:
        lines += ["", row["lead"]]
    return [*lines, "", row["text"]]
