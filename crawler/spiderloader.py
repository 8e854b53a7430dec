"""A Scrapy spider loader that makes one spider per registry entry.

``scrapy list`` and ``scrapy crawl KEY`` work from the project root; the registry in force is the
NEWSDESK_SOURCES setting (or environment variable), else crawler/sources.toml.
"""

from __future__ import annotations

from importlib import import_module

from crawler.sources import RegistryError, load_sources


def spider_class(source):
    """The spider class for a source: the generic one, or crawler.spiders.<source.spider>."""
    try:
        base = import_module(f"crawler.spiders.{source.spider}").Spider
    except (ImportError, AttributeError):
        raise RegistryError(f"source '{source.key}', field 'spider': no spider module "
                            f"crawler/spiders/{source.spider}.py with a Spider class") from None
    return type(f"{source.key.title().replace('_', '')}Spider", (base,), {"name": source.key, "source": source})


class RegistrySpiderLoader:
    def __init__(self, settings):
        self.sources = load_sources(settings.get("NEWSDESK_SOURCES"))
        self._spiders = {key: spider_class(source) for key, source in self.sources.items()}

    @classmethod
    def from_settings(cls, settings):
        return cls(settings)

    def load(self, spider_name: str):
        try:
            return self._spiders[spider_name]
        except KeyError:
            raise KeyError(f"Spider not found: {spider_name}") from None

    def list(self) -> list[str]:
        return list(self._spiders)

    def find_by_request(self, request) -> list[str]:
        return [key for key, spider in self._spiders.items() if spider.handles_request(request)]
