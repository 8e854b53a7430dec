import urllib.request

import pytest

from crawler.mirror import file_for, mirror_url, real_url_from_mirror, serve


@pytest.mark.parametrize("real, mirror, expected", [
    ("https://scan.netsecurity.ne.jp/article/?page=2", "http://127.0.0.1:8000",
     "http://127.0.0.1:8000/scan.netsecurity.ne.jp/article/?page=2"),
    ("https://scan.netsecurity.ne.jp/article/?page=2", "file:///srv/m",
     "file:///srv/m/scan.netsecurity.ne.jp/article/index.html%3Fpage%3D2"),
    ("https://www.nict.go.jp/press/", "file:///srv/m/", "file:///srv/m/www.nict.go.jp/press/index.html"),
])
def test_mirror_url_mapping(real, mirror, expected):
    assert mirror_url(real, mirror) == expected


def test_real_url_round_trip():
    real = "https://www.nict.go.jp/press/2026/11/19-1.html"
    for base in ("http://127.0.0.1:9", "file:///srv/m"):
        assert real_url_from_mirror(mirror_url(real, base), base) == real
    assert real_url_from_mirror("https://elsewhere/x", "http://127.0.0.1:9") is None


def test_file_for_wget_layout_and_no_escape(tmp_path):
    (tmp_path / "h" / "a").mkdir(parents=True)
    (tmp_path / "h" / "a" / "index.html?page=2").write_text("p2")
    (tmp_path / "secret").write_text("x")
    assert file_for(tmp_path, "/h/a/?page=2").read_text() == "p2"
    assert file_for(tmp_path / "h", "/../secret") is None
    assert file_for(tmp_path, "/h/missing.html") is None


def test_server_serves_files_with_sidecar_headers_and_logs(tmp_path):
    (tmp_path / "h").mkdir()
    (tmp_path / "h" / "p.html").write_bytes("本文".encode("cp932"))
    (tmp_path / "h" / "p.html.headers").write_text("Content-Type: text/html; charset=EUC-JP\nETag: \"v1\"\n")
    log = []
    server = serve(tmp_path, log=log)
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        with urllib.request.urlopen(f"{base}/h/p.html") as response:
            assert response.headers["Content-Type"] == "text/html; charset=EUC-JP"
            assert response.headers["ETag"] == '"v1"'
            assert response.read() == "本文".encode("cp932")
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{base}/h/none.html")
        assert missing.value.code == 404
    finally:
        server.shutdown()
    assert [(e["path"], e["status"]) for e in log] == [("/h/p.html", 200), ("/h/none.html", 404)]
