"""The command line behaves the same everywhere: shared options on both sides of the command name,
--json on every listing, documented exit statuses, `article`, search syntax, the demo's clean-up."""

from __future__ import annotations

import json
import os
import re

import pytest
from click.testing import CliRunner

from conftest import DEMO_SITE, ROOT, run_newsdesk
from pipeline import store
from pipeline.cli import cli
from pipeline.cli.app import EXIT_CANNOT_RUN, EXIT_FAILED, EXIT_USAGE

NEWS = "https://scan.netsecurity.ne.jp/article/2026/11/{}.html"
PRIMARY = "https://www.toto-tech.ac.jp/news/2026/1118.html"
ARTICLES = [
    {"title": "東都工科大学に不正アクセス、個人情報流出の可能性", "published_at": "2026-11-18T08:15:00+09:00",
     "text": "東都工科大学は11月18日、不正アクセスを受けたと発表した。66,482件の個人情報が流出した可能性がある。"
             "詳しくは大学の発表を参照。"},
    {"title": "架空銀行でシステム障害", "published_at": "2026-11-17T10:00:00+09:00",
     "text": "架空銀行でシステム障害が発生した。ATMが3時間停止した。情報の流出はないという。"},
    {"title": "進捗率100%_達成の報告", "published_at": "2026-11-16T10:00:00+09:00",
     "text": "計画の進捗率100%_達成を報告した。攻撃は確認されていない。"},
    {"title": "ランサムウェア被害の報告", "published_at": "2026-11-15T10:00:00+09:00",
     "text": "病院がランサムウェアの被害を受けた。電子カルテが停止した。"},
]


@pytest.fixture
def db_file(tmp_path):
    path = tmp_path / "behaviour.db"
    db = store.open_db(path)
    for number, article in enumerate(ARTICLES, start=1):
        citations = [{"url": PRIMARY, "link_text": "大学の発表", "signals": ["official-domain"]}] if number == 1 else []
        store.save_article(db, {**article, "source": "scannetsecurity", "url": NEWS.format(number), "lang": "ja",
                                "lead": None, "body_status": "full"}, [], citations=citations)
    store.save_article(db, {"source": "primary", "url": PRIMARY, "title": "不正アクセスに関するお詫び", "lang": "ja",
                            "published_at": "2026-11-18T00:00:00+09:00", "lead": None, "body_status": "full",
                            "kind": "primary", "text": "本学のサーバが不正アクセスを受けました。66,482件が対象です。"},
                       [])
    db.close()
    return path


