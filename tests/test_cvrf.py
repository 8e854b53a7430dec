"""Tests for crawler.extract.cvrf: MSRC CVRF update list, CVRF documents (XML/JSON), SUG release notes."""

from __future__ import annotations

import copy
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from crawler.extract.cvrf import (
    CvrfError,
    CvrfRelease,
    ReleaseNote,
    UpdateEntry,
    Vulnerability,
    detect_format,
    html_to_text,
    odata_next_link,
    parse_cvrf,
    parse_release_notes,
    parse_updates,
)

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "msrc"
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "real-samples" / "msrc"
FEB_2020 = SAMPLES / "p0w3rsh3ll-MSRC-data" / "cvrfDocument-2020-Feb.xml"
VULS = SAMPLES / "vuls-data-update" / "pkg" / "fetch" / "microsoft" / "cvrf" / "testdata" / "fixtures" / "happy"
DEMO = REPO / "pipeline" / "demo_site" / "api.msrc.microsoft.com"

BOM = b"\xef\xbb\xbf"
VULN = "{http://www.icasi.org/CVRF/schema/vuln/1.1}"
PROD = "{http://www.icasi.org/CVRF/schema/prod/1.1}"
CVRF = "{http://www.icasi.org/CVRF/schema/cvrf/1.1}"
SEVERITY_ORDER = ["Low", "Moderate", "Important", "Critical"]


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"sample not available: {path}")
    return path


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# --- independent reading of a CVRF XML file with xml.etree (does not use the module) -----------------


def expected_from_xml(path: Path) -> dict:
    root = ET.parse(path).getroot()
    names = {el.get("ProductID"): " ".join(el.text.split()) for el in root.iter(PROD + "FullProductName")}
    vulns = {}
    for v in root.findall(VULN + "Vulnerability"):
        threats = [(t.get("Type"), " ".join((t.findtext(VULN + "Description") or "").split()))
                   for t in v.iter(VULN + "Threat")]
        severities = [d for kind, d in threats if kind == "Severity"]
        status = ";".join(d for kind, d in threats if kind == "Exploit Status")
        affected = [p.text.strip() for s in v.iter(VULN + "Status") if s.get("Type") == "Known Affected"
                    for p in s.findall(VULN + "ProductID")]
        fixes = [(r.findtext(VULN + "Description") or "").strip() for r in v.iter(VULN + "Remediation")
                 if r.get("Type") == "Vendor Fix"]
        scores = [float(s.text) for s in v.iter(VULN + "BaseScore")]
        vulns[v.findtext(VULN + "CVE").strip()] = {
            "severity": max(severities, key=SEVERITY_ORDER.index) if severities else None,
            "exploited": "Exploited:Yes" in status,
            "disclosed": "Publicly Disclosed:Yes" in status,
            "products": sorted({names[p] for p in affected}),
            "kbs": sorted({d for d in fixes if d.isdigit()}, key=int),
            "cvss": max(scores) if scores else None,
        }
    tracking = root.find(CVRF + "DocumentTracking")
    return {
        "id": tracking.find(CVRF + "Identification").findtext(CVRF + "ID").strip(),
        "title": root.findtext(CVRF + "DocumentTitle").strip(),
        "products": len(names),
        "vulns": vulns,
    }


def assert_matches_expected(release: CvrfRelease, expected: dict) -> None:
    vulns = expected["vulns"]
    assert release.id == expected["id"]
    assert release.title == expected["title"]
    assert len(release.products) == expected["products"]
    assert [v.cve for v in release.vulnerabilities] == list(vulns)
    assert Counter(v.severity for v in release.vulnerabilities) == Counter(e["severity"] for e in vulns.values())
    assert sum(v.exploited for v in release.vulnerabilities) == sum(e["exploited"] for e in vulns.values())
    assert sum(v.publicly_disclosed for v in release.vulnerabilities) == sum(
        e["disclosed"] for e in vulns.values())
    for v in release.vulnerabilities:
        e = vulns[v.cve]
        assert (v.severity, v.exploited, v.publicly_disclosed) == (e["severity"], e["exploited"], e["disclosed"])
        assert v.products == e["products"], v.cve
        assert v.kb_numbers == e["kbs"], v.cve
        assert v.cvss_base_score == e["cvss"], v.cve


