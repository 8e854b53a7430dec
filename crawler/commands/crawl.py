"""`scrapy crawl KEY`: spider arguments and -s settings are checked before the reactor starts, so a
bad value is one usage line, not a Twisted traceback."""

from __future__ import annotations

from datetime import date

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from crawler.run import CrawlInputError, parse_overrides


class Command(ScrapyCrawl):
    def process_options(self, args, opts) -> None:
        try:
            parse_overrides(opts.set or ())
        except CrawlInputError as exc:
            raise UsageError(str(exc).replace("--set", "-s"), print_help=False) from None
        super().process_options(args, opts)
        since = (opts.spargs or {}).get("since")
        if since is not None:
            try:
                date.fromisoformat(since)
            except ValueError:
                raise UsageError(f"-a since={since!r}: write the date as YYYY-MM-DD", print_help=False) from None
