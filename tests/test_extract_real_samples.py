"""Extraction on real captures from ../shared/real-samples (skipped where that folder is absent).

Expectations are computed from the capture itself with BeautifulSoup, never copied from it.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from conftest import REAL_SAMPLES
from crawler.extract.article import extract_article
from crawler.extract.decode import decode_html
from crawler.sources import Source, load_sources

SCAN_2019 = REAL_SAMPLES / "scannetsecurity" / "postlight-parser@8493d05c" / "1551788723281.html"
SCAN_2022 = REAL_SAMPLES / "scannetsecurity" / "postlight-parser@e8ba7ece" / "scan.netsecurity.ne.jp.html"
URL = "https://scan.netsecurity.ne.jp/article/2019/03/05/42049.html"


def load(path):
    if not path.exists():
        pytest.skip(f"real sample {path.name} not available")
    html, _ = decode_html(path.read_bytes())
    return html, BeautifulSoup(html, "lxml")


def test_scannet_2019_capture_field_by_field():
    html, soup = load(SCAN_2019)
    article = extract_article(html, URL, load_sources()["scannetsecurity"])
    assert article.title == soup.select_one("header.arti-header h1.head").get_text(strip=True)
    assert article.published_at == soup.select_one("time.date")["datetime"]
    assert article.lead == soup.select_one("p.arti-summary").get_text(strip=True)
    assert article.body_status == "full"
    body = soup.select_one("article.arti-body")
    first_line = next(line.strip() for line in body.get_text("\n").splitlines() if len(line.strip()) > 20)
    assert first_line[:20] in article.text
    giga = soup.select_one("aside.arti-giga")
    if giga is not None:
        boilerplate = next(s.strip() for s in giga.stripped_strings if len(s.strip()) > 8)
        assert boilerplate not in article.text
    assert "\n\n" in article.text  # <br><br> paragraphs survive as paragraph breaks


def test_scannet_2022_placeholder_capture_is_partial_with_lead():
    html, soup = load(SCAN_2022)
    assert soup.select_one("mms-article") is not None
    feed = {"summary": "フィードの説明文。"}
    article = extract_article(html, URL, load_sources()["scannetsecurity"], feed)
    assert article.body_status == "partial"
    lead = soup.select_one("p.arti-summary").get_text(strip=True)
    assert article.text.startswith(lead) and article.text.endswith("フィードの説明文。")


@pytest.mark.parametrize("folder, url, selector", [
    ("internet-watch", "https://internet.watch.impress.co.jp/docs/news/1171154.html",
     "div.title-header div.hdg-article h1"),
    ("zdnet-japan", "https://japan.zdnet.com/article/35136396/", "h1.leaftitle"),
])
def test_other_news_captures_extract_generically(folder, url, selector):
    """Without per-source rules, trafilatura still finds the title and a body of real length."""
    files = sorted((REAL_SAMPLES / folder).glob("*.html")) if (REAL_SAMPLES / folder).exists() else []
    if not files:
        pytest.skip(f"real sample folder {folder} not available")
    html, soup = load(files[0])
    source = Source(key="plain", name="Plain", lang="ja", article_pattern=".*", allowed_domains=("x",))
    article = extract_article(html, url, source)
    assert soup.select_one(selector).get_text(strip=True)[:15] in article.title + article.text
    assert len(article.text) > 300
