"""The Scrapy project: fetching only. Extraction lives in crawler.extract, storage in pipeline.store."""

__version__ = "0.1.0"
