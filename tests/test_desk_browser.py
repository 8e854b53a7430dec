"""The desk in a real browser: Debian's chromium driven by Playwright against `newsdesk serve`."""

from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import sqlite_utils

from conftest import ROOT, run_newsdesk

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "test-artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]

if CHROMIUM is None:
    pytest.skip("Debian's chromium is not installed (`make system` installs it as root on Debian)",
                allow_module_level=True)
playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    result = run_newsdesk("demo", "--keep", str(folder))
    assert result.returncode == 0, result.stderr
    return folder / "newsdesk.db"


@pytest.fixture
def db_file(demo_db, tmp_path):
    copy = tmp_path / "newsdesk.db"
    source, target = sqlite3.connect(demo_db), sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    return copy


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Desk:
    def __init__(self, db_file: Path, *options: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen([sys.executable, "-m", "pipeline", "serve", "--db", str(db_file),
                                         "--port", str(self.port), "--editor", "hanako", *options], cwd=ROOT,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.url + "/-/desk", timeout=2).close()
                return
            except OSError:
                assert self.process.poll() is None, self.process.stderr.read()
                assert time.monotonic() < deadline, "newsdesk serve did not answer"
                time.sleep(0.2)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def desk(db_file):
    server = Desk(db_file)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        except playwright_api.Error as exc:  # installed but unusable here (missing libraries, no /dev/shm…)
            pytest.skip(f"{CHROMIUM} could not be started by Playwright: {str(exc).splitlines()[0]}")
        yield chromium
        chromium.close()


def statuses(db_file) -> dict[int, str]:
    return dict(sqlite3.connect(db_file).execute("SELECT id, status FROM candidates").fetchall())


def queue_ids(page) -> list[int]:
    return [int(i) for i in page.locator("li.candidate").evaluate_all("items => items.map(li => li.dataset.id)")]


def test_triage_with_the_keyboard_edit_merge_undo_and_make_an_edition(desk, db_file, browser):
    page = browser.new_page()
    page.goto(desk.url + "/-/desk")
    first = queue_ids(page)
    assert len(first) == sum(1 for s in statuses(db_file).values() if s == "new") > 4
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "desk.png"), full_page=True)
    with page.expect_navigation():
        page.keyboard.press("p")                       # pick the first
    with page.expect_navigation():
        page.keyboard.press("r")                       # reject what is now first
    page.wait_for_selector("li.candidate.current")   # the desk's script has run: keys reach it
    page.keyboard.press("j")
    page.wait_for_selector(f"li.candidate.current[data-id='{first[3]}']")
    with page.expect_navigation():
        page.keyboard.press("p")                       # move down one, pick
    now = statuses(db_file)
    assert now[first[0]] == "picked" and now[first[1]] == "rejected" and now[first[3]] == "picked"
    with page.expect_navigation():
        page.keyboard.press("u")                       # undo the last pick
    assert statuses(db_file)[first[3]] == "new"
    # Edit a bullet on the candidate page (typing there never triggers the keys).
    page.goto(f"{desk.url}/-/desk/candidates/{first[0]}")
    bullets = page.locator("textarea[name=bullets]")
    text = bullets.input_value().splitlines()
    bullets.fill("\n".join(["編集者が書き直した一つ目の要点です。", *text[1:]]))
    with page.expect_navigation():
        page.locator("form.edit-form button").click()
    edited = sqlite_utils.Database(db_file)["candidates"].get(first[0])
    assert edited["edited"] == 1 and "編集者が書き直した一つ目の要点です。" in edited["bullets"]
    assert page.locator(".diff").count() == 1  # the page shows the machine draft it came from
    # Merge two stories from the queue.
    page.goto(desk.url + "/-/desk")
    keep, absorb = queue_ids(page)[:2]
    page.fill("form.merge input[name=absorb]", str(absorb))
    page.fill("form.merge input[name=keep]", str(keep))
    with page.expect_navigation():
        page.locator("form.merge button").click()
    db = sqlite_utils.Database(db_file)
    assert db["candidates"].get(absorb)["status"] == "rejected"
    assert db.execute("SELECT merged_into FROM stories WHERE id = ?", [db["candidates"].get(absorb)["story_id"]]
                      ).fetchone()[0] == db["candidates"].get(keep)["story_id"]
    # Make the edition and download it.
    page.goto(desk.url + "/-/desk/editions")
    with page.expect_navigation():
        page.locator("form.make-edition button").click()
    [edition] = db.query("SELECT * FROM editions")
    assert edition["editor"] == "hanako" and str(first[0]) in edition["candidate_ids"]
    with page.expect_download() as download:
        page.locator("a.download").first.click()
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    assert markdown == edition["markdown"] and "編集者が書き直した一つ目の要点です。" in markdown


HOSTILE_REGISTRY = """
[hostile]
name = "Hostile"
lang = "ja"
listings = ["https://hostile.example.jp/list.html"]
article_pattern = '^https://hostile\\.example\\.jp/a/\\d+\\.html$'
allowed_domains = ["hostile.example.jp"]

[hostile.extract]
title = "h1"
body = "article"
"""
HOSTILE_PAGE = """<html><head><title>x</title></head><body>
<h1>&lt;script&gt;alert(1)&lt;/script&gt;大学に不正アクセス&lt;img src=x onerror=alert(2)&gt;</h1>
<article><p>架空大学は11月18日、不正アクセスを受けたと発表した。&lt;svg onload=alert(3)&gt;</p>
<p>66,482件の個人情報が流出した可能性がある。&lt;b onmouseover=alert(4)&gt;太字&lt;/b&gt;</p>
<p>詳細は<a href="javascript:alert(5)">&lt;img src=y onerror=alert(6)&gt;こちら</a>。大学は警察に相談している。</p>
</article></body></html>"""