# --- real documents -----------------------------------------------------------------------------------


def test_real_2020_feb_document_matches_independent_reading():
    path = need(FEB_2020)
    body = path.read_bytes()
    assert body.startswith(BOM)
    release = parse_cvrf(body)
    expected = expected_from_xml(path)
    assert_matches_expected(release, expected)
    assert release.initial_release_date == "2020-02-11T08:00:00+00:00"
    assert release.revision is not None and release.revision.isdigit()
    assert [title for title, _ in release.notes][:1] == ["Release Notes"]
    assert all(v.title and v.impact for v in release.vulnerabilities)


@pytest.mark.parametrize("cve", ["CVE-2020-0618", "first-exploited"])
def test_real_2020_feb_known_cve(cve):
    path = need(FEB_2020)
    expected = expected_from_xml(path)["vulns"]
    if cve == "first-exploited":
        cve = next(c for c, e in expected.items() if e["exploited"])
    vuln = {v.cve: v for v in parse_cvrf(path.read_bytes()).vulnerabilities}[cve]
    assert len(vuln.products) == len(expected[cve]["products"]) > 0
    assert vuln.products == expected[cve]["products"]
    assert vuln.kb_numbers == expected[cve]["kbs"] and vuln.kb_numbers
    assert all(kb.isdigit() for kb in vuln.kb_numbers)


@pytest.mark.parametrize("name", ["2016-Apr", "2024-Mar"])
def test_real_cut_down_documents(name):
    path = need(VULS / "cvrf" / name)
    body = path.read_bytes()
    assert not body.startswith(BOM)
    release = parse_cvrf(body, "application/xml")
    assert_matches_expected(release, expected_from_xml(path))
    assert release.id == name
    for date in (release.initial_release_date, release.current_release_date,
                 *(v.last_revision_date for v in release.vulnerabilities)):
        assert date.endswith("+00:00")  # "Z" in 2016-Apr, naive in 2024-Mar


def test_real_2024_mar_wrapped_text_and_release_note_link():
    release = parse_cvrf(need(VULS / "cvrf" / "2024-Mar").read_bytes())
    (vuln,) = release.vulnerabilities
    assert vuln.impact == "Denial of Service"
    assert vuln.kb_numbers == ["5036451", "5036452"]  # the "Release Notes" fixes have no KB number
    assert release.revision == "13"
    assert release.current_release_date == "2024-04-09T07:00:00+00:00"


def test_real_updates_list():
    path = need(VULS / "updates")
    raw = json.loads(path.read_text(encoding="utf-8"))["value"]
    entries = parse_updates(path.read_bytes())
    assert [e.id for e in entries] == [r["ID"] for r in raw]
    assert [e.cvrf_url for e in entries] == [r["CvrfUrl"] for r in raw]
    assert [e.document_title for e in entries] == [r["DocumentTitle"] for r in raw]
    first = entries[0]
    assert first == UpdateEntry(
        id="2016-Apr", alias="2016-Apr", document_title="April 2016 Security Updates", severity=None,
        initial_release_date="2016-04-12T07:00:00+00:00", current_release_date="2018-04-10T07:00:00+00:00",
        cvrf_url="https://api.msrc.microsoft.com/cvrf/v3.0/cvrf/2016-Apr",
    )


# --- own JSON fixture (API JSON shape: numeric enums, {"Value": ...} wrappers) ----------------------------


@pytest.fixture
def jan_2099() -> CvrfRelease:
    return parse_cvrf(fixture_bytes("cvrf-2099-Jan.json"), "application/json; charset=utf-8")


