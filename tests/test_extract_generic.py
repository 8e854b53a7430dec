"""trafilatura on the shared parse (crawler/extract/generic.py): the same metadata as trafilatura's
own full pass, and no trafilatura work at all for what a source's rules already found."""

from __future__ import annotations

import pytest
from trafilatura.metadata import extract_metadata

from conftest import DEMO_SITE
from crawler.extract import generic
from crawler.extract.article import extract_article
from crawler.extract.decode import decode_html
from crawler.extract.tree import parse_html
from crawler.sources import PRIMARY, load_sources

PAGES = sorted(DEMO_SITE.rglob("*.html"))
BYLINE = """<html><head><title>題名 | サイト</title><meta name="author" content="Solo"></head><body>
<h1>見出し</h1><p class="byline">By Jane Doe</p><p>{text}</p></body></html>"""
JSON_LD = """<html><head><title>Title</title><script type="application/ld+json">
{{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "LD headline",
 "author": {{"@type": "Person", "name": "Taro Yamada"}}, "datePublished": "2026-11-19T10:00:00+09:00"}}
</script></head><body><article><p>{text}</p></article></body></html>"""


@pytest.mark.parametrize("path", PAGES + ["byline", "json-ld"], ids=lambda p: getattr(p, "name", p))
def test_title_author_and_date_are_those_of_trafilaturas_full_metadata_pass(path):
    if path == "byline":
        html, url = BYLINE.format(text="本文です。" * 40), "https://example.jp/a/1.html"
    elif path == "json-ld":
        html, url = JSON_LD.format(text="Body text. " * 40), "https://example.com/a/1.html"
    else:
        html, url = decode_html(path.read_bytes())[0], "https://" + str(path.relative_to(DEMO_SITE))
    full = extract_metadata(html, url)
    reading = generic.GenericReading(parse_html(html), url, html)
    assert (reading.title, reading.author, reading.date) == (full.title, full.author, full.date)


def test_a_page_whose_rules_find_everything_never_runs_trafilatura(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("trafilatura was asked for a field the rules had found")

    for name in ("bare_extraction",):
        monkeypatch.setattr(generic.trafilatura, name, refuse)
    for name in ("find_date", "byline_author", "extract_title", "examine_meta", "extract_meta_json"):
        monkeypatch.setattr(generic, name, refuse)
    url = "https://scan.netsecurity.ne.jp/article/2026/11/19/51225.html"
    html, _ = decode_html((DEMO_SITE / url.split("://", 1)[1]).read_bytes())
    article = extract_article(html, url, load_sources()["scannetsecurity"])
    assert article.title and article.text and article.published_at and article.author


def test_trafilatura_reads_the_tree_the_rules_read(monkeypatch):
    seen = []
    real = generic.trafilatura.bare_extraction

    def spy(tree, **kwargs):
        seen.append(tree)
        return real(tree, **kwargs)

    monkeypatch.setattr(generic.trafilatura, "bare_extraction", spy)
    html, _ = decode_html((DEMO_SITE / "www.pref.minato.lg.jp/kenmin/joho/20261120.html").read_bytes())
    article = extract_article(html, "https://www.pref.minato.lg.jp/kenmin/joho/20261120.html", PRIMARY)
    assert article.text and len(seen) == 1 and not isinstance(seen[0], str | bytes)  # a parsed tree, once


def test_what_trafilatura_would_refuse_gives_no_generic_fields():
    html = '{"value": [{"ID": "2026-Nov", "title": "November"}]}'
    reading = generic.GenericReading(parse_html(html), "https://api.example.com/x", html)
    assert (reading.text, reading.title, reading.author, reading.date) == ("", None, None, None)
