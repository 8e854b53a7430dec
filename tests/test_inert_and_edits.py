"""Hostile crawled text stays inert in the store, the terminal and the Markdown export; edits keep the
house format's limits; export says what happened and writes atomically (issue 8, points 6, 7, 13, 14, 15)."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from conftest import DEMO_SITE, run_newsdesk
from pipeline import store
from pipeline.cli import cli

HOSTILE = {"source": "scannetsecurity", "url": "https://scan.netsecurity.ne.jp/article/2026/11/18/9.html",
           "title": "\x1b[31m赤い\x1b[0m見出し\x1b[2J [こちら](javascript:alert(1))", "lang": "ja",
           "published_at": "2026-11-18T08:15:00+09:00", "lead": None, "body_status": "full",
           "text": "東都工科大学は11月18日、不正アクセスを発表した。\x1b[2J66,482件が流出した可能性がある。"
                   "![x](https://tracker.example/p.gif) を参照。*強調*された [こちら](javascript:alert(1)) の記述。"
                   "サーバは隔離された。"}


@pytest.fixture
def db_file(tmp_path):
    path = tmp_path / "hostile.db"
    db = store.open_db(path)
    store.save_article(db, HOSTILE, [])
    db.close()
    return path


def invoke(db_file, *args):
    return CliRunner().invoke(cli, ["--db", str(db_file), *args])


def test_no_stored_text_carries_control_characters(db_file):
    row = store.open_db(db_file).execute("SELECT title, text FROM articles").fetchone()
    assert "\x1b" not in row[0] + row[1]
    assert row[0].startswith("[31m赤い[0m見出し")  # only the escape byte went, the text is kept


def test_terminal_and_export_file_carry_no_escape_sequences(db_file, tmp_path):
    db = store.open_db(db_file)
    invoke(db_file, "draft")
    db.execute("UPDATE candidates SET headline = ?", ["\x1b[2J消す\x07見出し"])  # as if it slipped through
    db.conn.commit()
    shown = invoke(db_file, "show", "1").output
    invoke(db_file, "pick", "1")
    out = tmp_path / "issue.md"
    assert invoke(db_file, "export", "-o", str(out)).exit_code == 0
    for text in (shown, out.read_text(encoding="utf-8"), invoke(db_file, "export").output):
        assert "\x1b" not in text and "\x07" not in text and "消す見出し" in text


def test_markdown_syntax_in_crawled_text_renders_literally(db_file, tmp_path):
    invoke(db_file, "draft")
    db = store.open_db(db_file)
    bullets = json.loads(db.execute("SELECT bullets FROM candidates").fetchone()[0])
    bullets[0]["text"] = "![x](https://tracker.example/p.gif) と [こちら](javascript:alert(1)) と *強調*"
    db.execute("UPDATE candidates SET bullets = ?, primary_url = ?",
               [json.dumps(bullets, ensure_ascii=False), "javascript:alert(1)"])
    db.conn.commit()
    invoke(db_file, "pick", "1")
    markdown = invoke(db_file, "export").output
    assert not re.search(r"(?<!\\)\]\(", markdown) and not re.search(r"(?<!\\)!(?<!\\)\[", markdown)
    assert r"\!\[x\](https://tracker.example/p.gif)" in markdown and r"\[こちら\](javascript:alert(1))" in markdown
    assert r"\*強調\*" in markdown and r"\[31m" in markdown  # the headline's leftover is literal too
    lines = markdown.splitlines()
    assert "javascript:alert(1)" not in [line.strip() for line in lines]  # not offered as the primary link
    assert HOSTILE["url"] in lines  # the news link the software wrote stays a link


@pytest.mark.parametrize("args, message", [
    (["--headline", "  "], "the headline cannot be empty"),
    (["--bullet", ""], "bullet 1 is empty"),
    (["--bullet", "一です。", "--bullet", " "], "bullet 2 is empty"),
    ([arg for n in range(7) for arg in ("--bullet", f"{n}です。")], "a candidate has 1 to 6 bullets, not 7"),
])
def test_an_edit_that_breaks_the_house_format_is_refused(db_file, args, message):
    invoke(db_file, "draft")
    before = store.open_db(db_file).execute("SELECT headline, bullets, edited FROM candidates").fetchone()
    result = invoke(db_file, "edit", "1", *args)
    assert result.exit_code == 1 and f"edit refused: {message}" in result.output
    assert store.open_db(db_file).execute("SELECT headline, bullets, edited FROM candidates").fetchone() == before


def test_an_edit_outside_three_or_four_bullets_is_kept_with_a_warning(db_file):
    invoke(db_file, "draft")
    result = CliRunner().invoke(cli, ["--db", str(db_file), "edit", "1", "--bullet", "一つだけです。"])
    assert result.exit_code == 0 and "warning: the house format has 3-4 bullets" in result.output
    bullets = json.loads(store.open_db(db_file).execute("SELECT bullets FROM candidates").fetchone()[0])
    assert [b["text"] for b in bullets] == ["一つだけです。"]


def test_export_into_a_missing_folder_and_with_nothing_picked_is_one_sentence(db_file, tmp_path):
    invoke(db_file, "draft")
    nothing = invoke(db_file, "export")
    assert nothing.exit_code == 1 and "nothing to export: no candidate is picked" in nothing.output
    invoke(db_file, "pick", "1")
    missing = invoke(db_file, "export", "-o", str(tmp_path / "missing-dir" / "x.md"))
    assert missing.exit_code == 1 and "the folder" in missing.output and "does not exist" in missing.output
    assert "Traceback" not in missing.output and not (tmp_path / "missing-dir").exists()
    target = tmp_path / "issue.md"
    target.write_text("the previous issue", encoding="utf-8")
    assert invoke(db_file, "export", "-o", str(target)).exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("# セキュリティニュース")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".issue.md")] == []  # no temporary left


def test_the_crawl_summary_shows_skipped_articles(tmp_path):
    db_file = tmp_path / "skip.db"
    args = ("crawl", "nict", "--mirror", DEMO_SITE.as_uri(), "--since", "2000-01-01")
    assert run_newsdesk(*args, db=db_file).returncode == 0
    second = run_newsdesk(*args, db=db_file)
    report = json.loads(run_newsdesk(*args, "--json", db=db_file).stdout)
    skipped = report["sources"][0]["articles_skipped"]
    assert skipped >= 3  # known articles, not yet due for a revisit
    header = next(line for line in second.stdout.splitlines() if "skipped" in line)
    row = next(line for line in second.stdout.splitlines() if line.strip("│ ").startswith("nict"))
    cells = [cell.strip() for cell in re.split("[│┃]", row.strip("│┃ "))]
    names = [cell.strip() for cell in re.split("[│┃]", header.strip("│┃ "))]
    assert cells[names.index("skipped")] == str(skipped)
