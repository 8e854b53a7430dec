"""Everything after the crawl: storage, drafting, export and the CLI. Never imports Scrapy at module level."""
