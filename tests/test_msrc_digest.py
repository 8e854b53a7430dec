"""Tests for pipeline.summarise.msrc_digest: newsletter bullets for an MSRC monthly security update release."""

from __future__ import annotations

import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler.extract.cvrf import parse_cvrf
from pipeline.summarise.msrc_digest import (
    BASIS_COUNT,
    BASIS_CRITICAL,
    BASIS_DISCLOSED,
    BASIS_ESU,
    BASIS_EXPLOITED,
    BASIS_PRODUCTS,
    DigestBullet,
    esu_products,
    product_family,
    release_digest,
    release_headline,
    short_title,
)

REPO = Path(__file__).resolve().parents[1]
FEB_2020 = (Path(__file__).resolve().parents[2] / "shared" / "real-samples" / "msrc" / "p0w3rsh3ll-MSRC-data"
            / "cvrfDocument-2020-Feb.xml")
DEMO_NOV_2026 = REPO / "pipeline" / "demo_site" / "api.msrc.microsoft.com" / "cvrf" / "v3.0" / "cvrf" / "2026-Nov"
JST = timezone(timedelta(hours=9))
VULN = "{http://www.icasi.org/CVRF/schema/vuln/1.1}"
CVRF = "{http://www.icasi.org/CVRF/schema/cvrf/1.1}"

WIN11 = "Windows 11 Version 24H2 for x64-based Systems"
WS2022 = "Windows Server 2022"
EXCEL = "Microsoft Excel 2016 (32-bit edition)"
EXCHANGE = "Microsoft Exchange Server 2019 Cumulative Update 14"


def row(cve, title, severity="Important", exploited=0, disclosed=0, products=(WIN11,), **extra):
    return {"release_id": "2026-Nov", "cve": cve, "title": title, "severity": severity, "impact": None,
            "exploited": exploited, "publicly_disclosed": disclosed, "products": json.dumps(list(products)),
            "kb_numbers": "[]", "cvss_base_score": 7.8, "last_revision_date": None, **extra}


def synthetic_rows():
    return [
        row("CVE-2026-50001", "Windows Common Log File System Driver Elevation of Privilege Vulnerability",
            exploited=1),
        row("CVE-2026-50002", "Windows Kernel Security Feature Bypass Vulnerability", exploited=1, disclosed=1),
        row("CVE-2026-50003", "Windows SMB Client Elevation of Privilege Vulnerability", disclosed=1),
        row("CVE-2026-50004", "Windows DNS Server Remote Code Execution Vulnerability", "Critical",
            products=(WS2022,)),
        row("CVE-2026-50005", "Microsoft Excel Remote Code Execution Vulnerability", "Critical", products=(EXCEL,)),
        row("CVE-2026-50006", "Microsoft Exchange Server Spoofing Vulnerability", products=(EXCHANGE,)),
        row("CVE-2026-50007", "Windows Hyper-V Denial of Service Vulnerability", "Moderate"),
        row("CVE-2026-50008", "Windows GDI Information Disclosure Vulnerability"),
    ]


def texts(bullets):
    return [b.text for b in bullets]


def jst_day(iso: str) -> str:
    """The day the updates reached Japan: MSRC's midnight-Pacific stamp (07:00/08:00 UTC) plus 10 hours."""
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC)
    if moment.hour in (7, 8) and moment.minute == 0:
        moment += timedelta(hours=10)
    moment = moment.astimezone(JST)
    return f"{moment.month}月{moment.day}日"


def assert_house_shape(bullets, max_chars):
    assert 3 <= len(bullets) <= 4
    for b in bullets:
        assert isinstance(b, DigestBullet)
        assert b.text and len(b.text) <= max_chars, b.text
        assert set(b.basis.split("+")) <= {BASIS_COUNT, BASIS_CRITICAL, BASIS_EXPLOITED, BASIS_DISCLOSED,
                                           BASIS_PRODUCTS, BASIS_ESU}


# --- synthetic rows ----------------------------------------------------------------------------------


