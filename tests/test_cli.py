"""The CLI: commands over a crawled database, clear errors, help with examples, README coverage."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import ROOT, run_newsdesk
from pipeline import store
from pipeline.cli import cli
from pipeline.store.history import history

ARTICLE = {"source": "scannetsecurity", "url": "https://scan.netsecurity.ne.jp/article/2026/11/18/1.html",
           "title": "大学に不正アクセス <script>alert(1)</script>", "published_at": "2026-11-18T08:15:00+09:00",
           "lead": "東都工科大学は11月18日、不正アクセスを発表した。", "lang": "ja", "body_status": "full",
           "text": "東都工科大学は11月18日、不正アクセスを発表した。66,482件が流出した可能性がある。"
                   "サーバは隔離された。調査は続いている。"}


@pytest.fixture
def db_file(tmp_path):
    path = tmp_path / "cli.db"
    db = store.open_db(path)
    store.save_article(db, ARTICLE, [])
    store.save_article(db, {**ARTICLE, "url": ARTICLE["url"].replace("1.html", "2.html"), "title": "二本目",
                            "lead": None, "text": "量子暗号の実証実験に成功した。伝送距離は約400kmである。"
                                                  "研究所は今後も開発を続けるとしている。"}, [])
    db.close()
    return path


def invoke(db_file, *args):
    return CliRunner().invoke(cli, ["--db", str(db_file), *args], catch_exceptions=False)


def test_draft_list_pick_reject_export(db_file, tmp_path):
    assert "2 candidates drafted" in invoke(db_file, "draft").output
    assert "0 candidates drafted" in invoke(db_file, "draft").output  # drafting twice adds nothing
    listed = json.loads(invoke(db_file, "candidates", "--json").output)
    assert {c["status"] for c in listed} == {"new"} and len(listed) == 2
    assert listed[0]["score"] >= listed[1]["score"]  # ranked
    first = next(c for c in listed if c["news_url"] == ARTICLE["url"])
    assert 3 <= len(first["bullets"]) <= 4
    assert all(b["article_id"] == 1 and b["source_sentence"] for b in first["bullets"])
    assert any("66,482件" in b["text"] for b in first["bullets"])
    assert invoke(db_file, "pick", str(first["id"])).exit_code == 0
    other = next(c for c in listed if c["id"] != first["id"])
    assert invoke(db_file, "reject", str(other["id"])).exit_code == 0
    picked = json.loads(invoke(db_file, "candidates", "--status", "picked", "--json").output)
    assert [c["id"] for c in picked] == [first["id"]]
    out = tmp_path / "issue.md"
    assert invoke(db_file, "export", "-o", str(out)).exit_code == 0
    markdown = out.read_text(encoding="utf-8")
    assert markdown.count("## ●") == 1 and "二本目" not in markdown
    assert "### このニュースをザックリ言うと…" in markdown and "### 所感" in markdown
    assert ARTICLE["url"] in markdown and "66,482件" in markdown
    assert "<script>" not in markdown and "&lt;script>" in markdown  # crawled text stays inert


def test_edit_is_never_overwritten_and_history_is_kept(db_file):
    invoke(db_file, "draft")
    bullets = ["一です。", "二です。", "三です。"]
    options = [a for b in bullets for a in ("--bullet", b)]
    result = invoke(db_file, "edit", "1", "--headline", "編集した見出し", *options)
    assert result.exit_code == 0
    db = store.open_db(db_file)
    article = dict(db["articles"].get(1))
    store.save_article(db, {**article, "text": article["text"] + "新たに判明した事実がある。"}, [])
    db.close()
    assert "1 edited candidates flagged" in invoke(db_file, "draft").output
    [edited] = [c for c in json.loads(invoke(db_file, "candidates", "--json").output) if c["id"] == 1]
    assert edited["headline"] == "編集した見出し" and [b["text"] for b in edited["bullets"]] == bullets
    assert edited["edited"] == 1 and edited["needs_review"] == 1
    actions = [(h["actor"], h["action"]) for h in history(store.open_db(db_file), 1)]
    assert actions == [("software", "drafted"), ("editor", "edited"), ("software", "flagged")]


def test_show_prints_house_format(db_file):
    invoke(db_file, "draft")
    result = invoke(db_file, "show", "1")
    assert result.output.startswith("## ●") and "66,482件" in result.output
    assert "<!-- score" in result.output and "bullet 1 from article 1" in result.output


def test_candidates_table_escapes_markup(db_file):
    invoke(db_file, "draft")
    db = store.open_db(db_file)
    db["candidates"].update(1, {"headline": "[bold red]偽装[/bold red] 見出し"})
    db.close()
    assert "[bold red]偽装[/bold red]" in invoke(db_file, "candidates").output


@pytest.mark.parametrize("args, message", [
    (["show", "99"], "there is no candidate 99"),
    (["pick", "99"], "there is no candidate 99"),
    (["crawl", "nosuchsource"], "unknown source nosuchsource"),
    (["crawl", "--mirror", "ftp://x"], "--mirror must be"),
    (["crawl", "--mirror", "http://"], "the URL names no host"),
    (["crawl", "--mirror", "file:///no/such/folder"], "the folder /no/such/folder does not exist"),
    (["reextract", "--source", "nope"], "unknown source nope"),
])
def test_bad_input_is_one_clear_sentence(db_file, args, message):
    result = CliRunner().invoke(cli, ["--db", str(db_file), *args])
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output


def test_missing_database_is_a_clear_error(tmp_path):
    result = run_newsdesk("candidates", db=tmp_path / "none.db")
    assert result.returncode == 1
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr


def test_broken_registry_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[x]\nname = 1\n")
    result = CliRunner().invoke(cli, ["--sources", str(bad), "sources"])
    assert result.exit_code == 1 and "source 'x', field 'name'" in result.output


def test_sources_json_lists_registry():
    rows = json.loads(CliRunner().invoke(cli, ["sources", "--json"]).output)
    assert {"scannetsecurity", "nict"} <= {r["key"] for r in rows}


def test_every_command_has_an_example_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in cli.load_all().items():
        assert "Example:" in (command.help or ""), f"{name} help has no example"
        assert re.search(rf"newsdesk (\S+ )*{name}\b", readme), f"README does not show 'newsdesk {name}'"


def test_each_command_is_listed_under_the_module_that_defines_it():
    from pipeline.cli.app import MODULE_OF

    commands = cli.load_all()
    assert set(commands) == set(MODULE_OF)  # a command missing from COMMAND_MODULES would never load
    for name, command in commands.items():
        assert command.callback.__module__ == f"pipeline.cli.{MODULE_OF[name]}", name


def test_the_registry_variable_is_the_crawlers():
    from crawler.sources import ENV_VAR
    from pipeline.cli.app import SOURCES_ENV

    assert SOURCES_ENV == ENV_VAR


def test_search_json_imports_neither_sqlite_utils_rich_nor_the_other_commands(tmp_path):
    db_file = tmp_path / "news.db"
    store.open_db(db_file).conn.close()
    probe = ("import sys; from pipeline.cli import main; sys.argv = ['newsdesk', '--db', sys.argv[1], 'search', "
             "'x', '--json']\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlite_utils', 'numpy', 'datasette', 'rich', "
             "'scrapy') or m.startswith(('pipeline.cli.', 'pipeline.desk', 'pipeline.stories'))))")
    result = subprocess.run([sys.executable, "-c", probe, str(db_file)], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    loaded = result.stdout.strip().splitlines()[-1]
    assert loaded == "['pipeline.cli.app', 'pipeline.cli.archive', 'pipeline.cli.output']"


def test_scrapy_list_shows_the_registry_spiders():
    result = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert {"scannetsecurity", "nict"} <= set(result.stdout.split())
