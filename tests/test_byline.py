"""crawler.extract.byline: trafilatura's byline search, the same answer without copying the page."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from trafilatura.metadata import extract_author

from conftest import DEMO_SITE
from crawler.extract import byline
from crawler.extract.byline import byline_author
from crawler.extract.decode import decode_html
from crawler.extract.tree import parse_html

SHARED = Path(__file__).resolve().parents[2] / "shared"
PAGE = "<html><head><title>t</title></head><body>{}<p>本文です。</p></body></html>"
CASES = {
    "rel-author link": '<p>By <a rel="author" href="/u/1">Jane Doe</a></p>',
    "exact class": '<div class="author">Jane Doe</div>',
    "class by regex": '<span class="post-authorName">Jane Doe</span>',
    "itemprop": '<span itemprop="author name">Taro Yamada</span>',
    "data-testid": '<div data-testid="AuthorCard">Taro Yamada</div>',
    "author element": "<author>Hanako Sato</author>",
    "rel child is me": "<p><rel>me</rel> Jane Roe</p>",
    "byline class": '<p class="byline">By Jane Doe</p>',
    "id by regex": '<h4 id="zuozhe">王 小明</h4>',
    "any element, writer class": '<li class="writer">Jiro Tanaka</li>',
    "data-component": '<section data-component="Byline">Jiro Tanaka</section>',
    "inside comments": '<div id="comments"><span class="author">Commenter</span></div>'
                       '<span class="byline">By Real Author</span>',
    "a discarded date inside": '<div class="author">By Jane <time>2026-11-19</time>Doe</div>',
    "a discarded class inside": '<p class="byline">By <span class="date">today</span>Jane Doe</p>',
    "too short, then next": '<span class="author">JD</span><p class="byline">Jane Doe</p>',
    "inside a figure": '<figure><span class="author">Photo Person</span></figure>',
    "nothing": "<p>No byline here.</p>",
}


@pytest.mark.parametrize("name", CASES)
def test_the_byline_is_trafilaturas(name):
    tree = parse_html(PAGE.format(CASES[name]))
    assert byline_author(tree) == extract_author(tree)


def test_each_kind_of_match_is_found_and_discarded_parts_are_skipped():
    found = {name: byline_author(parse_html(PAGE.format(html))) for name, html in CASES.items()}
    assert found["rel-author link"] == "Jane Doe" and found["author element"] == "Hanako Sato"
    assert found["inside comments"] == "Real Author"
    assert found["inside a figure"] is None and found["nothing"] is None


def test_a_candidate_holding_a_discarded_part_is_read_as_trafilatura_reads_it(monkeypatch):
    calls = []
    real = byline.extract_author
    monkeypatch.setattr(byline, "extract_author", lambda tree: calls.append(tree) or real(tree))
    tree = parse_html(PAGE.format(CASES["a discarded class inside"]))
    assert byline_author(tree) == real(tree) and len(calls) == 1
    assert tree.find(".//span[@class='date']") is not None  # the page itself is left whole


def test_the_installed_trafilatura_searches_as_written_out_here():
    # Fails when a trafilatura release changes its byline expressions: byline.py then runs
    # trafilatura's own search (below) until its tests are written out again.
    assert byline.MIRRORED and byline.expressions_digest() == byline._WRITTEN_FOR  # noqa: SLF001


def test_other_expressions_make_it_run_trafilaturas_own_search(monkeypatch):
    calls = []
    monkeypatch.setattr(byline, "MIRRORED", False)
    monkeypatch.setattr(byline, "extract_author", lambda tree: calls.append(tree) or "From trafilatura")
    tree = parse_html(PAGE.format(CASES["byline class"]))
    assert byline_author(tree) == "From trafilatura" and calls == [tree]


def _pages():
    paths = sorted(DEMO_SITE.rglob("*.html"))
    for folder in (SHARED / "bench" / "article-extraction-benchmark" / "html", SHARED / "real-samples"):
        if folder.is_dir():
            paths += sorted(p for p in folder.rglob("*") if p.name.endswith((".html", ".html.gz")))
    return paths


def test_the_same_byline_as_trafilatura_on_every_page_we_have():
    pages = _pages()
    if len(pages) < 100:
        pytest.skip("../shared/bench is absent: only the demo site's pages to compare on")
    differ, authors = [], 0
    for path in pages:
        raw = path.read_bytes()
        tree = parse_html(decode_html(gzip.decompress(raw) if path.suffix == ".gz" else raw)[0])
        expected = extract_author(tree)
        authors += expected is not None
        if byline_author(tree) != expected:
            differ.append(path.name)
    assert not differ and authors > 50