def invoke(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# --- shared options ---------------------------------------------------------------------------------

def test_db_works_before_and_after_the_command_name(db_file, tmp_path):
    before = invoke("--db", str(db_file), "search", "不正アクセス", "--json")
    after = invoke("search", "不正アクセス", "--json", "--db", str(db_file))
    assert before.exit_code == after.exit_code == 0
    assert json.loads(before.output) == json.loads(after.output) != []
    # after the command, it wins over the group's and the environment's value
    other = tmp_path / "missing.db"
    result = CliRunner().invoke(cli, ["--db", str(other), "search", "攻撃", "--db", str(db_file)],
                                env={store.ENV_VAR: str(other)})
    assert result.exit_code == 0, result.output


def test_sources_works_before_and_after_the_command_name(tmp_path):
    registry = tmp_path / "one.toml"
    registry.write_text((ROOT / "crawler" / "sources.toml").read_text(encoding="utf-8").split("[internet_watch]")[0],
                        encoding="utf-8")
    keys = {s["key"] for s in json.loads(invoke("sources", "--sources", str(registry), "--json").output)}
    assert keys == {s["key"] for s in json.loads(invoke("--sources", str(registry), "sources", "--json").output)}
    assert "internet_watch" not in keys and "nict" in keys


def test_every_command_help_shows_the_shared_options():
    for name in cli.load_all():
        result = invoke(name, "--help")
        assert "--db FILE" in result.output and "--sources FILE" in result.output, name


def test_crawl_takes_db_after_the_command_name_and_prints_json(tmp_path):
    db_file = tmp_path / "after.db"
    result = run_newsdesk("crawl", "nict", "--mirror", DEMO_SITE.as_uri(), "--since", "2000-01-01", "--json",
                          "--db", str(db_file), env={store.ENV_VAR: str(tmp_path / "elsewhere.db")})
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    [nict] = report["sources"]
    assert nict["source"] == "nict" and nict["status"] == "finished" and nict["articles_new"] >= 3
    assert store.open_db(db_file)["articles"].count == nict["articles_new"]
    assert not (tmp_path / "elsewhere.db").exists()


# --- --json everywhere --------------------------------------------------------------------------------

def test_every_listing_command_prints_one_json_document(db_file):
    drafted = json.loads(invoke("--db", str(db_file), "draft", "--json").output)
    assert drafted["drafted"] >= 1 and drafted["articles_grouped"] == len(ARTICLES) + 1
    candidates = json.loads(invoke("--db", str(db_file), "candidates", "--json").output)
    shown = json.loads(invoke("--db", str(db_file), "show", str(candidates[0]["id"]), "--json").output)
    assert shown["id"] == candidates[0]["id"] and shown["bullets"] == candidates[0]["bullets"]
    article = json.loads(invoke("--db", str(db_file), "article", "1", "--json").output)
    assert article["url"] == NEWS.format(1) and article["cites"][0]["url"] == PRIMARY
    found = json.loads(invoke("--db", str(db_file), "search", "流出", "--json").output)
    assert {row["id"] for row in found} == {1, 2}
    assert json.loads(invoke("--db", str(db_file), "reextract", "--json").output) == {"skipped": len(ARTICLES) + 1}
    assert {s["key"] for s in json.loads(invoke("sources", "--json").output)} >= {"nict", "msrc"}


# --- exit statuses --------------------------------------------------------------------------------------

def test_exit_statuses_are_documented_in_the_help_and_the_readme():
    text = invoke("--help").output
    for code in ("0  all fine", "1  bad input", "2  usage error", "3  could not run at all"):
        assert code in text
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"\| *`?3`? *\|[^\n]*could not run", readme)


def test_usage_errors_exit_2_and_bad_input_exits_1(db_file):
    assert CliRunner().invoke(cli, ["candidates", "--no-such-option"]).exit_code == EXIT_USAGE
    assert CliRunner().invoke(cli, ["no-such-command"]).exit_code == EXIT_USAGE
    assert CliRunner().invoke(cli, ["--db", str(db_file), "show", "999"]).exit_code == EXIT_FAILED


def test_a_file_that_is_not_a_database_exits_3_with_one_sentence(tmp_path):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(os.urandom(8192))
    result = run_newsdesk("candidates", db=garbage)
    assert result.returncode == EXIT_CANNOT_RUN
    assert "cannot be used" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_offline_run_ends_with_a_summary_and_exit_3(tmp_path):
    db_file = tmp_path / "offline.db"
    result = run_newsdesk("run", "--mirror", "http://127.0.0.1:9", db=db_file)  # every request is refused
    assert result.returncode == EXIT_CANNOT_RUN, result.stdout + result.stderr
    assert re.search(r"\d+ sources crawled, \d+ failed", result.stdout)
    assert result.stderr.strip().splitlines()[-1].startswith("Error: no source could be read")
    runs = list(store.open_db(db_file).query("SELECT DISTINCT status FROM crawl_runs"))
    assert runs == [{"status": "failed"}]
    as_json = run_newsdesk("run", "--mirror", "http://127.0.0.1:9", "--json", db=db_file)
    assert as_json.returncode == EXIT_CANNOT_RUN
    report = json.loads(as_json.stdout)  # one document: the crawl, then the draft
    assert report["status"] == EXIT_CANNOT_RUN and {s["status"] for s in report["sources"]} == {"failed"}
    assert report["draft"]["drafted"] == 0


