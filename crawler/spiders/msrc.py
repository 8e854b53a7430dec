"""MSRC monthly security update releases (being written: see the CVRF API notes in SITES.md)."""

from crawler.spiders.generic import Spider as GenericSpider


class Spider(GenericSpider):
    def start_requests(self):
        return []
