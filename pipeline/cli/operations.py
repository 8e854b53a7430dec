"""Operations: each source's health, for people and for monitoring."""

from __future__ import annotations

import click

from pipeline.cli.app import Context, SomeFailed, cli, json_option, pass_ctx
from pipeline.cli.output import console, echo, echo_json, safe, table

STATUS_STYLE = {"ok": "green", "degraded": "yellow", "failing": "red", "unknown": "dim"}


@cli.command()
@json_option
@pass_ctx
def health(ctx: Context, as_json):
    """Each source's health: ok, degraded or failing, with the reasons (exit 1 when one is failing).

    \\b
    Example:
        newsdesk health
        newsdesk health --json | jq '.[] | select(.status != "ok")'
    """
    from pipeline.analyse.health import source_health

    report = source_health(ctx.open(write=False), list(ctx.sources()))
    if as_json:
        echo_json([h.as_dict() for h in report])
    else:
        listing = table("source", "status", "last success", "failed runs", "new (last/usual)", "why")
        for h in report:
            usual = "-" if h.usual_new is None else f"{h.usual_new:g}"
            listing.add_row(h.source, f"[{STATUS_STYLE[h.status]}]{h.status}[/]", (h.last_success or "never")[:16],
                            str(h.consecutive_failures), f"{h.last_new if h.last_new is not None else '-'}/{usual}",
                            safe("; ".join(h.reasons)))
        console.print(listing)
    failing = [h.source for h in report if h.status == "failing"]
    if failing:
        raise SomeFailed(f"failing: {', '.join(failing)}")


@cli.command()
@click.argument("key", metavar="SOURCE")
@click.option("--url", help="An article (or listing) URL of the source; default: the first article its feed offers.")
@click.option("--mirror", metavar="URL", help="Fetch from a local mirror (http://127.0.0.1:PORT or file:///DIR).")
@json_option
@pass_ctx
def check(ctx: Context, key, url, mirror, as_json):
    """Fetch one page of SOURCE and show what each extraction rule finds (exit 1 when a rule an article
    page always has matched nothing: fix the registry entry).

    \b
    Example:
        newsdesk check scannetsecurity
        newsdesk check nict --url https://www.nict.go.jp/press/2026/11/19-1.html
    """
    from crawler.check import CheckError
    from crawler.check import check as run_check
    from crawler.run import CrawlInputError, check_mirror

    sources = ctx.sources()
    if key not in sources:
        raise click.ClickException(f"unknown source {key}; known: {', '.join(sources)}")
    try:
        check_mirror(mirror)
        report = run_check(sources[key], url, mirror)
    except (CheckError, CrawlInputError) as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        echo_json(report)
    else:
        echo(f"{key}: {report['url']}" + (f" (first article of {report['listing']})" if report["listing"] else ""))
        listing = table("rule", "selector", "matched", "found")
        for rule in report["rules"]:
            listing.add_row(rule["rule"], safe(rule["selector"]), str(rule["matched"]) if rule["matched"] else
                            "[red]nothing[/]", safe(rule["found"]))
        if report["rules"]:
            console.print(listing)
        result = report["extracted"]
        echo("extracted: " + ("; ".join(f"{k}: {v}" for k, v in result.items() if k != "text")))
    if report["broken"]:
        raise SomeFailed(f"rules that matched nothing: {', '.join(report['broken'])}")