def test_some_sources_failing_exits_1(tmp_path, mirror_server):
    registry = tmp_path / "two.toml"
    bundled = (ROOT / "crawler" / "sources.toml").read_text(encoding="utf-8")
    nict = bundled.split("[nict]")[1].split("[internet_watch]")[0]
    registry.write_text(f"[nict]{nict}\n[ghost]\nname = \"Ghost\"\nlang = \"ja\"\n"
                        "feeds = [\"https://ghost.example.jp/rss.xml\"]\n"
                        "article_pattern = '^https://ghost\\.example\\.jp/\\d+\\.html$'\n"
                        "allowed_domains = [\"ghost.example.jp\"]\n", encoding="utf-8")
    result = run_newsdesk("crawl", "--sources", str(registry), "--mirror", mirror_server.url, "--since",
                          "2000-01-01", db=tmp_path / "two.db")
    assert result.returncode == EXIT_FAILED, result.stdout + result.stderr
    assert "2 sources crawled, 1 failed: ghost" in result.stdout + result.stderr
    statuses = dict(store.open_db(tmp_path / "two.db").execute("SELECT source, status FROM crawl_runs").fetchall())
    assert statuses == {"nict": "finished", "ghost": "failed"}


# --- article and search ---------------------------------------------------------------------------------

def test_article_shows_one_stored_article_with_its_citations_and_story(db_file):
    invoke("--db", str(db_file), "draft")
    text = invoke("--db", str(db_file), "article", "1").output
    for expected in (ARTICLES[0]["title"], "scannetsecurity", NEWS.format(1), "body full", "66,482件",
                     "2026-11-18T08:15:00+09:00", f"cites:     {PRIMARY} (article 5)", "story:"):
        assert expected in text, expected
    assert "candidate" in text.split("story:")[1].splitlines()[0]
    primary = invoke("--db", str(db_file), "article", "5").output
    assert f"cited by:  article 1 {NEWS.format(1)}" in primary
    result = CliRunner().invoke(cli, ["--db", str(db_file), "article", "99"])
    assert result.exit_code == EXIT_FAILED and "there is no article 99" in result.output


def search_ids(db_file, *query: str) -> set[int]:
    result = invoke("--db", str(db_file), "search", *query, "--json")
    assert result.exit_code == 0, result.output
    return {row["id"] for row in json.loads(result.output)}


def test_search_words_are_all_of_quotes_are_phrases_and_or_is_or(db_file):
    assert search_ids(db_file, "不正アクセス 流出") == {1, 5} - {5}  # the primary page says 流出 nowhere
    assert search_ids(db_file, "流出") == {1, 2}
    assert search_ids(db_file, "不正アクセス") == {1, 5}
    assert search_ids(db_file, '"システム障害が発生"') == {2}
    assert search_ids(db_file, '"障害 発生"') == set()  # a phrase is matched as written
    assert search_ids(db_file, "ランサムウェア OR 障害") == {2, 4}
    assert search_ids(db_file, "流出 ATM OR カルテ") == {2}  # 流出 and (ATM or カルテ)


def test_search_matches_percent_and_underscore_literally(db_file):
    assert search_ids(db_file, "%") == {3}
    assert search_ids(db_file, "_") == {3}
    assert search_ids(db_file, "0%") == {3}


def test_search_lists_snippets_and_says_how_to_open_one(db_file):
    output = invoke("--db", str(db_file), "search", "ATM").output
    assert "ATMが3時間停止した" in output and "newsdesk article ID" in output
    [row] = json.loads(invoke("--db", str(db_file), "search", "ATM", "--json").output)
    assert "ATM" in row["snippet"] and len(row["snippet"]) <= 102


@pytest.mark.parametrize("query", ["", "   ", '""', "OR"])
def test_an_empty_search_is_a_usage_error(db_file, query):
    result = CliRunner().invoke(cli, ["--db", str(db_file), "search", query])
    assert result.exit_code == EXIT_USAGE and "empty" in result.output