def test_json_fixture_document_fields(jan_2099):
    assert jan_2099.id == "2099-Jan"
    assert jan_2099.title == "January 2099 Security Updates"
    assert jan_2099.initial_release_date == "2099-01-13T08:00:00+00:00"
    assert jan_2099.current_release_date == "2099-01-27T08:00:00+00:00"
    assert jan_2099.revision == "10"  # numeric comparison: "10" is later than "9"
    assert [t for t, _ in jan_2099.notes] == ["Release Notes", "Legal Disclaimer"]
    assert jan_2099.notes[0][1].startswith("<p>The January 2099 release")
    assert jan_2099.products == {
        "101": "Windows 11 Version 24H2 for x64-based Systems",
        "102": "Windows Server 2025",
        "105": "Windows Server 2025 (Server Core installation)",
        "103": "Microsoft Office LTSC 2024 for 64-bit editions",
        "104": "Microsoft 365 Apps for Enterprise for 64-bit Systems",
    }
    assert len(jan_2099.vulnerabilities) == 4


def test_json_fixture_vulnerabilities(jan_2099):
    v1, v2, v3, v4 = jan_2099.vulnerabilities
    assert v1 == Vulnerability(
        cve="CVE-2099-1001", title="Windows Print Spooler Remote Code Execution Vulnerability",
        severity="Critical", impact="Remote Code Execution", exploited=True, publicly_disclosed=False,
        products=["Windows 11 Version 24H2 for x64-based Systems", "Windows Server 2025"],
        kb_numbers=["5099001", "5099002"],  # "KB5099002" normalised; Known Issue and Workaround ignored
        cvss_base_score=8.8, last_revision_date="2099-01-20T08:00:00+00:00",
    )
    assert v2 == Vulnerability(
        cve="CVE-2099-1002", title="Microsoft Office Information Disclosure Vulnerability",
        severity="Moderate", impact="Information Disclosure",  # the impact of the most severe product
        exploited=False, publicly_disclosed=True,
        products=["Microsoft 365 Apps for Enterprise for 64-bit Systems",
                  "Microsoft Office LTSC 2024 for 64-bit editions"],
        kb_numbers=["5099010"], cvss_base_score=None, last_revision_date="2099-01-13T08:00:00+00:00",
    )
    assert v3 == Vulnerability(
        cve="CVE-2099-1003", title="Windows Graphics Component Denial of Service Vulnerability",
        severity=None, impact="Denial of Service", exploited=False, publicly_disclosed=False,
        products=["999", "Windows 11 Version 24H2 for x64-based Systems"],  # unknown ID kept as is
        kb_numbers=[], cvss_base_score=5.5, last_revision_date=None,
    )
    assert v4 == Vulnerability(
        cve="CVE-2099-1004", title="Windows Kernel Elevation of Privilege Vulnerability",
        severity="Important", impact="Elevation of Privilege",  # most products at equal severity
        exploited=False, publicly_disclosed=False,
        products=["Windows 11 Version 24H2 for x64-based Systems", "Windows Server 2025",
                  "Windows Server 2025 (Server Core installation)"],
        kb_numbers=["5099001", "5099002"], cvss_base_score=7.8,
        last_revision_date="2099-01-27T08:00:00+00:00",  # latest date, not last listed
    )


STRING_TYPES = {
    "ProductStatuses": {3: "Known Affected"},
    "Threats": {0: "Impact", 1: "Exploit Status", 3: "Severity"},
    "Remediations": {0: "Workaround", 2: "Vendor Fix", 5: "Known Issue"},
}


def test_json_string_enums_give_the_same_result(jan_2099):
    data = json.loads(fixture_bytes("cvrf-2099-Jan.json"))
    renamed = copy.deepcopy(data)
    for vuln in renamed["Vulnerability"]:
        for key, names in STRING_TYPES.items():
            for item in vuln.get(key, []):
                item["Type"] = names[item["Type"]]
    digits = copy.deepcopy(data)  # numeric codes sent as strings
    for vuln in digits["Vulnerability"]:
        for key in STRING_TYPES:
            for item in vuln.get(key, []):
                item["Type"] = str(item["Type"])
    for variant in (renamed, digits):
        parsed = parse_cvrf(json.dumps(variant).encode())
        assert parsed.vulnerabilities == jan_2099.vulnerabilities


