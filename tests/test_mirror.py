import gzip
import http.client
import time
import urllib.error
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


def _get(url: str):
    """(status, headers, body) of a GET, HTTP errors included."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture
def faulty_server(tmp_path):
    """serve() over tmp_path/h; yields (write(name, body, sidecar), base URL, log)."""
    (tmp_path / "h").mkdir()

    def write(name: str, body: bytes, sidecar: str) -> None:
        (tmp_path / "h" / name).write_bytes(body)
        (tmp_path / "h" / f"{name}.headers").write_text(sidecar)

    log = []
    server = serve(tmp_path, log=log)
    yield write, f"http://127.0.0.1:{server.server_address[1]}/h", log
    server.shutdown()
    server.server_close()


def test_fail_times_fails_first_requests_then_serves_200(faulty_server):
    write, base, log = faulty_server
    write("p.html", b"<p>ok</p>", "Status: 429\nRetry-After: 1\nX-Mirror-Fail-Times: 2\n")
    write("q.html", b"<p>q</p>", "X-Mirror-Fail-Times: 1\n")
    answers = [_get(f"{base}/p.html") for _ in range(3)]
    assert [status for status, _, _ in answers] == [429, 429, 200]
    assert answers[0][1]["Retry-After"] == "1" and answers[2][2] == b"<p>ok</p>"
    assert all("X-Mirror-Fail-Times" not in headers for _, headers, _ in answers)
    assert [_get(f"{base}/q.html")[0] for _ in range(2)] == [503, 200]  # 503 when the sidecar sets no Status
    assert [e["status"] for e in log] == [429, 429, 200, 503, 200]


def test_delay_sleeps_before_answering(faulty_server):
    write, base, log = faulty_server
    write("slow.html", b"late", "X-Mirror-Delay: 0.5\n")
    started = time.monotonic()
    status, headers, body = _get(f"{base}/slow.html")
    assert (status, body) == (200, b"late") and time.monotonic() - started >= 0.5
    assert "X-Mirror-Delay" not in headers
    with pytest.raises(OSError):  # urllib's URLError or socket.timeout, as a client's timeout sees it
        urllib.request.urlopen(f"{base}/slow.html", timeout=0.1)


def test_reset_closes_the_connection_without_an_answer(faulty_server):
    write, base, log = faulty_server
    write("reset.html", b"never sent", "X-Mirror-Reset: 1\n")
    with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected, urllib.error.URLError)):
        urllib.request.urlopen(f"{base}/reset.html", timeout=10)
    assert [(e["path"], e["status"]) for e in log] == [("/h/reset.html", "reset")]


def test_truncate_promises_the_whole_body_and_sends_part(faulty_server):
    write, base, _ = faulty_server
    write("cut.html", b"x" * 1000, "X-Mirror-Truncate: 100\n")
    with pytest.raises(http.client.IncompleteRead) as cut:
        urllib.request.urlopen(f"{base}/cut.html", timeout=10).read()
    assert len(cut.value.partial) == 100 and cut.value.expected == 900


def test_precompressed_body_is_served_as_is(faulty_server):
    write, base, _ = faulty_server
    compressed = gzip.compress(b"<p>" + b" " * 100_000 + b"</p>")
    write("bomb.html", compressed, "Content-Type: text/html\nContent-Encoding: gzip\n")
    status, headers, body = _get(f"{base}/bomb.html")
    assert (status, headers["Content-Encoding"], body) == (200, "gzip", compressed)
    assert headers["Content-Length"] == str(len(compressed))


def test_redirect_from_sidecar(faulty_server):
    write, base, _ = faulty_server
    write("a.html", b"", "Status: 302\nLocation: b.html\n")
    write("b.html", b"", "Status: 301\nLocation: a.html\n")
    request = urllib.request.Request(f"{base}/a.html")
    opener = urllib.request.build_opener(urllib.request.HTTPRedirectHandler())
    with pytest.raises(urllib.error.HTTPError) as loop:
        opener.open(request, timeout=10)
    assert "redirect" in str(loop.value).lower()  # urllib gives up on the loop, as any client must