def test_counts_and_first_bullet_from_synthetic_rows():
    rows = synthetic_rows()
    release_date = "2026-11-10T18:00:00+00:00"
    bullets = release_digest("2026-Nov", release_date, rows)
    assert_house_shape(bullets, 120)
    critical = sum(r["severity"] == "Critical" for r in rows)
    important = sum(r["severity"] == "Important" for r in rows)
    moderate = sum(r["severity"] == "Moderate" for r in rows)
    first = bullets[0]
    assert first.basis == BASIS_COUNT
    assert jst_day(release_date) == "11月11日"
    assert first.text == (f"{jst_day(release_date)}(日本時間)、Microsoftより、"
                          f"2026年11月のセキュリティ更新プログラムが公開され、{len(rows)}件の脆弱性が修正されました。")
    severity = bullets[1].text
    assert f"「緊急」は{critical}件" in severity and f"「重要」は{important}件" in severity
    assert f"「警告」は{moderate}件" in severity and "注意" not in severity  # zero parts left out
    assert severity.endswith("です。")


def test_exploited_and_disclosed_are_named_with_short_titles():
    rows = synthetic_rows()
    bullets = release_digest("2026-Nov", "2026-11-10T18:00:00+00:00", rows, max_chars=400)
    flags = next(b for b in bullets if BASIS_EXPLOITED in b.basis)
    exploited = [r for r in rows if r["exploited"]]
    disclosed = [r for r in rows if r["publicly_disclosed"]]
    assert f"悪用が確認されている脆弱性は{len(exploited)}件" in flags.text
    assert f"一般に公開済みの脆弱性は{len(disclosed)}件" in flags.text  # CVE-2026-50002 counts in both
    for r in exploited + disclosed:
        assert r["cve"] in flags.text
        assert short_title(r["title"]) in flags.text
    assert "Windows Common Log File System Driver の特権昇格" in flags.text
    assert "Vulnerability" not in flags.text


def test_bullets_keep_within_max_chars_and_between_three_and_four():
    rows = synthetic_rows()
    for lang in ("ja", "en"):
        for max_chars in (110, 120, 150, 200, 400):
            bullets = release_digest("2026-Nov", "2026-11-10T18:00:00+00:00", rows, lang=lang, max_chars=max_chars)
            assert_house_shape(bullets, max_chars)
            joined = " ".join(texts(bullets))
            assert str(len(rows)) in joined


def test_no_exploited_or_disclosed_gives_the_plain_sentence():
    rows = [{**r, "exploited": 0, "publicly_disclosed": 0} for r in synthetic_rows()]
    bullets = release_digest("2026-Nov", "2026-11-10T18:00:00+00:00", rows)
    assert "悪用や一般公開が確認された脆弱性はありません。" in texts(bullets)
    en = release_digest("2026-Nov", "2026-11-10T18:00:00+00:00", rows, lang="en")
    assert any("No vulnerability is known to be exploited" in t for t in texts(en))


def test_only_exploited_or_only_disclosed():
    rows = [{**r, "publicly_disclosed": 0} for r in synthetic_rows()]
    flags = release_digest("2026-Nov", None, rows)[2].text
    assert f"悪用が確認されている脆弱性は{sum(r['exploited'] for r in rows)}件" in flags
    assert flags.endswith("一般に公開済みの脆弱性はありません。")
    rows = [{**r, "exploited": False} for r in synthetic_rows()]
    flags = release_digest("2026-Nov", None, rows)[2].text
    assert flags.startswith("悪用が確認されている脆弱性はありませんが、")
    assert f"一般に公開済みの脆弱性は{sum(bool(r['publicly_disclosed']) for r in rows)}件" in flags