def test_hostile_content_shows_literally_and_nothing_runs(tmp_path, browser):
    site = tmp_path / "mirror" / "hostile.example.jp"
    (site / "a").mkdir(parents=True)
    (site / "list.html").write_text('<a href="/a/1.html">1</a>', encoding="utf-8")
    (site / "a" / "1.html").write_text(HOSTILE_PAGE, encoding="utf-8")
    registry = tmp_path / "hostile.toml"
    registry.write_text(HOSTILE_REGISTRY, encoding="utf-8")
    db_file = tmp_path / "hostile.db"
    crawled = run_newsdesk("run", "--sources", str(registry), "--mirror", (tmp_path / "mirror").as_uri(), db=db_file)
    assert crawled.returncode == 0, crawled.stderr
    db = sqlite_utils.Database(db_file)
    db.execute("UPDATE candidates SET primary_url = 'javascript:alert(7)'")  # as if a link slipped through
    db.conn.commit()
    server = Desk(db_file)
    try:
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for path in ("/-/desk", "/-/desk/candidates/1", "/newsdesk/articles", "/newsdesk/candidates/1"):
            page.goto(server.url + path)
            page.mouse.move(200, 200)
            page.keyboard.press("o")
            page.keyboard.press("O")
            injected = "img[onerror], img[src=x], img[src=y], svg[onload], b[onmouseover], [onclick], [onload]"
            assert page.locator(injected).count() == 0, path
            assert page.locator('a[href^="javascript:"]').count() == 0
        page.goto(server.url + "/-/desk")
        assert "<script>alert(1)</script>大学に不正アクセス" in page.locator("li.candidate").first.inner_text()
        page.goto(server.url + "/-/desk/candidates/1")
        assert "<svg onload=alert(3)>" in page.locator(".panel").inner_text()
        assert dialogs == []
    finally:
        server.stop()


def test_a_conflicting_write_is_refused_with_the_current_state(desk, db_file, browser):
    first, second = browser.new_context(), browser.new_context()
    a, b = first.new_page(), second.new_page()
    target = min(candidate for candidate, status in statuses(db_file).items() if status == "new")
    for page in (a, b):
        page.goto(f"{desk.url}/-/desk/candidates/{target}")
    with a.expect_navigation():
        a.locator("form.pick button").click()                 # editor A picks it
    b.fill("input[name=headline]", "古い画面からの見出し")
    with b.expect_navigation():
        b.locator("form.edit-form button").click()            # editor B still sees the old state
    assert "changed since you loaded it" in b.content()
    row = sqlite_utils.Database(db_file)["candidates"].get(target)
    assert row["status"] == "picked" and row["headline"] != "古い画面からの見出し"
    assert "picked" in b.locator("p.meta").inner_text()       # and B now sees the current state


def test_beyond_loopback_editors_sign_in_before_they_can_write(db_file, tmp_path, browser):
    from pipeline.desk.auth import hash_password

    editors = tmp_path / "editors.toml"
    editors.write_text(f'[editors]\nalice = "{hash_password("correct horse", iterations=1000)}"\n', encoding="utf-8")
    server = Desk(db_file, "--host", "0.0.0.0", "--editors", str(editors))
    try:
        page = browser.new_page()
        page.goto(server.url + "/-/desk")
        assert page.locator("button.pick").count() == 0 and "read-only" in page.locator("p.count").inner_text()
        page.goto(server.url + "/newsdesk/raw_pages")
        assert "Forbidden" in page.content() or page.locator("table.rows-and-columns").count() == 0
        page.goto(server.url + "/-/desk/login")
        page.fill("input[name=password]", "wrong")
        with page.expect_navigation():
            page.locator("form button").click()
        assert "wrong password" in page.content()
        page.fill("input[name=password]", "correct horse")
        with page.expect_navigation():
            page.locator("form button").click()
        target = queue_ids(page)[0]
        with page.expect_navigation():
            page.keyboard.press("p")
        [(status, editor)] = sqlite3.connect(db_file).execute(
            "SELECT c.status, h.editor FROM candidates c JOIN candidate_history h ON h.candidate_id = c.id "
            "WHERE c.id = ? ORDER BY h.id DESC LIMIT 1", [target]).fetchall()
        assert (status, editor) == ("picked", "alice")
    finally:
        server.stop()


def test_the_desk_keeps_working_while_a_draft_rebuilds_the_archive(desk, db_file, browser):
    page = browser.new_page()
    messages = []
    writers = [subprocess.Popen([sys.executable, "-m", "pipeline", "--db", str(db_file), "draft", "--rebuild"],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    acted = 0
    try:
        while any(writer.poll() is None for writer in writers) or acted < 6:
            page.goto(desk.url + "/-/desk")
            if not page.locator("li.candidate").count():
                break  # every candidate picked or rejected (a slow machine's rebuilds outlast the queue)
            with page.expect_navigation():
                page.keyboard.press("p" if acted % 2 else "r")
            messages += page.locator(".message-info, .message-warning, .message-error").all_inner_texts()
            acted += 1
    finally:
        errors = [writer.communicate(timeout=120)[1] for writer in writers]
    assert all(writer.returncode == 0 for writer in writers), errors
    assert acted >= 6 and not [m for m in messages if "locked" in m or "Error" in m], messages
    assert sum(1 for s in statuses(db_file).values() if s != "new") >= 6
