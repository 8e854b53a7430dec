"""The MSRC source end to end: the CLI crawls the API mirror; rows are checked against the API files.

Expected figures are read from the mirrored JSON/XML here, with json and xml.etree, independently of
crawler.extract.cvrf. The spider's request sequencing (304s, OData paging, revisits) is tested on
hand-made responses at the end.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import pytest
import sqlite_utils
from scrapy.http import Request, Response, TextResponse

from conftest import DEMO_SITE, REAL_SAMPLES, ROOT, MirrorServer, run_newsdesk
from crawler.extract.msrc_release import release_from_stored
from crawler.items import ArticleItem, ArticleSeen, FetchFailure
from crawler.sources import load_sources
from crawler.spiderloader import spider_class
from pipeline import store

API = "api.msrc.microsoft.com"
UPDATES = f"{API}/cvrf/v3.0/updates"
NOTES = f"{API}/sug/v2.0/ja-JP/releaseNote"
DOCUMENTS = f"{API}/cvrf/v3.0/cvrf"
RELEASE_URL = "https://msrc.microsoft.com/update-guide/releaseNote/{}"
FEB_2020 = REAL_SAMPLES / "msrc" / "p0w3rsh3ll-MSRC-data" / "cvrfDocument-2020-Feb.xml"
VULN_NS = "{http://www.icasi.org/CVRF/schema/vuln/1.1}"
CVRF_NS = "{http://www.icasi.org/CVRF/schema/cvrf/1.1}"
SEVERITIES = ["Low", "Moderate", "Important", "Critical"]
JSON_THREAT_TYPES = {0: "Impact", 1: "Exploit Status", 3: "Severity"}


# --- independent reading of the API files --------------------------------------------------------------


def updates(site: Path) -> list[dict]:
    return json.loads((site / UPDATES).read_text(encoding="utf-8-sig"))["value"]


def release_notes(site: Path) -> dict[str, dict]:
    return {n["releaseNumber"]: n for n in json.loads((site / NOTES).read_text(encoding="utf-8"))["value"]}


def document_cves(path: Path) -> dict[str, dict]:
    """CVE -> highest severity, exploited, publicly disclosed: from the JSON or XML document."""
    body = path.read_bytes().removeprefix(b"\xef\xbb\xbf").lstrip()
    threats = json_threats(body) if body.startswith(b"{") else xml_threats(body)
    return {cve: summarise(pairs) for cve, pairs in threats.items()}


def json_threats(body: bytes) -> dict[str, list[tuple[str, str]]]:
    return {v["CVE"]: [(JSON_THREAT_TYPES.get(t["Type"], t["Type"]), t["Description"]["Value"])
                       for t in v.get("Threats") or []]
            for v in json.loads(body)["Vulnerability"]}


def xml_threats(body: bytes) -> dict[str, list[tuple[str, str]]]:
    root = ET.fromstring(body)
    return {v.findtext(VULN_NS + "CVE").strip(): [(t.get("Type"), (t.findtext(VULN_NS + "Description") or "").strip())
                                                   for t in v.iter(VULN_NS + "Threat")]
            for v in root.iter(VULN_NS + "Vulnerability")}


def summarise(threats: list[tuple[str, str]]) -> dict:
    severities = [text for kind, text in threats if kind == "Severity" and text in SEVERITIES]
    status = " ".join(text for kind, text in threats if kind == "Exploit Status")
    return {"severity": max(severities, key=SEVERITIES.index) if severities else None,
            "exploited": re.search(r"(?<!\w)Exploited:\s*Yes", status, re.I) is not None,
            "disclosed": re.search(r"Publicly Disclosed:\s*Yes", status, re.I) is not None}


def same_instant(a: str, b: str) -> bool:
    return datetime.fromisoformat(a.replace("Z", "+00:00")) == datetime.fromisoformat(b.replace("Z", "+00:00"))


def requested(server: MirrorServer, since: int = 0) -> list[str]:
    return [r["path"] for r in server.requests()[since:]]


def documents_requested(server: MirrorServer, since: int = 0) -> set[str]:
    return {path.rsplit("/", 1)[1] for path in requested(server, since) if path.startswith(f"/{DOCUMENTS}/")}


def crawl(server: MirrorServer, db_file: Path, since: str | None = "2026-01-01", sources: Path | None = None):
    registry = ["--sources", str(sources)] if sources else []
    window = ["--since", since] if since else []
    result = run_newsdesk(*registry, "crawl", "msrc", "--mirror", server.url, *window, db=db_file)
    assert result.returncode == 0, result.stderr
    return sqlite_utils.Database(db_file)


def registry_with(tmp_path: Path, **changes) -> Path:
    """The bundled registry's msrc entry, changed, as a registry file of its own."""
    with (ROOT / "crawler" / "sources.toml").open("rb") as bundled:
        entry = {**tomllib.load(bundled)["msrc"], **changes}
    options = entry.pop("options")
    lines = ["[msrc]", *(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in entry.items()),
             "[msrc.options]", *(f"{k} = {json.dumps(v)}" for k, v in options.items())]
    path = tmp_path / "sources.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def vulnerabilities(db, release_id: str) -> dict[str, dict]:
    return {r["cve"]: r for r in db.query("SELECT * FROM vulnerabilities WHERE release_id = ?", [release_id])}