def test_long_titles_degrade_to_ids_then_to_first_ids():
    long_title = "Windows Extremely Long Component Name With Many Words In It Remote Code Execution Vulnerability"
    rows = [row(f"CVE-2026-6000{i}", long_title, exploited=1) for i in range(3)]
    flags = release_digest("2026-Nov", None, rows)[2].text
    assert len(flags) <= 120
    assert all(r["cve"] in flags for r in rows)
    assert "Extremely Long" not in flags
    many = [row(f"CVE-2026-{61000 + i}", long_title, exploited=1, disclosed=1) for i in range(12)]
    flags = release_digest("2026-Nov", None, many)[2].text
    assert len(flags) <= 120
    assert f"悪用が確認されている脆弱性は{len(many)}件" in flags
    assert f"一般に公開済みの脆弱性は{len(many)}件" in flags
    assert "など" in flags and many[0]["cve"] in flags and many[-1]["cve"] not in flags


def test_first_bullet_converts_to_japan_time():
    rows = synthetic_rows()
    for iso, expected in (("2026-11-10T18:00:00+00:00", "11月11日"), ("2026-11-10T10:00:00-08:00", "11月11日"),
                          ("2026-11-10T08:00:00Z", "11月11日"),  # MSRC's midnight-Pacific stamp
                          ("2026-11-10T14:59:00", "11月10日"),
                          ("2026-11-10", "11月10日")):
        assert release_digest("2026-Nov", iso, rows)[0].text.startswith(f"{expected}(日本時間)、Microsoftより、")
    undated = release_digest("2026-Nov", None, rows)[0].text
    assert undated.startswith("Microsoftより、2026年11月のセキュリティ更新プログラム")
    with pytest.raises(ValueError):
        release_digest("2026-Nov", "next Tuesday", rows)


def test_products_as_list_or_json_and_flags_as_bool_give_the_same_digest():
    rows = synthetic_rows()
    as_lists = [{**r, "products": json.loads(r["products"]), "exploited": bool(r["exploited"]),
                 "publicly_disclosed": bool(r["publicly_disclosed"])} for r in rows]
    a = release_digest("2026-Nov", "2026-11-10T18:00:00+00:00", rows)
    b = release_digest("2026-Nov", "2026-11-10T18:00:00+00:00", as_lists)
    assert a == b


def test_advisories_are_not_counted_and_duplicates_are_merged():
    rows = [*synthetic_rows(), row("ADV260001", "November 2026 Adobe Flash Security Update", "Critical"),
            row("CVE-2026-50008", "Windows GDI Information Disclosure Vulnerability", exploited=1)]
    cves = {r["cve"] for r in rows if r["cve"].startswith("CVE-")}
    bullets = release_digest("2026-Nov", None, rows)
    assert f"{len(cves)}件の脆弱性" in bullets[0].text
    critical = len({r["cve"] for r in rows if r["cve"] in cves and r["severity"] == "Critical"})
    assert f"「緊急」は{critical}件" in bullets[1].text
    exploited = {r["cve"] for r in rows if r["cve"] in cves and r["exploited"]}
    assert f"悪用が確認されている脆弱性は{len(exploited)}件" in bullets[2].text


def test_no_critical_and_no_severity():
    rows = [{**r, "severity": "Important"} for r in synthetic_rows()]
    assert f"「緊急」の脆弱性はなく、「重要」は{len(rows)}件です。" in release_digest("2026-Nov", None, rows)[1].text
    rows = [{**r, "severity": None} for r in synthetic_rows()]
    assert release_digest("2026-Nov", None, rows)[1].text == "このうち深刻度「緊急」と評価された脆弱性はありません。"


def test_product_families_bullet():
    rows = synthetic_rows()
    bullets = release_digest("2026-Nov", "2026-11-10T18:00:00+00:00", rows)
    families = {product_family(p) for r in rows for p in json.loads(r["products"])}
    last = bullets[-1]
    assert last.basis == BASIS_PRODUCTS  # no ESU product here
    assert f"{len(families)}製品ファミリー" in last.text
    assert "Windows" in last.text and "Office" in last.text


