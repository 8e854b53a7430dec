"""The Scrapy project: fetching only. Extraction lives in crawler.extract, storage in pipeline.store."""

__version__ = "0.1.0"


def user_agent(contact_url: str) -> str:
    """The honest User-Agent every request of newsdesk sends."""
    return f"newsdesk/{__version__} (+{contact_url})"
