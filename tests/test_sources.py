from pathlib import Path

import pytest

from crawler.sources import RegistryError, load_sources

GOOD = """
[demo]
name = "Demo"
lang = "ja"
feeds = ["https://example.jp/feed.rdf"]
article_pattern = '^https://example\\.jp/a/\\d+\\.html$'
allowed_domains = ["example.jp"]

[demo.extract]
title = "h1"
drop = ["aside"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_registry_loads_both_first_sources():
    sources = load_sources()
    assert {"scannetsecurity", "nict"} <= set(sources)
    scan = sources["scannetsecurity"]
    assert scan.is_article("https://scan.netsecurity.ne.jp/article/2019/03/05/42049.html")
    assert not scan.is_article("https://scan.netsecurity.ne.jp/article/img/2019/03/05/42049/1.html")
    assert scan.extract.body == "article.arti-body"
    assert sources["nict"].is_article("https://www.nict.go.jp/press/2026/11/19-1.html")
    assert not sources["nict"].is_article("https://www.nict.go.jp/press/2026/")


def test_custom_registry_replaces_bundled_one(tmp_path):
    sources = load_sources(write(tmp_path, GOOD))
    assert list(sources) == ["demo"]
    assert sources["demo"].extract.drop == ("aside",)
    assert sources["demo"].tzinfo.utcoffset(None).total_seconds() == 9 * 3600


def test_environment_variable_selects_registry(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSDESK_SOURCES", str(write(tmp_path, GOOD)))
    assert list(load_sources()) == ["demo"]


@pytest.mark.parametrize("change, field", [
    (('lang = "ja"', 'lang = 3'), "lang"),
    (("article_pattern = '^https", "article_pattern = '(^https"), "article_pattern"),
    (('allowed_domains = ["example.jp"]', ""), "allowed_domains"),
    (('title = "h1"', 'colour = "h1"'), "extract.colour"),
    (('name = "Demo"', 'name = "Demo"\nspeed = 3'), "speed"),
    (('feeds = ["https://example.jp/feed.rdf"]', 'feeds = ["ftp://example.jp/feed"]'), "feeds"),
])
def test_invalid_entry_names_source_and_field(tmp_path, change, field):
    old, new = change
    with pytest.raises(RegistryError) as error:
        load_sources(write(tmp_path, GOOD.replace(old, new)))
    assert "'demo'" in str(error.value)
    assert field in str(error.value)


def test_missing_registry_file_is_a_clear_error(tmp_path):
    with pytest.raises(RegistryError, match="does not exist"):
        load_sources(tmp_path / "nope.toml")


@pytest.mark.parametrize("line, field, message", [
    ("history_days = inf", "history_days", "must be a number from 0 to"),
    ("history_days = nan", "history_days", "must be a number from 0 to"),
    ("history_days = 100000000000", "history_days", "must be a number from 0 to"),
    ("revisit_hours = inf", "revisit_hours", "must be a number from 0 to"),
    ("max_listing_pages = -1", "max_listing_pages", "must be a number from 0 to"),
    ('spider = "nosuch"', "spider", "no spider module crawler/spiders/nosuch.py"),
    ('spider = "../etc"', "spider", "no spider module"),
    ('timezone = "+99:99"', "timezone", "at most ±14:00"),
    ('timezone = "+09:75"', "timezone", "at most ±14:00"),
    ('name = " "', "name", "cannot be empty"),
    ('lang = "japanese"', "lang", "two-letter language code"),
])
def test_values_that_would_break_the_crawl_are_refused_at_load(tmp_path, line, field, message):
    field_name = line.split(" =")[0]
    text = "\n".join(row for row in GOOD.splitlines() if not row.startswith(f"{field_name} ="))
    text = text.replace('feeds = ', f'{line}\nfeeds = ', 1)
    with pytest.raises(RegistryError) as error:
        load_sources(write(tmp_path, text))
    assert f"source 'demo', field '{field}'" in str(error.value) and message in str(error.value)


@pytest.mark.parametrize("rule, field", [
    ('title = "h1[[["', "extract.title"),
    ('published = "time..date@datetime"', "extract.published"),
    ('drop = ["aside", "div:nth-child("]', "extract.drop"),
    ("title_strip = ['(unclosed']", "extract.title_strip"),
])
def test_rules_that_do_not_compile_are_refused_at_load(tmp_path, rule, field):
    text = GOOD.replace('title = "h1"\ndrop = ["aside"]\n', rule + "\n")
    with pytest.raises(RegistryError) as error:
        load_sources(write(tmp_path, text))
    assert f"source 'demo', field '{field}'" in str(error.value) and "not a valid" in str(error.value)


def test_the_key_primary_is_reserved(tmp_path):
    with pytest.raises(RegistryError, match="field 'key': 'primary' is reserved"):
        load_sources(write(tmp_path, GOOD.replace("[demo]", "[primary]").replace("[demo.extract]",
                                                                                  "[primary.extract]")))


def test_attribute_rules_and_the_msrc_spider_still_load(tmp_path):
    text = GOOD.replace('title = "h1"', 'title = "h1"\npublished = \'meta[property="a:b"]@content\'')
    assert load_sources(write(tmp_path, text))["demo"].extract.published == 'meta[property="a:b"]@content'
    assert load_sources()["msrc"].spider == "msrc"


@pytest.mark.parametrize("domains", ["[]", '["https://example.jp/"]', '["example"]'])
def test_allowed_domains_must_name_hosts(tmp_path, domains):
    with pytest.raises(RegistryError, match="field 'allowed_domains': list the site's host names"):
        load_sources(write(tmp_path, GOOD.replace('allowed_domains = ["example.jp"]', f"allowed_domains = {domains}")))