def test_rejects_bad_input():
    rows = synthetic_rows()
    with pytest.raises(ValueError):
        release_digest("November", None, rows)
    with pytest.raises(ValueError):
        release_digest("2026-Oct", None, rows)  # rows of another release
    with pytest.raises(ValueError):
        release_digest("2026-Nov", None, [])
    with pytest.raises(ValueError):
        release_digest("2026-Nov", None, rows, max_chars=30)
    with pytest.raises(ValueError):
        release_digest("2026-Nov", None, rows, lang="de")


def test_english_bullets():
    rows = synthetic_rows()
    bullets = release_digest("2026-Nov", "2026-11-10T18:00:00+00:00", rows, lang="en", max_chars=200)
    assert_house_shape(bullets, 200)
    assert bullets[0].text.startswith("On November 11 (Japan time), Microsoft released its November 2026 security")
    assert f"fixing {len(rows)} vulnerabilities" in bullets[0].text
    joined = " ".join(texts(bullets))
    assert f"{sum(r['severity'] == 'Critical' for r in rows)} are rated Critical" in joined
    for r in rows:
        if r["exploited"] or r["publicly_disclosed"]:
            assert r["cve"] in joined
    assert not re.search(r"[\u3040-\u30ff]", joined)


# --- product families and ESU ------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "family"), [
    ("Windows 10 Version 22H2 for x64-based Systems", "Windows"),
    ("Windows Server 2012 R2 (Server Core installation)", "Windows"),
    ("Internet Explorer 11 on Windows 7 for 32-bit Systems Service Pack 1", "Internet Explorer"),
    ("Microsoft Excel 2016 (32-bit edition)", "Office"),
    ("Microsoft 365 Apps for Enterprise for 64-bit Systems", "Office"),
    ("Office Online Server", "Office"),
    ("Microsoft Exchange Server 2019 Cumulative Update 14", "Exchange Server"),
    ("Microsoft SharePoint Server Subscription Edition", "SharePoint"),
    ("Microsoft SQL Server 2022 for x64-based Systems (GDR)", "SQL Server"),
    (".NET 8.0 installed on Windows", ".NET"),
    ("Microsoft Visual Studio 2022 version 17.10", "Visual Studio"),
    ("Microsoft Edge (Chromium-based)", "Edge"),
    ("Azure Monitor Agent", "Azure"),
    ("Microsoft Dynamics 365 (on-premises) version 9.1", "Dynamics"),
    ("ChakraCore", "ChakraCore"),
    ("Microsoft Surface Hub", "Surface"),
])
def test_product_family(name, family):
    assert product_family(name) == family


def test_esu_windows_7_after_end_of_support_only():
    names = ["Windows 7 for x64-based Systems Service Pack 1", "Windows 8.1 for x64-based systems"]
    assert esu_products(names, date(2020, 2, 11)) == ["Windows 7"]
    assert esu_products(names, date(2019, 12, 10)) == []
    assert esu_products(names, date(2020, 1, 14)) == []  # the end-of-support day itself is still supported


def test_esu_never_lists_windows_8_1():
    names = ["Windows 8.1 for 32-bit systems", "Windows RT 8.1", "Internet Explorer 11 on Windows 8.1 for x64"]
    assert esu_products(names, date(2030, 1, 1)) == []


def test_esu_product_lines_are_distinct_and_case_insensitive():
    names = ["windows server 2012 r2 (server core installation)", "Windows Server 2012 R2",
             "Windows Server 2008 R2 for x64-based Systems Service Pack 1",
             "Windows Server 2008 for 32-bit Systems Service Pack 2 (Server Core installation)",
             "Internet Explorer 11 on Windows 7 for 32-bit Systems Service Pack 1", "Windows Server 2016"]
    assert esu_products(names, date(2020, 2, 11)) == ["Windows 7", "Windows Server 2008", "Windows Server 2008 R2"]
    assert esu_products(names, date(2023, 11, 14)) == ["Windows 7", "Windows Server 2008", "Windows Server 2008 R2",
                                                       "Windows Server 2012 R2"]
    assert esu_products(["Windows Server 2012 R2"], datetime(2023, 11, 14, 18, tzinfo=UTC)) == [
        "Windows Server 2012 R2"]


