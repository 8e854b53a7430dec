"""Operations: each source's health, for people and for monitoring."""

from __future__ import annotations

from pipeline.cli.app import Context, SomeFailed, cli, json_option, pass_ctx
from pipeline.cli.output import console, echo_json, safe, table

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
