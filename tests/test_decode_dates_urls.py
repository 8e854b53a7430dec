from datetime import timedelta, timezone

import pytest

from crawler.extract.dates import parse_date
from crawler.extract.decode import DecodeError, decode_html
from crawler.urls import canonical_url, is_public_address

JST = timezone(timedelta(hours=9))
PAGE = "<html><head>{meta}</head><body><p>不正アクセスにより個人情報が漏えいした可能性があります。</p></body></html>"


@pytest.mark.parametrize("encoding", ["utf-8", "cp932", "euc_jp", "iso2022_jp"])
def test_japanese_encodings_decode_without_declaration(encoding):
    text, _ = decode_html(PAGE.format(meta="").encode(encoding))
    assert "不正アクセス" in text and "\ufffd" not in text


def test_header_charset_wins_when_it_fits():
    body = PAGE.format(meta="").encode("cp932")
    text, used = decode_html(body, "text/html; charset=Shift_JIS")
    assert used == "cp932" and "漏えい" in text


def test_wrong_meta_declaration_is_verified_and_skipped():
    body = PAGE.format(meta='<meta charset="EUC-JP">').encode("cp932")
    text, used = decode_html(body)
    assert used == "cp932" and "個人情報" in text


def test_euc_jp_declared_as_shift_jis_is_not_read_as_katakana():
    body = PAGE.format(meta='<meta charset="Shift_JIS">').encode("euc_jp")
    text, _ = decode_html(body)
    assert "個人情報" in text


def test_utf8_full_of_half_width_katakana_is_read_as_utf8():
    body = PAGE.format(meta='<meta charset="utf-8">').replace("</body>", "ｾｷｭﾘﾃｨｱｯﾌﾟﾃﾞｰﾄ" * 50 + "</body>").encode()
    text, used = decode_html(body)
    assert used == "utf-8" and "ｾｷｭﾘﾃｨ" in text and "個人情報" in text


def test_bom_and_utf8_mislabelled_latin1():
    assert decode_html(b"\xef\xbb\xbf" + PAGE.format(meta="").encode())[0].startswith("<html>")
    text, used = decode_html(PAGE.format(meta="").encode(), "text/html; charset=ISO-8859-1")
    assert used == "utf-8" and "漏えい" in text


@pytest.mark.parametrize("body", [b"", b"   ", b"%PDF-1.7\x00\x01\x02binary"])
def test_undecodable_bodies_raise(body):
    with pytest.raises(DecodeError):
        decode_html(body)


@pytest.mark.parametrize("value, expected", [
    ("2019-03-05T08:15:00+09:00", "2019-03-05T08:15:00+09:00"),
    ("2019年3月5日（火） 08時15分", "2019-03-05T08:15:00+09:00"),
    ("2019年2月22日 16:00", "2019-02-22T16:00:00+09:00"),
    ("２０２６年１１月１９日", "2026-11-19T00:00:00+09:00"),
    ("2026/11/18", "2026-11-18T00:00:00+09:00"),
    ("2020-02-11T08:00:00Z", "2020-02-11T08:00:00+00:00"),
    ("ZDNet Japan Staff 2019年04月28日 08時00分", "2019-04-28T08:00:00+09:00"),
    ("更新日：令和8年（2026年）11月20日", "2026-11-20T00:00:00+09:00"),
    ("令和元年5月1日", "2019-05-01T00:00:00+09:00"),
    ("平成31年4月30日", "2019-04-30T00:00:00+09:00"),
])
def test_dates_normalise_to_iso_with_offset(value, expected):
    assert parse_date(value, JST) == expected


def test_unparseable_date_is_none():
    assert parse_date("先週の火曜日", JST) is None
    assert parse_date("2026年13月40日", JST) is None


def test_canonical_url_drops_tracking_and_fragment():
    url = "HTTPS://Scan.NetSecurity.ne.jp:443/article/2026/11/18/1.html?utm_source=rss&id=3#top"
    assert canonical_url(url) == "https://scan.netsecurity.ne.jp/article/2026/11/18/1.html?id=3"


def test_canonical_url_applies_source_rewrites():
    rewrites = ((r"^https://s\.netsecurity\.ne\.jp/", "https://scan.netsecurity.ne.jp/"),)
    assert canonical_url("https://s.netsecurity.ne.jp/article/2026/11/18/1.html", rewrites) == \
        "https://scan.netsecurity.ne.jp/article/2026/11/18/1.html"


@pytest.mark.parametrize("host, public", [
    ("127.0.0.1", False), ("localhost", False), ("10.1.2.3", False), ("192.168.0.1", False),
    ("169.254.169.254", False), ("[::1]", False), ("0.0.0.0", False), ("8.8.8.8", True),
    ("scan.netsecurity.ne.jp", True),
])
def test_address_guard_classification(host, public):
    assert is_public_address(host) is public


@pytest.mark.parametrize("host", ["2130706433", "0x7f.0.0.1", "127.1", "0177.0.0.1", "0x7f000001", "017700000001",
                                  "[::ffff:127.0.0.1]", "metadata.google.internal", "METADATA.GOOGLE.INTERNAL.",
                                  "169.254.169.254", "3232235777", "10.1", "foo.internal", "nas.local"])
def test_every_spelling_of_a_private_address_is_refused(host):
    assert is_public_address(host) is False


@pytest.mark.parametrize("host", ["www.nict.go.jp", "8.8.8.8", "134744072", "deadbeef.example.jp", "0x.jp"])
def test_public_hosts_and_names_that_only_look_numeric_pass(host):
    assert is_public_address(host) is True