def test_esu_windows_10_is_22h2_not_ltsc():
    assert esu_products(["Windows 10 Version 22H2 for x64-based Systems"], date(2025, 11, 11)) == ["Windows 10"]
    assert esu_products(["Windows 10 Version 22H2 for x64-based Systems"], date(2025, 10, 14)) == []
    ltsc = ["Windows 10 Version 1809 for x64-based Systems", "Windows 10 Version 21H2 for x64-based Systems",
            "Windows 10 Version 1607 for x64-based Systems"]
    assert esu_products(ltsc, date(2025, 11, 11)) == []


def test_esu_in_the_digest_depends_on_the_release_date():
    rows = [{**r, "release_id": "2020-Feb"} for r in synthetic_rows()]
    rows[0]["products"] = json.dumps(["Windows 7 for x64-based Systems Service Pack 1",
                                      "Windows 8.1 for x64-based systems"])
    feb = release_digest("2020-Feb", "2020-02-11T08:00:00Z", rows)
    assert feb[-1].basis == f"{BASIS_PRODUCTS}+{BASIS_ESU}"
    assert "Windows 7" in feb[-1].text and "ESU" in feb[-1].text and "8.1" not in feb[-1].text
    dec = [{**r, "release_id": "2019-Dec"} for r in rows]
    assert not any("ESU" in t for t in texts(release_digest("2019-Dec", "2019-12-10T08:00:00Z", dec)))
    # without a release date the release month's second Tuesday is used
    assert "Windows 7" in release_digest("2020-Feb", None, rows)[-1].text
    jan = [{**r, "release_id": "2020-Jan"} for r in rows]
    assert not any("ESU" in t for t in texts(release_digest("2020-Jan", None, jan)))


def test_many_esu_lines_stay_within_four_bullets():
    names = ["Windows 7 for x64-based Systems Service Pack 1",
             "Windows Server 2008 for x64-based Systems Service Pack 2",
             "Windows Server 2008 R2 for x64-based Systems Service Pack 1", "Windows Server 2012",
             "Windows Server 2012 R2", "Windows 10 Version 22H2 for x64-based Systems"]
    rows = [{**r, "products": json.dumps([*json.loads(r["products"]), *names])} for r in synthetic_rows()]
    for lang, smallest in (("ja", 90), ("en", 110)):
        for max_chars in (smallest, 120, 300):
            bullets = release_digest("2026-Nov", "2026-11-10T18:00:00+00:00", rows, lang=lang, max_chars=max_chars)
            assert_house_shape(bullets, max_chars)
            assert any(BASIS_ESU in b.basis for b in bullets)
    wide = release_digest("2026-Nov", None, rows, max_chars=300)
    assert all(line in wide[-1].text for line in ("Windows Server 2012 R2", "Windows 10"))


# --- real and demo documents -------------------------------------------------------------------------


def _xml_expectations(path: Path) -> dict:
    """Figures of a CVRF XML document, read with xml.etree (independently of crawler.extract.cvrf)."""
    root = ET.fromstring(path.read_bytes().removeprefix(b"\xef\xbb\xbf"))
    initial = root.find(f"{CVRF}DocumentTracking/{CVRF}InitialReleaseDate").text.strip()
    total = critical = 0
    exploited, disclosed = [], []
    for vuln in root.iter(f"{VULN}Vulnerability"):
        cve = vuln.findtext(f"{VULN}CVE", "").strip()
        if not cve.startswith("CVE-"):
            continue  # advisories such as ADV200003 are not vulnerabilities
        total += 1
        threats = list(vuln.iter(f"{VULN}Threat"))
        severities = {t.findtext(f"{VULN}Description", "").strip() for t in threats if t.get("Type") == "Severity"}
        critical += "Critical" in severities
        status = " ".join(t.findtext(f"{VULN}Description", "") for t in threats if t.get("Type") == "Exploit Status")
        if re.search(r"Exploited:\s*Yes", status):
            exploited.append(cve)
        if re.search(r"Publicly Disclosed:\s*Yes", status):
            disclosed.append(cve)
    return {"initial": initial, "total": total, "critical": critical, "exploited": exploited, "disclosed": disclosed}