# --- XML variants: numeric enums, no namespace, BOM ---------------------------------------------------

SMALL_XML = """<?xml version="1.0" encoding="utf-8"?>
<cvrf:cvrfdoc xmlns:cvrf="http://www.icasi.org/CVRF/schema/cvrf/1.1"
    xmlns:prod="http://www.icasi.org/CVRF/schema/prod/1.1" xmlns:vuln="http://www.icasi.org/CVRF/schema/vuln/1.1">
  <cvrf:DocumentTitle>Test</cvrf:DocumentTitle>
  <cvrf:DocumentTracking>
    <cvrf:Identification><cvrf:ID>2099-Feb</cvrf:ID></cvrf:Identification>
    <cvrf:RevisionHistory>
      <cvrf:Revision><cvrf:Number>1.10</cvrf:Number><cvrf:Date>2099-02-20T08:00:00Z</cvrf:Date></cvrf:Revision>
      <cvrf:Revision><cvrf:Number>1.9</cvrf:Number><cvrf:Date>2099-02-18T08:00:00Z</cvrf:Date></cvrf:Revision>
    </cvrf:RevisionHistory>
    <cvrf:InitialReleaseDate>2099-02-10T08:00:00Z</cvrf:InitialReleaseDate>
    <cvrf:CurrentReleaseDate>2099-02-20T17:00:00+09:00</cvrf:CurrentReleaseDate>
  </cvrf:DocumentTracking>
  <prod:ProductTree><prod:FullProductName ProductID="1">Windows Server 2025</prod:FullProductName></prod:ProductTree>
  <vuln:Vulnerability Ordinal="1">
    <vuln:Title>Windows Test Remote Code Execution Vulnerability</vuln:Title>
    <vuln:CVE>CVE-2099-2001</vuln:CVE>
    <vuln:ProductStatuses><vuln:Status Type="{status}"><vuln:ProductID>1</vuln:ProductID></vuln:Status>
    </vuln:ProductStatuses>
    <vuln:Threats>
      <vuln:Threat Type="{impact}"><vuln:Description>Remote Code Execution</vuln:Description>
        <vuln:ProductID>1</vuln:ProductID></vuln:Threat>
      <vuln:Threat Type="{severity}"><vuln:Description>Critical</vuln:Description>
        <vuln:ProductID>1</vuln:ProductID></vuln:Threat>
      <vuln:Threat Type="{exploit}"><vuln:Description>Publicly Disclosed:Yes;Exploited:Yes</vuln:Description>
      </vuln:Threat>
    </vuln:Threats>
    <vuln:CVSSScoreSets><vuln:ScoreSet><vuln:BaseScore>9.8</vuln:BaseScore></vuln:ScoreSet></vuln:CVSSScoreSets>
    <vuln:Remediations>
      <vuln:Remediation Type="{fix}"><vuln:Description>5099201</vuln:Description>
        <vuln:ProductID>1</vuln:ProductID></vuln:Remediation>
    </vuln:Remediations>
  </vuln:Vulnerability>
</cvrf:cvrfdoc>
"""
NAMED = dict(status="Known Affected", impact="Impact", severity="Severity", exploit="Exploit Status",
             fix="Vendor Fix")
NUMERIC = dict(status="3", impact="0", severity="3", exploit="1", fix="2")
EXPECTED_SMALL = Vulnerability(
    cve="CVE-2099-2001", title="Windows Test Remote Code Execution Vulnerability", severity="Critical",
    impact="Remote Code Execution", exploited=True, publicly_disclosed=True, products=["Windows Server 2025"],
    kb_numbers=["5099201"], cvss_base_score=9.8, last_revision_date=None,
)


