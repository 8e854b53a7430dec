"""Deploying to Scrapyd: scrapyd-deploy builds the egg, a local Scrapyd runs the nict spider against the
demo mirror through its JSON API, and the rows land in SQLite (issue 12)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
import sqlite_utils

from conftest import DEMO_SITE, ROOT

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.skipif(not (BIN / "scrapyd").exists() or not (BIN / "scrapyd-deploy").exists(),
                                reason="scrapyd and scrapyd-client are not installed (make install adds them)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def api(base: str, path: str, fields: list[tuple[str, str]] | None = None, egg: Path | None = None) -> dict:
    if egg is None:
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        request = urllib.request.Request(base + path, data=data)
    else:
        boundary = uuid.uuid4().hex
        body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                        for name, value in fields)
        body += (f'--{boundary}\r\nContent-Disposition: form-data; name="egg"; filename="newsdesk.egg"\r\n'
                 "Content-Type: application/octet-stream\r\n\r\n").encode() + egg.read_bytes()
        body += f"\r\n--{boundary}--\r\n".encode()
        request = urllib.request.Request(base + path, data=body,
                                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


@pytest.fixture
def scrapyd(tmp_path):
    port = free_port()
    home = tmp_path / "scrapyd"
    home.mkdir()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = {home}/eggs\nlogs_dir = {home}/logs\n"
        f"dbs_dir = {home}/dbs\nitems_dir =\nmax_proc = 1\npoll_interval = 0.5\n", encoding="utf-8")
    process = subprocess.Popen([str(BIN / "scrapyd")], cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while True:
        try:
            api(base, "daemonstatus.json")
            break
        except OSError:
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "scrapyd did not start"
            time.sleep(0.3)
    yield base, home
    process.terminate()
    process.wait(timeout=20)


def test_deploy_to_a_local_scrapyd_and_crawl_nict_there(scrapyd, tmp_path):
    base, home = scrapyd
    egg = tmp_path / "newsdesk.egg"
    built = subprocess.run([str(BIN / "scrapyd-deploy"), "--build-egg", str(egg)], cwd=ROOT, capture_output=True,
                           text=True, timeout=300)
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    assert built.returncode == 0 and egg.exists(), built.stderr
    added = api(base, "addversion.json", [("project", "newsdesk"), ("version", "1")], egg=egg)
    assert added["status"] == "ok", added
    assert "nict" in api(base, "listspiders.json?project=newsdesk")["spiders"]
    db_file = tmp_path / "scrapyd.db"
    job = api(base, "schedule.json", [
        ("project", "newsdesk"), ("spider", "nict"), ("since", "2000-01-01"),
        ("setting", f"NEWSDESK_DB={db_file}"), ("setting", f"NEWSDESK_MIRROR={DEMO_SITE.as_uri()}"),
        ("setting", "DOWNLOAD_DELAY=0"), ("setting", "AUTOTHROTTLE_ENABLED=False")])
    assert job["status"] == "ok", job
    deadline = time.monotonic() + 180
    while not any(j["id"] == job["jobid"] for j in api(base, "listjobs.json?project=newsdesk")["finished"]):
        assert time.monotonic() < deadline, "the Scrapyd job did not finish"
        time.sleep(0.5)
    db = sqlite_utils.Database(db_file)
    stored = {row["url"] for row in db.query("SELECT url FROM articles WHERE source = 'nict'")}
    press = DEMO_SITE / "www.nict.go.jp"
    expected = {"https://www.nict.go.jp/" + page.relative_to(press).as_posix()
                for page in (press / "press").rglob("*.html") if page.name != "index.html"}
    assert stored == expected, [log.read_text()[-2000:] for log in (home / "logs").rglob("*.log")]
    [run] = db.query("SELECT status FROM crawl_runs WHERE source = 'nict'")
    assert run["status"] == "finished"