@pytest.mark.skipif(not FEB_2020.exists(), reason="real MSRC sample not available")
def test_real_2020_feb_document():
    expected = _xml_expectations(FEB_2020)
    release = parse_cvrf(FEB_2020.read_bytes())
    rows = [dataclasses.asdict(v) for v in release.vulnerabilities]
    bullets = release_digest(release.id, release.initial_release_date, rows)
    assert_house_shape(bullets, 120)
    joined = "\n".join(texts(bullets))
    assert bullets[0].text.startswith(f"{jst_day(expected['initial'])}(日本時間)、Microsoftより、2020年2月の")
    assert f"{expected['total']}件の脆弱性が修正されました" in bullets[0].text
    assert f"「緊急」は{expected['critical']}件" in joined
    assert expected["exploited"]
    assert f"悪用が確認されている脆弱性は{len(expected['exploited'])}件" in joined
    for cve in expected["exploited"]:
        assert cve in joined
    assert f"一般に公開済みの脆弱性は{len(expected['disclosed'])}件" in joined
    esu = next(b for b in bullets if BASIS_ESU in b.basis)
    # Windows 7 and Windows Server 2008/2008 R2 ended support on 2020-01-14, before the 2020-02-11 release
    assert date.fromisoformat(expected["initial"][:10]) > date(2020, 1, 14)
    assert "Windows 7" in esu.text and "Windows Server 2008" in esu.text
    assert "8.1" not in esu.text and "Windows Server 2012" not in esu.text


def test_demo_2026_nov_document():
    body = DEMO_NOV_2026.read_bytes()
    doc = json.loads(body)
    vulns = [v for v in doc["Vulnerability"] if str(v["CVE"]).startswith("CVE-")]

    def threats(v, kind):
        return [t["Description"]["Value"] for t in v.get("Threats", []) if t.get("Type") == kind]

    total = len(vulns)
    critical = sum("Critical" in threats(v, 3) for v in vulns)  # JSON threat type 3 = Severity
    exploited = [v["CVE"] for v in vulns if any("Exploited:Yes" in s for s in threats(v, 1))]
    disclosed = [v["CVE"] for v in vulns if any("Publicly Disclosed:Yes" in s for s in threats(v, 1))]
    initial = doc["DocumentTracking"]["InitialReleaseDate"]

    release = parse_cvrf(body)
    rows = [dataclasses.asdict(v) for v in release.vulnerabilities]
    bullets = release_digest(release.id, release.initial_release_date, rows)
    assert_house_shape(bullets, 120)
    joined = "\n".join(texts(bullets))
    assert bullets[0].text.startswith(f"{jst_day(initial)}(日本時間)、Microsoftより、2026年11月の")
    assert f"{total}件の脆弱性が修正されました" in bullets[0].text
    assert f"「緊急」は{critical}件" in joined
    assert f"悪用が確認されている脆弱性は{len(exploited)}件" in joined
    assert f"一般に公開済みの脆弱性は{len(disclosed)}件" in joined
    for cve in exploited + disclosed:
        assert cve in joined
    esu = next(b for b in bullets if BASIS_ESU in b.basis)
    assert "Windows Server 2012 R2" in esu.text


def test_release_headline_states_the_count_and_exploited():
    rows = synthetic_rows()
    exploited = sum(1 for r in rows if r["exploited"])
    headline = release_headline("2026-Nov", rows)
    assert headline.startswith("Microsoftが2026年11月のセキュリティ更新プログラムを公開")
    assert f"{len({r['cve'] for r in rows})}件の脆弱性" in headline
    assert (f"うち{exploited}件は悪用を確認" in headline) == bool(exploited)
    assert "vulnerabilities" in release_headline("2026-Nov", rows, lang="en")