def small_xml(types: dict[str, str] = NAMED, *, namespaces: bool = True) -> bytes:
    text = SMALL_XML.format(**types)
    if not namespaces:
        for prefix in ("cvrf", "prod", "vuln"):
            text = text.replace(f"<{prefix}:", "<").replace(f"</{prefix}:", "</")
        text = re.sub(r"<cvrfdoc[^>]*>", "<cvrfdoc>", text)
    return text.encode()


@pytest.mark.parametrize("types", [NAMED, NUMERIC], ids=["named", "numeric"])
def test_xml_accepts_named_and_numeric_types(types):
    release = parse_cvrf(small_xml(types))
    assert release.vulnerabilities == [EXPECTED_SMALL]
    assert release.revision == "1.10"
    assert release.current_release_date == "2099-02-20T17:00:00+09:00"


def test_xml_without_namespaces():
    body = small_xml(namespaces=False)
    assert b"xmlns" not in body
    release = parse_cvrf(body)
    assert release.id == "2099-Feb"
    assert release.vulnerabilities == [EXPECTED_SMALL]


@pytest.mark.parametrize("prefix", [b"", BOM, BOM + b"\n  ", b"\r\n"])
def test_xml_bom_and_leading_whitespace(prefix):
    release = parse_cvrf(prefix + small_xml())
    assert release.vulnerabilities == [EXPECTED_SMALL]


@pytest.mark.parametrize("prefix", [BOM, BOM + b"\n", b"  \n"])
def test_json_bom_and_leading_whitespace(prefix, jan_2099):
    assert parse_cvrf(prefix + fixture_bytes("cvrf-2099-Jan.json")) == jan_2099


# --- format detection -----------------------------------------------------------------------------------


@pytest.mark.parametrize("content_type, body, expected", [
    ("application/json", b"<x/>", "json"),
    ("application/json; charset=utf-8", b"", "json"),
    ("APPLICATION/XML; charset=utf-8", b"{}", "xml"),
    ("text/xml", b"{}", "xml"),
    ("application/vnd.example+json", b"<x/>", "json"),
    (None, BOM + b"\n<?xml version='1.0'?><a/>", "xml"),
    (None, BOM + b' {"a": 1}', "json"),
    ("text/plain", b"<a/>", "xml"),
    ("application/octet-stream", b"\t{}", "json"),
    ("", b"[]", "json"),
])
def test_detect_format(content_type, body, expected):
    assert detect_format(body, content_type) == expected


def test_content_type_decides_over_sniffing():
    json_body = fixture_bytes("cvrf-2099-Jan.json")
    with pytest.raises(CvrfError, match="XML"):
        parse_cvrf(json_body, "application/xml")
    with pytest.raises(CvrfError, match="JSON"):
        parse_cvrf(small_xml(), "application/json")
    assert parse_cvrf(json_body, "text/plain").id == "2099-Jan"  # not decisive: sniffed
    assert parse_cvrf(small_xml(), None).id == "2099-Feb"


# --- malformed input --------------------------------------------------------------------------------------


@pytest.mark.parametrize("body, content_type, message", [
    (b"", None, "neither XML nor JSON"),
    (BOM + b"   ", None, "neither XML nor JSON"),
    (b"Service Unavailable", "text/html", "neither XML nor JSON"),
    (b"<cvrf:cvrfdoc xmlns:cvrf='http://www.icasi.org/CVRF/schema/cvrf/1.1'><cvrf:DocumentTitle>", None,
     "XML is not well-formed"),
    (b"<a><b></a>", "application/xml", "XML is not well-formed"),
    (b'{"DocumentTitle": {"Value": "x"}, ', None, "not valid JSON"),
    (b'\xff\xfe{"x": 1}', "application/json", "not valid JSON"),
    (b"[1, 2]", None, "not an object"),
    (b'{"DocumentTitle": {"Value": "x"}}', None, "DocumentTracking"),
    (b'{"DocumentTracking": {"Identification": {"ID": {"Value": ""}}}}', None, "Identification.ID"),
    (b"<cvrfdoc><DocumentTitle>x</DocumentTitle></cvrfdoc>", None, "DocumentTracking"),
    (b"<cvrfdoc><DocumentTracking><Identification/></DocumentTracking></cvrfdoc>", None, "Identification/ID"),
])
def test_malformed_cvrf_raises(body, content_type, message):
    with pytest.raises(CvrfError, match=message):
        parse_cvrf(body, content_type)


