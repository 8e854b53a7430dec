"""Page objects on the demo mirror's pages, field by field (expectations: fixtures/expected_articles.json,
written from pipeline/demo_site/README.md)."""

from __future__ import annotations

import json

import pytest

from conftest import DEMO_SITE, ROOT
from crawler.extract.article import extract_article
from crawler.extract.decode import decode_html
from crawler.extract.feed import parse_feed
from crawler.mirror import file_for
from crawler.sources import PRIMARY, load_sources

EXPECTED = json.loads((ROOT / "tests" / "fixtures" / "expected_articles.json").read_text(encoding="utf-8"))
SOURCES = load_sources()


def source_for(url: str):
    """The registry source of a page; cited official pages get the generic PRIMARY source."""
    return next((s for s in SOURCES.values() if s.is_article(url)), PRIMARY)


def feed_context(source, url: str) -> dict:
    for feed in source.feeds:
        path = file_for(DEMO_SITE, "/" + feed.split("://", 1)[1])
        entries, _ = parse_feed(path.read_bytes(), feed, source.tzinfo)
        for entry in entries:
            if entry.url == url:
                return entry.as_context()
    return {}


CASES = list(EXPECTED.items())


@pytest.fixture(params=CASES, ids=[url.split("//", 1)[1] for url, _ in CASES])
def extracted(request):
    url, facts = request.param
    source = source_for(url)
    path = file_for(DEMO_SITE, "/" + url.split("://", 1)[1])
    html, _ = decode_html(path.read_bytes())
    return extract_article(html, url, source, feed_context(source, url)), facts, source


def test_title(extracted):
    article, facts, _ = extracted
    assert article.title == facts["title"]


def test_dates(extracted):
    article, facts, _ = extracted
    assert article.published_at.startswith(facts["published"])
    assert article.published_at.endswith("+09:00")
    if "modified" in facts:
        assert article.modified_at == facts["modified"]


def test_author(extracted):
    article, facts, source = extracted
    if source.extract.author:
        assert article.author == facts["author"]


def test_key_phrases_present_and_boilerplate_absent(extracted):
    article, facts, _ = extracted
    for phrase in facts["key_phrases"]:
        assert phrase in article.text, phrase
    for phrase in facts["absent"]:
        assert phrase not in article.text, phrase


def test_body_status(extracted):
    article, facts, _ = extracted
    assert article.body_status == ("partial" if facts.get("partial") else "full")


def test_highlights(extracted):
    article, facts, _ = extracted
    assert article.highlights == facts.get("highlights", [])
