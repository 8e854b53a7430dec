"""crawler.middlewares.HeadMetaRefreshMiddleware: Scrapy's meta-refresh redirects, read from the page's head."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.middlewares import META_REFRESH_BYTES, HeadMetaRefreshMiddleware

URL = "https://scan.netsecurity.ne.jp/article/2026/11/19/51225.html"
REFRESH = '<meta http-equiv="refresh" content="0; url=/article/2026/11/19/51226.html">'
FILLER = "<p>" + "不正アクセスによる情報流出の可能性について調査しています。" * 40 + "</p>"


def page(head: str, paragraphs: int, charset: str = "utf-8") -> bytes:
    body = FILLER * paragraphs
    return f"<html><head><meta charset='{charset}'>{head}<title>記事</title></head><body>{body}</body></html>".encode(
        charset)


@pytest.fixture(params=[HeadMetaRefreshMiddleware, MetaRefreshMiddleware])  # ours answers as Scrapy's does
def middleware(request):
    return request.param.from_crawler(get_crawler(settings_dict={"METAREFRESH_MAXDELAY": 100}))


def respond(middleware, body: bytes):
    request = Request(URL)
    response = HtmlResponse(URL, body=body, request=request)
    return response, middleware.process_response(request, response)


@pytest.mark.parametrize("paragraphs", [0, 60])  # within the head's 16 KB, and a page of ~200 KB
def test_a_meta_refresh_redirects(middleware, paragraphs):
    response, result = respond(middleware, page(REFRESH, paragraphs))
    assert isinstance(result, Request)
    assert result.url == "https://scan.netsecurity.ne.jp/article/2026/11/19/51226.html"
    assert len(response.body) > META_REFRESH_BYTES or paragraphs == 0


def test_a_long_page_without_one_passes_through_undecoded():
    middleware = HeadMetaRefreshMiddleware.from_crawler(get_crawler())
    response, result = respond(middleware, page("", 60))
    assert result is response
    assert response._cached_ubody is None  # noqa: SLF001 - the page was never decoded on this process


def test_a_refresh_past_the_first_4096_characters_is_ignored_as_scrapy_ignores_it(middleware):
    late = page("", 0).replace(b"<body>", f"<body>{'あ' * 5000}{REFRESH}".encode())
    _, result = respond(middleware, late + FILLER.encode() * 60)
    assert not isinstance(result, Request)


def test_a_shift_jis_page_is_read_in_its_own_encoding(middleware):
    body = page("<title>情報流出</title>" * 200 + REFRESH.replace("51226", "情報"), 60, charset="shift_jis")
    assert body.index(b"refresh") > 4096 and len(body) > META_REFRESH_BYTES  # two bytes a character
    _, result = respond(middleware, body)
    assert isinstance(result, Request) and result.url.endswith("/%E6%83%85%E5%A0%B1.html")


@pytest.mark.parametrize("paragraphs", [0, 60])
def test_a_utf16_page_is_decoded_to_look_for_one(middleware, paragraphs):
    body = b"\xff\xfe" + page(REFRESH, paragraphs).decode("utf-8").replace("utf-8", "utf-16").encode("utf-16-le")
    assert b"refresh" not in body  # its bytes never spell the word
    _, result = respond(middleware, body)
    assert isinstance(result, Request) and result.url.endswith("/51226.html")


def test_a_short_page_without_one_passes_through_undecoded():
    middleware = HeadMetaRefreshMiddleware.from_crawler(get_crawler())
    response, result = respond(middleware, page("", 0))
    assert result is response and response._cached_ubody is None  # noqa: SLF001