def test_cvrf_error_is_a_value_error():
    assert issubclass(CvrfError, ValueError)


def test_bad_date_raises():
    data = json.loads(fixture_bytes("cvrf-2099-Jan.json"))
    data["DocumentTracking"]["CurrentReleaseDate"] = "next Tuesday"
    with pytest.raises(CvrfError, match="next Tuesday"):
        parse_cvrf(json.dumps(data).encode())


@pytest.mark.parametrize("body, message", [
    (b"<html/>", "not valid JSON"),
    (b'{"error": "x"}', "'value' list"),
    (b'{"value": [{"Alias": "2099-Jan"}]}', "without ID"),
])
def test_malformed_updates_raise(body, message):
    with pytest.raises(CvrfError, match=message):
        parse_updates(body)


def test_updates_with_bom_and_empty_list():
    assert parse_updates(BOM + b'{"value": []}') == []


# --- SUG release notes --------------------------------------------------------------------------------------


def test_release_notes_fixture():
    body = fixture_bytes("releaseNote-ja-JP.json")
    feb, jan = parse_release_notes(body)
    assert feb == ReleaseNote(
        id="0f4c2a1e-9999-4c7a-8d55-000000002099", release_number="2099-Feb",
        release_date="2099-02-10T08:00:00+00:00", title="2099 年 2 月のセキュリティ更新プログラム",
        description_html=json.loads(body)["value"][0]["description"],
    )
    assert feb.description_text.splitlines() == [
        "2099 年 2 月のセキュリティ更新プログラムでは 12 件の脆弱性に対処しました。",
        "深刻度「緊急」: 1 件",
        "悪用の事実を確認済み: CVE-2099-2001",
        "KB 5099101",
    ]
    assert jan.release_number == "2099-Jan"
    assert jan.release_date == "2099-01-13T08:00:00+00:00"  # naive -> UTC
    assert jan.title == "2099 年 1 月の セキュリティ更新プログラム"  # whitespace collapsed
    assert jan.description_html == "" and jan.description_text == ""
    assert odata_next_link(body).endswith("$skip=2")
    assert odata_next_link(b'{"value": []}') is None


@pytest.mark.parametrize("body, message", [
    (b"not json", "not valid JSON"),
    (b'{"@odata.count": 0}', "'value' list"),
    (b'{"value": [{"title": "x"}]}', "releaseNumber"),
])
def test_malformed_release_notes_raise(body, message):
    with pytest.raises(CvrfError, match=message):
        parse_release_notes(body)


def test_odd_json_shapes_do_not_escape_as_other_errors():
    """Free-text fields of an unexpected type read as empty instead of raising AttributeError."""
    data = json.loads(fixture_bytes("cvrf-2099-Jan.json"))
    data["DocumentNotes"] = [{"Title": ["x"], "Value": ["not", "text"]},
                             {"Title": " Release  Notes ", "Value": " <p>x</p> "}]
    release = parse_cvrf(json.dumps(data).encode())
    assert release.notes == [("", ""), ("Release Notes", "<p>x</p>")]
    notes = parse_release_notes(b'{"value": [{"releaseNumber": "2099-Jan", "description": {"a": 1}}],'
                                b' "@odata.nextLink": 5}')
    assert notes[0].description_html == "" and notes[0].description_text == ""
    assert odata_next_link(b'{"value": [], "@odata.nextLink": 5}') is None


