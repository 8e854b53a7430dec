"""Scrapy commands of the newsdesk project (COMMANDS_MODULE): `scrapy crawl` with its values checked first."""