@pytest.fixture
def site_copy(tmp_path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(DEMO_SITE / API, site / API)
    return site


@pytest.fixture
def server_for(tmp_path):
    servers = []

    def start(root: Path) -> MirrorServer:
        servers.append(MirrorServer(root, tmp_path / f"requests-{len(servers)}.jsonl"))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


# --- the demo mirror, crawled twice ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("msrc")
    server = MirrorServer(DEMO_SITE, tmp / "requests.jsonl")
    try:
        db = crawl(server, tmp / "newsdesk.db")
        first = server.requests()
        crawl(server, tmp / "newsdesk.db")
        second = server.requests()[len(first):]
    finally:
        server.stop()
    return {"db": db, "first": first, "second": second}


def test_every_release_is_one_release_article(demo_crawl):
    rows = list(demo_crawl["db"].query("SELECT * FROM articles"))
    source = load_sources()["msrc"]
    assert {r["url"] for r in rows} == {RELEASE_URL.format(e["ID"]) for e in updates(DEMO_SITE)}
    assert all(r["kind"] == "release" and r["source"] == "msrc" and source.is_article(r["url"]) for r in rows)
    assert all(r["body_status"] == "full" for r in rows)


def test_vulnerabilities_match_each_document(demo_crawl):
    db = demo_crawl["db"]
    for entry in updates(DEMO_SITE):
        expected = document_cves(DEMO_SITE / DOCUMENTS / entry["ID"])
        stored = vulnerabilities(db, entry["ID"])
        assert set(stored) == set(expected), entry["ID"]
        for cve, row in stored.items():
            want = expected[cve]
            assert (row["severity"], bool(row["exploited"]), bool(row["publicly_disclosed"])) == \
                (want["severity"], want["exploited"], want["disclosed"]), cve
        [article] = db.query("SELECT id FROM articles WHERE url = ?", [RELEASE_URL.format(entry["ID"])])
        assert {r["article_id"] for r in stored.values()} == {article["id"]}


def test_november_release_figures(demo_crawl):
    expected = document_cves(DEMO_SITE / DOCUMENTS / "2026-Nov")
    stored = vulnerabilities(demo_crawl["db"], "2026-Nov")
    critical = sum(v["severity"] == "Critical" for v in expected.values())
    exploited = {cve for cve, v in expected.items() if v["exploited"]}
    disclosed_only = {cve for cve, v in expected.items() if v["disclosed"] and not v["exploited"]}
    # The demo story (pipeline/demo_site/README.md, story 4) as read from the file itself.
    assert (critical, exploited, disclosed_only) == (5, {"CVE-2026-40001", "CVE-2026-40002"}, {"CVE-2026-40003"})
    assert sum(v["severity"] == "Critical" for v in stored.values()) == critical
    assert {cve for cve, v in stored.items() if v["exploited"]} == exploited
    assert {cve for cve, v in stored.items() if v["publicly_disclosed"] and not v["exploited"]} == disclosed_only
    row = stored["CVE-2026-40001"]
    assert json.loads(row["products"]) and all(k.isdigit() for k in json.loads(row["kb_numbers"]))


def test_article_fields_come_from_release_notes_and_update_list(demo_crawl):
    notes = release_notes(DEMO_SITE)
    for entry in updates(DEMO_SITE):
        [row] = demo_crawl["db"].query("SELECT * FROM articles WHERE url = ?", [RELEASE_URL.format(entry["ID"])])
        note = notes[entry["ID"]]
        assert row["title"] == note["title"] and row["lang"] == "ja"
        assert same_instant(row["published_at"], entry["InitialReleaseDate"])
        assert same_instant(row["modified_at"], entry["CurrentReleaseDate"])
        assert row["published_at"].endswith("+09:00")
        first_paragraph = re.sub(r"<[^>]+>", "", note["description"].split("</p>")[0])
        assert " ".join(first_paragraph.split()) in row["lead"] and row["text"].startswith(row["lead"])
        for cve, vuln in document_cves(DEMO_SITE / DOCUMENTS / entry["ID"]).items():
            [line] = [line for line in row["text"].splitlines() if line.startswith(cve + ":")]
            assert (vuln["severity"] in line) and (("exploited" in line) == vuln["exploited"])


def test_raw_documents_kept_with_context(demo_crawl):
    db = demo_crawl["db"]
    pages = {r["url"]: r for r in db.query("SELECT * FROM raw_pages")}
    assert set(pages) == {e["CvrfUrl"] for e in updates(DEMO_SITE)}
    for entry in updates(DEMO_SITE):
        context = json.loads(pages[entry["CvrfUrl"]]["context"])
        assert context["update"]["id"] == entry["ID"]
        assert context["release_note"]["release_number"] == entry["ID"]


def test_release_rebuilds_from_its_stored_response(demo_crawl):
    db = demo_crawl["db"]
    for article in db.query("SELECT * FROM articles"):
        [page] = store.raw_pages(db, article["id"])
        row, vulns, warnings = release_from_stored(page, load_sources()["msrc"].tzinfo)
        assert {k: article[k] for k in ("url", "title", "lead", "text", "published_at", "modified_at", "kind")} == \
            {k: row[k] for k in ("url", "title", "lead", "text", "published_at", "modified_at", "kind")}
        stored = db.query("SELECT cve FROM vulnerabilities WHERE article_id = ?", [article["id"]])
        assert {v["cve"] for v in vulns} == {r["cve"] for r in stored} and warnings == []


def test_notes_then_update_list_then_documents_asking_for_json(demo_crawl):
    paths = [r["path"] for r in demo_crawl["first"]]
    documents = [i for i, p in enumerate(paths) if p.startswith(f"/{DOCUMENTS}/")]
    assert len(documents) == len(updates(DEMO_SITE))
    assert paths.index(f"/{NOTES}") < paths.index(f"/{UPDATES}") < min(documents)
    assert all(demo_crawl["first"][i]["headers"].get("Accept") == "application/json" for i in documents)


def test_second_run_fetches_no_document_and_stores_no_version(demo_crawl):
    db = demo_crawl["db"]
    paths = [r["path"] for r in demo_crawl["second"]]
    assert f"/{UPDATES}" in paths and not any(p.startswith(f"/{DOCUMENTS}/") for p in paths)
    assert db["article_versions"].count == 0
    first, second = db.query("SELECT * FROM crawl_runs ORDER BY id")
    assert first["articles_new"] == len(updates(DEMO_SITE)) and first["errors"] == 0
    assert (second["status"], second["articles_new"], second["articles_changed"], second["errors"]) == \
        ("finished", 0, 0, 0)
    assert db.execute("SELECT count(*) FROM crawl_errors").fetchone()[0] == 0


# --- the window, revisions and failures --------------------------------------------------------------


def test_since_limits_the_releases_fetched(tmp_path, server_for):
    server = server_for(DEMO_SITE)
    db = crawl(server, tmp_path / "since.db", since="2026-10-01")
    in_window = {e["ID"] for e in updates(DEMO_SITE)
                 if max(e["InitialReleaseDate"], e["CurrentReleaseDate"]) >= "2026-10-01"}
    assert in_window == {"2026-Oct", "2026-Nov"}
    assert documents_requested(server) == in_window  # the Sep document was never requested
    assert {r["url"] for r in db.query("SELECT url FROM articles")} == {RELEASE_URL.format(i) for i in in_window}


def test_revised_release_is_fetched_again_and_versioned(tmp_path, site_copy, server_for):
    server = server_for(site_copy)
    db_file = tmp_path / "revised.db"
    crawl(server, db_file)
    revised_date, revised_title = revise(site_copy, "2026-Oct")
    before = len(server.requests())
    db = crawl(server, db_file)
    assert documents_requested(server, before) == {"2026-Oct"}
    [article] = db.query("SELECT * FROM articles WHERE url = ?", [RELEASE_URL.format("2026-Oct")])
    versions = list(db.query("SELECT * FROM article_versions"))
    assert [v["article_id"] for v in versions] == [article["id"]] and article["version"] == 2
    assert revised_title not in versions[0]["text"] and revised_title in article["text"]
    assert same_instant(article["modified_at"], revised_date)
    stored = vulnerabilities(db, "2026-Oct")
    assert set(stored) == set(document_cves(site_copy / DOCUMENTS / "2026-Oct"))
    assert db.execute("SELECT count(*) FROM vulnerabilities WHERE release_id = '2026-Oct'").fetchone()[0] == \
        len(stored)
    assert revised_title in {v["title"] for v in stored.values()}
    *_, last = db.query("SELECT * FROM crawl_runs ORDER BY id")
    assert (last["articles_changed"], last["articles_new"], last["errors"]) == (1, 0, 0)


def revise(site: Path, release_id: str) -> tuple[str, str]:
    """Move a release's CurrentReleaseDate on (update list and document) and retitle its first CVE."""
    revised_date = "2026-10-20T07:00:00Z"
    listing = json.loads((site / UPDATES).read_text(encoding="utf-8-sig"))
    [entry] = [e for e in listing["value"] if e["ID"] == release_id]
    entry["CurrentReleaseDate"] = revised_date
    (site / UPDATES).write_text(json.dumps(listing), encoding="utf-8")
    document = site / DOCUMENTS / release_id
    text = document.read_text(encoding="utf-8-sig")
    title = ET.fromstring(text.encode()).find(f"{VULN_NS}Vulnerability/{VULN_NS}Title").text
    revised_title = f"{title} (revised)"
    text = text.replace(f"<vuln:Title>{title}</vuln:Title>", f"<vuln:Title>{revised_title}</vuln:Title>", 1)
    text = re.sub(r"(<cvrf:CurrentReleaseDate>)[^<]*", rf"\g<1>{revised_date}", text)
    document.write_text(text, encoding="utf-8")
    return revised_date, revised_title


def test_broken_documents_are_recorded_and_the_run_goes_on(tmp_path, site_copy, server_for):
    sep, oct_ = site_copy / DOCUMENTS / "2026-Sep", site_copy / DOCUMENTS / "2026-Oct"
    original = sep.read_bytes()
    sep.write_bytes(original[: len(original) // 2])
    oct_.with_name("2026-Oct.headers").write_text("Status: 500\n")
    server = server_for(site_copy)
    db_file = tmp_path / "broken.db"
    registry = registry_with(tmp_path, history_days=36500)  # the demo releases stay in the default window
    db = crawl(server, db_file, sources=registry)
    cvrf_url = {e["ID"]: e["CvrfUrl"] for e in updates(site_copy)}
    errors = {(r["url"], r["reason"]) for r in db.query("SELECT * FROM crawl_errors")}
    assert errors == {(cvrf_url["2026-Sep"], "cvrf"), (cvrf_url["2026-Oct"], "http-500")}
    assert {r["url"] for r in db.query("SELECT url FROM articles")} == {RELEASE_URL.format("2026-Nov")}
    assert {r["release_id"] for r in db.query("SELECT DISTINCT release_id FROM vulnerabilities")} == {"2026-Nov"}
    [run] = db.query("SELECT * FROM crawl_runs")
    assert run["status"] == "finished" and run["errors"] == 2
    # Repaired: the next run, with the default window, fetches the two releases it could not store.
    sep.write_bytes(original)
    oct_.with_name("2026-Oct.headers").unlink()
    before = len(server.requests())
    db = crawl(server, db_file, since=None, sources=registry)
    assert documents_requested(server, before) == {"2026-Sep", "2026-Oct"}
    assert db["articles"].count == len(updates(site_copy))


def test_real_2020_feb_document(tmp_path, server_for):
    if not FEB_2020.exists():
        pytest.skip(f"sample not available: {FEB_2020}")
    site = tmp_path / "real"
    (site / DOCUMENTS).mkdir(parents=True)
    shutil.copy(FEB_2020, site / DOCUMENTS / "2020-Feb")
    shutil.copy(DEMO_SITE / API / "robots.txt", site / API / "robots.txt")
    (site / NOTES).parent.mkdir(parents=True)
    (site / NOTES).write_text('{"value": []}')
    root = ET.parse(FEB_2020).getroot()
    tracking = root.find(CVRF_NS + "DocumentTracking")
    entry = {"ID": "2020-Feb", "Alias": "2020-Feb", "DocumentTitle": root.findtext(CVRF_NS + "DocumentTitle"),
             "Severity": None, "InitialReleaseDate": tracking.findtext(CVRF_NS + "InitialReleaseDate"),
             "CurrentReleaseDate": tracking.findtext(CVRF_NS + "CurrentReleaseDate"),
             "CvrfUrl": "https://api.msrc.microsoft.com/cvrf/v3.0/cvrf/2020-Feb"}
    (site / UPDATES).write_text(json.dumps({"value": [entry]}))
    db = crawl(server_for(site), tmp_path / "real.db", since="2020-01-01")

    expected = document_cves(FEB_2020)
    assert len(vulnerabilities(db, "2020-Feb")) == len(expected)
    for where, wanted in [("severity = 'Critical'", lambda v: v["severity"] == "Critical"),
                          ("exploited = 1", lambda v: v["exploited"]),
                          ("publicly_disclosed = 1", lambda v: v["disclosed"])]:
        count = db.execute(f"SELECT count(*) FROM vulnerabilities WHERE {where}").fetchone()[0]
        assert count == sum(map(wanted, expected.values())), where
    [article] = db.query("SELECT * FROM articles")
    assert article["title"] == entry["DocumentTitle"].strip() and article["kind"] == "release"
    notes = {n.get("Title"): n.text for n in root.iter(CVRF_NS + "Note")}
    opening = " ".join(re.sub(r"<[^>]+>", " ", notes["Release Notes"]).split())[:60]
    assert article["lead"].startswith(opening) and notes["Legal Disclaimer"][:60] not in article["text"]
    assert db.execute("SELECT count(*) FROM crawl_errors").fetchone()[0] == 0


# --- request sequencing, on hand-made responses --------------------------------------------------------


NOTES_URL = f"https://{NOTES}"
UPDATES_URL = f"https://{UPDATES}"


def make_spider(known: dict | None = None, since: str | None = "2026-01-01"):
    spider = spider_class(load_sources()["msrc"])(since=since)
    spider.known = known or {}
    return spider


def respond(request: Request, body: bytes = b"", status: int = 200, content_type: str = "application/json"):
    if status == 304:
        return Response(request.url, status=304, request=request)
    return TextResponse(request.url, status=status, body=body, request=request,
                        headers={"Content-Type": content_type}, encoding="utf-8")


def demo_bytes(path: str) -> bytes:
    return (DEMO_SITE / path).read_bytes()


def call(callback, response) -> list:
    return list(callback(response, **response.request.cb_kwargs))


def read_lists(spider) -> tuple[Request, dict[str, Request]]:
    """Feed the demo release notes and update list: the update-list request and the document requests."""
    [listing] = call(spider.parse_notes, respond(next(iter(spider.start_requests())), demo_bytes(NOTES)))
    documents = call(spider.parse_update_list, respond(listing, demo_bytes(UPDATES)))
    return listing, {r.cb_kwargs["entry"].id: r for r in documents}


def test_requests_to_the_lists_are_conditional_and_304_means_nothing_to_do():
    spider = make_spider(since=None)
    [notes] = spider.start_requests()
    assert notes.url == NOTES_URL and notes.meta["newsdesk_conditional"] and 304 in notes.meta["handle_httpstatus_list"]
    [listing] = call(spider.parse_notes, respond(notes, status=304))
    assert listing.url == UPDATES_URL and listing.meta["newsdesk_conditional"]
    assert call(spider.parse_update_list, respond(listing, status=304)) == []


def test_notes_unchanged_but_a_release_to_store_reads_the_notes_again():
    spider = make_spider()
    [notes] = spider.start_requests()
    [listing] = call(spider.parse_notes, respond(notes, status=304))
    [again] = call(spider.parse_update_list, respond(listing, demo_bytes(UPDATES)))
    assert again.url == NOTES_URL and again.meta.get("newsdesk_conditional") is not True and again.dont_filter
    documents = call(spider.parse_notes, respond(again, demo_bytes(NOTES)))
    assert {d.cb_kwargs["entry"].id for d in documents} == {e["ID"] for e in updates(DEMO_SITE)}
    assert all(d.headers[b"Accept"] == b"application/json" for d in documents)
    [nov] = [d for d in documents if d.url.endswith("2026-Nov")]
    [item] = call(spider.parse_document, respond(nov, demo_bytes(f"{DOCUMENTS}/2026-Nov")))
    assert isinstance(item, ArticleItem) and item.article["title"] == release_notes(DEMO_SITE)["2026-Nov"]["title"]


def test_release_notes_pages_are_followed():
    spider = make_spider()
    [first] = spider.start_requests()
    all_notes = json.loads(demo_bytes(NOTES))
    page_one = {**all_notes, "value": all_notes["value"][:1], "@odata.nextLink": NOTES_URL + "?$skip=1"}
    [second] = call(spider.parse_notes, respond(first, json.dumps(page_one).encode()))
    assert second.url == NOTES_URL + "?$skip=1" and second.meta.get("newsdesk_conditional") is not True
    [listing] = call(spider.parse_notes, respond(second, json.dumps({"value": all_notes["value"][1:]}).encode()))
    assert listing.url == UPDATES_URL
    assert set(spider.notes) == set(release_notes(DEMO_SITE))


def test_known_release_is_fetched_only_when_its_date_moved():
    entries = updates(DEMO_SITE)
    known = {RELEASE_URL.format(e["ID"]): {"modified_at": e["CurrentReleaseDate"].replace("Z", "+00:00")}
             for e in entries}
    moved = entries[-1]
    known[RELEASE_URL.format(moved["ID"])]["modified_at"] = "2020-01-01T00:00:00+09:00"
    spider = make_spider(known)
    [listing] = call(spider.parse_notes, respond(next(iter(spider.start_requests())), demo_bytes(NOTES)))
    out = call(spider.parse_update_list, respond(listing, demo_bytes(UPDATES)))
    assert [r.cb_kwargs["entry"].id for r in out if isinstance(r, Request)] == [moved["ID"]]
    assert {s.url for s in out if isinstance(s, ArticleSeen)} == \
        {RELEASE_URL.format(e["ID"]) for e in entries if e is not moved}


def test_release_revised_after_since_is_in_the_window():
    entry = {"ID": "2026-Jan", "InitialReleaseDate": "2026-01-13T08:00:00Z",
             "CurrentReleaseDate": "2026-11-02T08:00:00Z", "CvrfUrl": f"https://{DOCUMENTS}/2026-Jan"}
    spider = make_spider(since="2026-11-01")
    listing = Request(UPDATES_URL)
    out = call(spider.parse_update_list, respond(listing, json.dumps({"value": [entry]}).encode()))
    assert [r.url for r in out] == [entry["CvrfUrl"]]
    spider = make_spider(since="2026-11-03")
    assert call(spider.parse_update_list, respond(listing, json.dumps({"value": [entry]}).encode())) == []


def test_document_failures_become_failure_items():
    spider = make_spider()
    listing, documents = read_lists(spider)
    [bad_json] = call(spider.parse_document, respond(documents["2026-Nov"], b'{"DocumentTitle": '))
    [wrong_id] = call(spider.parse_document, respond(documents["2026-Sep"], demo_bytes(f"{DOCUMENTS}/2026-Nov")))
    maintenance = respond(listing, b"<html>maintenance</html>", content_type="text/html")
    [broken_list] = call(spider.parse_update_list, maintenance)
    for failure, url in [(bad_json, documents["2026-Nov"].url), (wrong_id, documents["2026-Sep"].url),
                         (broken_list, UPDATES_URL)]:
        assert isinstance(failure, FetchFailure) and (failure.url, failure.reason) == (url, "cvrf")


def test_duplicate_cve_entries_keep_one_row_and_warn():
    spider = make_spider()
    _, documents = read_lists(spider)
    data = json.loads(demo_bytes(f"{DOCUMENTS}/2026-Nov"))
    data["Vulnerability"].append(data["Vulnerability"][0])
    [item] = call(spider.parse_document, respond(documents["2026-Nov"], json.dumps(data).encode()))
    cves = [v["cve"] for v in item.vulnerabilities]
    assert len(cves) == len(set(cves)) == len(data["Vulnerability"]) - 1
    assert any(data["Vulnerability"][0]["CVE"] in w for w in item.warnings)