@pytest.mark.parametrize("html, text", [
    ("", ""),
    (None, ""),
    ("plain  text", "plain text"),
    ("<p>a<br>b</p><ul><li>c</li><li> d  e </li></ul>", "a\nb\nc\nd e"),
    ("<p>x &amp; y</p>\n\n<p>z</p>", "x & y\nz"),
    ("<table><tr><th>KB</th><td>5099101</td></tr></table>", "KB 5099101"),
    ("<ul><li>Windows<ul><li>Server</li></ul></li></ul>", "Windows\nServer"),
    ('<?xml version="1.0" encoding="utf-8"?><p>x</p>', "x"),
])
def test_html_to_text(html, text):
    assert html_to_text(html) == text


# --- the offline demo mirror --------------------------------------------------------------------------------


def demo(path: str) -> bytes:
    return need(DEMO / path).read_bytes()


def test_demo_updates_point_at_mirrored_documents():
    entries = parse_updates(demo("cvrf/v3.0/updates"))
    assert [e.id for e in entries] == ["2026-Sep", "2026-Oct", "2026-Nov"]
    for entry in entries:
        assert entry.cvrf_url == f"https://api.msrc.microsoft.com/cvrf/v3.0/cvrf/{entry.id}"
        release = parse_cvrf(demo(f"cvrf/v3.0/cvrf/{entry.id}"))
        assert (release.id, release.current_release_date) == (entry.id, entry.current_release_date)
    assert (DEMO / "robots.txt").read_text().startswith("User-agent: *")


def test_demo_formats():
    assert detect_format(demo("cvrf/v3.0/cvrf/2026-Nov")) == "json"
    assert detect_format(demo("cvrf/v3.0/cvrf/2026-Sep")) == "json"
    oct_body = demo("cvrf/v3.0/cvrf/2026-Oct")
    assert oct_body.startswith(BOM) and detect_format(oct_body) == "xml"
    for name in ("2026-Sep", "2026-Oct", "2026-Nov"):
        assert len(demo(f"cvrf/v3.0/cvrf/{name}")) < 300_000


def test_demo_november_release():
    nov = parse_cvrf(demo("cvrf/v3.0/cvrf/2026-Nov"))
    vulns = {v.cve: v for v in nov.vulnerabilities}
    assert len(vulns) == 63 and all(cve.startswith("CVE-2026-4") for cve in vulns)
    assert nov.current_release_date == "2026-11-10T08:00:00+00:00"
    assert sum(v.severity == "Critical" for v in vulns.values()) == 5
    exploited = {v.cve: v.title for v in vulns.values() if v.exploited}
    assert exploited == {
        "CVE-2026-40001": "Windows Common Log File System Driver Elevation of Privilege Vulnerability",
        "CVE-2026-40002": "Windows Kernel Security Feature Bypass Vulnerability",
    }
    assert [v.cve for v in vulns.values() if v.publicly_disclosed] == ["CVE-2026-40003"]
    names = set(nov.products.values())
    for family in ("Windows 10", "Windows 11", "Windows Server 2016", "Windows Server 2019",
                   "Windows Server 2022", "Windows Server 2025", "Windows Server 2012 R2", "Office",
                   "Exchange Server", "SQL Server"):
        assert any(family in name for name in names), family
    assert "Windows Server 2012 R2" in vulns["CVE-2026-40001"].products
    assert any("ESU" in text and "2012 R2" in text for _, text in nov.notes)


def test_demo_release_notes_agree_with_cvrf():
    notes = parse_release_notes(demo("sug/v2.0/ja-JP/releaseNote"))
    assert [n.release_number for n in notes] == ["2026-Nov", "2026-Oct", "2026-Sep"]
    assert notes[0].title == "2026 年 11 月のセキュリティ更新プログラム"
    for note in notes:
        release = parse_cvrf(demo(f"cvrf/v3.0/cvrf/{note.release_number}"))
        text = note.description_text
        assert note.release_date == release.initial_release_date
        assert f"{len(release.vulnerabilities)} 件の脆弱性" in text
        critical = sum(v.severity == "Critical" for v in release.vulnerabilities)
        assert f"最大深刻度「緊急」: {critical} 件" in text
        for vuln in release.vulnerabilities:
            if vuln.exploited or vuln.publicly_disclosed:
                assert vuln.cve in text
        assert "ESU" in text