# --- demo ---------------------------------------------------------------------------------------------------

def test_demo_removes_its_database_and_prints_paths_literally(tmp_path):
    odd = tmp_path / "[bold]tmp"
    odd.mkdir()
    result = run_newsdesk("demo", env={"TMPDIR": str(odd)})
    assert result.returncode == 0, result.stderr
    assert f"database {odd}/newsdesk-demo-" in result.stdout  # rich markup was not interpreted
    assert "Removed the demo database" in result.stdout
    assert list(odd.iterdir()) == []


@pytest.mark.parametrize("pair, message", [
    ("DOWNLOAD_TIMEOUT=abc", "DOWNLOAD_TIMEOUT takes a non-negative number"),
    ("DOWNLOAD_DELAY=-2", "DOWNLOAD_DELAY takes a non-negative number"),
    ("ROBOTSTXT_OBEY=maybe", "ROBOTSTXT_OBEY takes true or false"),
    ("download_timeout=5", "upper-case Scrapy setting name"),
])
def test_bad_set_values_are_refused_before_scrapy_starts(tmp_path, pair, message):
    result = run_newsdesk("crawl", "nict", "--mirror", DEMO_SITE.as_uri(), "--set", pair, db=tmp_path / "x.db")
    assert result.returncode == EXIT_FAILED and message in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "x.db").exists()


def listening_ports(pid: int) -> set[int]:
    """TCP ports a process listens on, from /proc (its socket inodes matched with /proc/net/tcp*)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if os.path.exists(table):
            for line in open(table).read().splitlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


@pytest.mark.skipif(not os.path.exists("/proc/net/tcp"), reason="needs Linux /proc to list listening sockets")
def test_a_crawl_opens_no_control_port(tmp_path):
    import socket
    import subprocess
    import sys
    import time

    silent = socket.socket()  # accepts connections and never answers: the crawl waits on it
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    mirror = f"http://127.0.0.1:{silent.getsockname()[1]}"
    env = {**os.environ, store.ENV_VAR: str(tmp_path / "ports.db")}
    crawl = subprocess.Popen([sys.executable, "-m", "pipeline", "crawl", "nict", "--mirror", mirror,
                              "--set", "DOWNLOAD_TIMEOUT=20"], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # wait until the crawl is connected, i.e. Scrapy is fully up
            try:
                connection, _ = silent.accept() if select_ready(silent) else (None, None)
            except OSError:
                connection = None
            if connection is not None:
                break
            assert crawl.poll() is None, "the crawl ended before it connected"
        time.sleep(1)
        assert listening_ports(crawl.pid) == set()
    finally:
        crawl.kill()
        crawl.wait()
        silent.close()


def select_ready(sock) -> bool:
    import select

    return bool(select.select([sock], [], [], 0.5)[0])


@pytest.mark.parametrize("args, message", [
    (["-a", "since=garbage"], "-a since='garbage': write the date as YYYY-MM-DD"),
    (["-s", "DOWNLOAD_TIMEOUT=abc"], "-s DOWNLOAD_TIMEOUT='abc': DOWNLOAD_TIMEOUT takes a non-negative number"),
])
def test_scrapy_crawl_checks_its_values_before_starting(tmp_path, args, message):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "nict", *args, "-s",
                             f"NEWSDESK_DB={tmp_path / 'scrapy.db'}"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "scrapy.db").exists()


def test_two_character_words_are_found_through_the_word_index(db_file):
    assert search_ids(db_file, "攻撃") == {3}
    assert search_ids(db_file, "障害") == {2}
    assert search_ids(db_file, "流出 障害") == {2}
    db = store.open_db(db_file)
    article = dict(db["articles"].get(4))
    store.save_article(db, {**article, "text": article["text"] + "犯行声明の漏洩はない。"}, [])
    db.close()
    assert search_ids(db_file, "漏洩") == {4}  # the word index follows a changed article
