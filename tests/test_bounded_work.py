"""Bounded work per page: text extraction walks the tree once, and a page nested beyond the budget is
recorded as a failure while the crawl goes on (issue 8, point 5)."""

from __future__ import annotations

import sqlite_utils
from lxml.html import fromstring, tostring

from conftest import run_newsdesk
from crawler.extract.article import MAX_NESTING, ExtractError, element_text
from crawler.extract.tree import parse_html

REGISTRY = """
[deep]
name = "Deep"
lang = "ja"
listings = ["https://deep.example.jp/list.html"]
article_pattern = '^https://deep\\.example\\.jp/a/\\d+\\.html$'
allowed_domains = ["deep.example.jp"]

[deep.extract]
title = "h1"
body = "article"
"""


def nested(levels: int) -> str:
    return "<html><body><h1>深い記事</h1><article>" + "<div>段落です。" * levels + "</div>" * levels + \
        "</article></body></html>"


def test_element_text_keeps_line_breaks_and_leaves_the_tree_alone():
    page = "<article><p>一つ目<br>二行目</p><!-- 註 --><script>x()</script><ul><li>項目</li></ul>終わり</article>"
    root = parse_html(page)
    before = tostring(root)
    assert element_text(root.find(".//article")) == "一つ目\n二行目\n\n項目\n\n終わり"
    assert tostring(root) == before  # reading the text does not change the page
    assert element_text(fromstring(page)) == "一つ目\n二行目\n\n項目\n\n終わり"  # a tree that kept the comment


def test_a_page_nested_past_the_budget_is_refused_with_a_reason():
    root = parse_html(nested(MAX_NESTING + 50))
    try:
        element_text(root.find(".//article"))
    except ExtractError as exc:
        assert f"nested deeper than {MAX_NESTING}" in str(exc)
    else:
        raise AssertionError("a page nested past the budget was accepted")
    assert element_text(parse_html(nested(MAX_NESTING - 50)).find(".//article")).count("段落です。") == \
        MAX_NESTING - 50


def test_a_deeply_nested_article_is_recorded_and_the_crawl_goes_on(tmp_path):
    site = tmp_path / "mirror" / "deep.example.jp"
    (site / "a").mkdir(parents=True)
    (site / "list.html").write_text('<a href="/a/1.html">1</a><a href="/a/2.html">2</a>', encoding="utf-8")
    (site / "a" / "1.html").write_text(nested(50_000), encoding="utf-8")
    (site / "a" / "2.html").write_text("<html><body><h1>普通の記事</h1><article><p>本文です。</p></article>"
                                       "</body></html>", encoding="utf-8")
    registry = tmp_path / "deep.toml"
    registry.write_text(REGISTRY, encoding="utf-8")
    db_file = tmp_path / "deep.db"
    result = run_newsdesk("crawl", "--sources", str(registry), "--mirror", (tmp_path / "mirror").as_uri(),
                          db=db_file, timeout=120)
    assert result.returncode == 0, result.stderr
    db = sqlite_utils.Database(db_file)
    assert [r["url"] for r in db.query("SELECT url FROM articles")] == ["https://deep.example.jp/a/2.html"]
    [error] = db.query("SELECT url, reason, detail FROM crawl_errors")
    assert error["url"] == "https://deep.example.jp/a/1.html" and error["reason"] == "extract"
    assert f"nested deeper than {MAX_NESTING}" in error["detail"]
