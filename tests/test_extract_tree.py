"""The one parse per page (crawler/extract/tree.py): what it reads, what it leaves out, and that it
never changes the tree it reads."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html
from lxml.html import tostring

from conftest import DEMO_SITE
from crawler.css import SelectorInvalid, compile_selector
from crawler.extract.decode import decode_html
from crawler.extract.tree import Page, clean, parse_html, strings, text_head


def test_a_page_with_an_xml_declaration_naming_its_encoding_is_parsed():
    html = '<?xml version="1.0" encoding="Shift_JIS"?>\n<html><body><h1>お知らせ</h1><p>本文です。</p></body></html>'
    root = parse_html(html)
    assert root.findtext(".//h1") == "お知らせ" and root.findtext(".//p") == "本文です。"


@pytest.mark.parametrize("html", ["", "   \n", "\x00\x01", "plain text, no tags"])
def test_empty_or_odd_input_still_gives_a_document(html):
    root = parse_html(html)
    assert root.tag == "html" and root.find("body") is not None


def test_characters_libxml2_refuses_are_left_out_as_trafilatura_leaves_them_out():
    from trafilatura.utils import INVALID_XML_CHARS, repair_faulty_html

    html = ("<!DOCTYPE html/>\n<html><body><p>不正\x07アクセス\ufffe、\x1b被害\uffff。￥１００、ｱｸｾｽ</p>"
            "<p>tab\tand\r\nline</p></body></html>")
    paragraphs = [p.text for p in parse_html(html).iter("p")]
    assert paragraphs[0] == "不正アクセス、被害。￥１００、ｱｸｾｽ"  # U+FFE5 and U+FF71 are kept
    expected = [p.text for p in lxml_html.document_fromstring(repair_faulty_html(html, html[:50].lower())).iter("p")]
    assert paragraphs == expected and INVALID_XML_CHARS.search(paragraphs[0]) is None


def test_a_fragment_is_parsed_as_a_document():
    root = parse_html("<article><p>段落</p></article>")
    assert root.tag == "html" and root.find("body/article/p").text == "段落"


def test_dropped_elements_are_left_out_of_every_reading_but_stay_in_the_tree():
    root = parse_html("<html><body><article><p>本文</p><aside class='ad'><p>広告</p>"
                      "<time datetime='2020-01-01'>x</time></aside><time datetime='2026-11-19'>y</time>"
                      "</article><script>var a = '本文外';</script></body></html>")
    before = tostring(root)
    page = Page(root)
    article = page.select_one("article")
    assert "広告" in page.text(article) and "本文外" not in page.joined(root)
    page.drop(("aside.ad",))
    assert page.text(article) == "本文\n\ny"
    assert page.select_one("time").get("datetime") == "2026-11-19"  # the first one not dropped
    assert "広告" not in page.joined(root)
    assert tostring(root) == before


def test_white_space_between_tags_reads_as_one_break_except_in_pre():
    root = parse_html("<html><body><div>a</div>\n\n\n<div>b</div><pre>x\n\n\ny</pre></body></html>")
    pieces = list(strings(root.find("body")))
    assert pieces == ["a", "\n", "b", "x\n\n\ny"]


def test_the_head_of_a_block_is_the_head_of_its_whole_text():
    html, _ = decode_html((DEMO_SITE / "scan.netsecurity.ne.jp/article/2026/11/19/51225.html").read_bytes())
    page = Page(parse_html(html))
    blocks = list(page.root.iter("div", "p", "li", "body"))
    assert blocks
    for block in blocks:
        for chars in (1, 20, 200):
            assert page.text_head(block, chars) == clean(page.joined(block))[:chars]
    assert text_head(page.root, 50) == clean(" ".join(strings(page.root)))[:50]


def test_selectors_compile_once_and_bad_ones_say_why():
    assert compile_selector("div.a > p") is compile_selector("div.a > p")
    with pytest.raises(SelectorInvalid, match="Expected"):
        compile_selector("div:nth-child(")
    with pytest.raises(SelectorInvalid, match="unknown"):
        compile_selector("p:-soup-contains('x')")
