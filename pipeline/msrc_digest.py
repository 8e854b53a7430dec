"""Newsletter bullets for an MSRC monthly security update release.

Pure functions: rows of the ``vulnerabilities`` table (or ``dataclasses.asdict`` of
``crawler.extract.cvrf.Vulnerability``) in, 3-4 ``DigestBullet`` out, following the house format's
note on monthly releases: how many vulnerabilities were fixed, how many are critical, which ones are
already exploited or publicly disclosed, and which products need special attention (product families,
and products past end of support that only paying Extended Security Update customers can patch).

Every figure is counted from the rows. Each bullet is built from a list of candidate sentences, most
informative first, and the first one within ``max_chars`` characters is used.

Counting rules:
- only ``CVE-…`` ids count as vulnerabilities; MSRC advisories (``ADV200003``, e.g. an Adobe Flash
  update) are left out;
- rows with the same CVE are merged (flags OR-ed, highest severity kept);
- a CVE both exploited and publicly disclosed counts in both figures.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

JST = timezone(timedelta(hours=9), "JST")
PACIFIC_RELEASE_HOURS = 10  # from the midnight-Pacific stamp to the 10:00 Pacific release

# Values of DigestBullet.basis, joined with "+" when one bullet states several.
BASIS_COUNT = "count"
BASIS_CRITICAL = "critical"
BASIS_EXPLOITED = "exploited"
BASIS_DISCLOSED = "disclosed"
BASIS_PRODUCTS = "products"
BASIS_ESU = "esu"

SEVERITIES = ("Critical", "Important", "Moderate", "Low")
SEVERITY_JA = {"Critical": "緊急", "Important": "重要", "Moderate": "警告", "Low": "注意"}
_SEVERITY_RANK = {s.lower(): len(SEVERITIES) - i for i, s in enumerate(SEVERITIES)}

MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")
_MONTH_NUMBER = {m[:3].lower(): i for i, m in enumerate(MONTHS_EN, 1)}
_RELEASE_ID = re.compile(r"^\s*(\d{4})-([A-Za-z]{3})[A-Za-z]*\s*$")
_CVE_ID = re.compile(r"^CVE-(\d{4})-(\d{4,})$", re.IGNORECASE)

# Impact phrases at the end of MSRC titles ("… Elevation of Privilege Vulnerability"), in Japanese.
IMPACT_JA = {
    "remote code execution": "リモートコード実行",
    "elevation of privilege": "特権昇格",
    "information disclosure": "情報漏えい",
    "denial of service": "サービス拒否",
    "security feature bypass": "セキュリティ機能のバイパス",
    "spoofing": "なりすまし",
    "tampering": "改ざん",
    "memory corruption": "メモリ破損",
    "cross-site scripting": "クロスサイトスクリプティング",
    "xss": "クロスサイトスクリプティング",
}
_TRAILING_VULNERABILITY = re.compile(r"\s+vulnerability\s*$", re.IGNORECASE)
_IMPACT_SUFFIX = re.compile(
    r"^(?P<component>.*?)\s*\b(?P<impact>" + "|".join(re.escape(k) for k in IMPACT_JA) + r")$", re.IGNORECASE,
)

# Product families, first match wins (so "Internet Explorer 11 on Windows 7" is Internet Explorer).
PRODUCT_FAMILIES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (family, re.compile(pattern, re.IGNORECASE)) for family, pattern in (
        ("Adobe Flash Player", r"\bAdobe Flash\b"),
        ("Internet Explorer", r"\bInternet Explorer\b"),
        ("Edge", r"\bMicrosoft Edge\b|^Edge\b"),
        ("ChakraCore", r"\bChakraCore\b"),
        ("Exchange Server", r"\bExchange Server\b"),
        ("SharePoint", r"\bSharePoint\b"),
        ("SQL Server", r"\bSQL Server\b"),
        ("Visual Studio", r"\bVisual Studio\b"),
        (".NET", r"\.NET\b"),
        ("PowerShell", r"\bPowerShell\b"),
        ("Azure", r"\bAzure\b"),
        ("Dynamics", r"\bDynamics\b"),
        ("Skype for Business", r"\bSkype for Business\b|\bLync\b"),
        ("Teams", r"\bMicrosoft Teams\b"),
        ("Office", r"\bOffice\b|\bMicrosoft 365 Apps\b"
                   r"|^Microsoft (?:Excel|Word|Outlook|PowerPoint|Access|Publisher|Visio|Project|OneNote)\b"),
        ("Defender", r"\bDefender\b|\bMalware Protection Engine\b"),
        ("Surface", r"\bSurface\b"),
        ("Windows", r"\bWindows\b|\bRemote Desktop\b"),
    )
)
# Families most readers run; named before the others (ChakraCore, Surface…) whatever their CVE counts.
MAIN_FAMILIES = frozenset({"Windows", "Office", "Exchange Server", "SharePoint", "SQL Server"})
_FAMILY_FALLBACK_CUT = re.compile(r"\s+(?:\d|for\b|on\b|version\b|\()|\s*\(", re.IGNORECASE)


@dataclass(frozen=True)
class _EsuLine:
    name: str
    end_of_support: date
    pattern: re.Pattern[str]
    exclude: re.Pattern[str] | None = None


def _esu(name: str, end: date, pattern: str, exclude: str | None = None) -> _EsuLine:
    return _EsuLine(name, end, re.compile(pattern, re.IGNORECASE),
                    re.compile(exclude, re.IGNORECASE) if exclude else None)


# Product lines whose fixes after end of support reach only paying ESU customers. Matched anywhere in
# the product name, so "Internet Explorer 11 on Windows 7 …" counts as Windows 7 (its fixes are ESU-only
# too). Windows 8.1 had no ESU and is not listed. The Windows 10 ESU covers version 22H2 only: the
# LTSB/LTSC builds MSRC keeps listing (1607, 1809, 21H2) have their own, later support dates, and the
# unversioned "Windows 10 for …" (1507 LTSB) ended without ESU.
ESU_LINES: tuple[_EsuLine, ...] = (
    _esu("Windows 7", date(2020, 1, 14), r"\bWindows 7\b"),
    _esu("Windows Server 2008", date(2020, 1, 14), r"\bWindows Server 2008\b(?!\s+R2\b)"),
    _esu("Windows Server 2008 R2", date(2020, 1, 14), r"\bWindows Server 2008\s+R2\b"),
    _esu("Windows Server 2012", date(2023, 10, 10), r"\bWindows Server 2012\b(?!\s+R2\b)"),
    _esu("Windows Server 2012 R2", date(2023, 10, 10), r"\bWindows Server 2012\s+R2\b"),
    _esu("Windows 10", date(2025, 10, 14), r"\bWindows 10\b",
         exclude=r"\bWindows 10\s+(?:for\b|Version\s+(?:1507|1607|1809|21H2)\b)|\bLTS[BC]\b"),
)


@dataclass(frozen=True)
class DigestBullet:
    """One bullet: its text and which figures it states (``BASIS_*`` names joined with "+")."""

    text: str
    basis: str


@dataclass(frozen=True)
class _Vuln:
    cve: str
    title: str
    severity: str | None
    exploited: bool
    disclosed: bool
    products: tuple[str, ...]


# --- public API --------------------------------------------------------------------------------------


def release_digest(release_id: str, release_date: str | None, vulnerabilities: list[dict],
                   lang: str = "ja", max_chars: int = 120) -> list[DigestBullet]:
    """3 or 4 bullets summarising one monthly release.

    ``release_id`` is the MSRC id (``2020-Feb``), which gives the release month. ``release_date`` is the
    release's initial release date, ISO 8601 (naive times are UTC, as MSRC's); it is shown as the date
    in Japan time, and its UTC date decides which products are past end of support. Without it the
    first bullet has no date and the second Tuesday of the release month is used for the ESU check.
    Raises ValueError for an unusable release id or date, rows of another release, a release without
    any CVE, or a ``max_chars`` too small for a bullet.
    """
    if lang not in ("ja", "en"):
        raise ValueError(f"unsupported language: {lang!r}")
    year, month = _parse_release_id(release_id)
    shown_date, reference_date = _release_dates(release_date, year, month)
    vulns = _normalise(vulnerabilities, release_id)
    if not vulns:
        raise ValueError(f"release {release_id}: no CVE among {len(vulnerabilities)} rows")
    text = _JA if lang == "ja" else _EN
    severity = Counter(v.severity for v in vulns if v.severity)
    exploited = [v for v in vulns if v.exploited]
    disclosed = [v for v in vulns if v.disclosed]
    families = _ranked_families(vulns)
    esu = esu_products((p for v in vulns for p in v.products), reference_date)

    intro = _pick(text.intro(shown_date, year, month, len(vulns)), max_chars, "release date and count")
    sev = _pick(text.severity(severity), max_chars, "severity")
    flags = _pick(text.flags(exploited, disclosed), max_chars, "exploited/disclosed")
    bullets = [DigestBullet(intro, BASIS_COUNT), DigestBullet(sev, BASIS_CRITICAL),
               DigestBullet(flags, f"{BASIS_EXPLOITED}+{BASIS_DISCLOSED}")]
    if not families:
        return bullets
    merged = _pick(text.intro_severity(shown_date, year, month, len(vulns), severity), max_chars)
    for layout in text.products(families, esu):
        if len(layout) == 1 and len(layout[0]) <= max_chars:
            basis = f"{BASIS_PRODUCTS}+{BASIS_ESU}" if esu else BASIS_PRODUCTS
            return [*bullets, DigestBullet(layout[0], basis)]
        if len(layout) == 2 and merged and all(len(t) <= max_chars for t in layout):
            return [DigestBullet(merged, f"{BASIS_COUNT}+{BASIS_CRITICAL}"), bullets[2],
                    DigestBullet(layout[0], BASIS_PRODUCTS), DigestBullet(layout[1], BASIS_ESU)]
    raise ValueError(f"max_chars={max_chars} is too small for the products bullet")


def release_headline(release_id: str, vulnerabilities: list[dict], lang: str = "ja") -> str:
    """The headline an editor would write: who, what, the figure that matters."""
    year, month = _parse_release_id(release_id)
    vulns = _normalise(vulnerabilities, release_id)
    exploited = sum(1 for v in vulns if v.exploited)
    if lang == "en":
        tail = f", {exploited} already exploited" if exploited else ""
        return f"Microsoft's {year}-{month:02d} security updates fix {len(vulns)} vulnerabilities{tail}"
    tail = f"、うち{exploited}件は悪用を確認" if exploited else ""
    return f"Microsoftが{year}年{month}月のセキュリティ更新プログラムを公開、{len(vulns)}件の脆弱性を修正{tail}"


def product_family(product_name: str) -> str:
    """The family of an MSRC product name: "Microsoft Excel 2016 (32-bit edition)" -> "Office".

    Unknown products fall back to their name without "Microsoft ", version and platform.
    """
    name = " ".join(product_name.split())
    for family, pattern in PRODUCT_FAMILIES:
        if pattern.search(name):
            return family
    short = re.sub(r"^Microsoft\s+", "", name, flags=re.IGNORECASE)
    short = _FAMILY_FALLBACK_CUT.split(short, maxsplit=1)[0].strip()
    return short or name


def esu_products(product_names: Iterable[str], release_date: date) -> list[str]:
    """The ESU-only product lines among ``product_names`` for a release on ``release_date``.

    A line counts when the release is dated after its end of support; the result follows
    ``ESU_LINES`` order (by end-of-support date), each line once.
    """
    day = release_date.date() if isinstance(release_date, datetime) else release_date
    names = [" ".join(str(n).split()) for n in product_names]
    found = []
    for line in ESU_LINES:
        if day <= line.end_of_support:
            continue
        if any(line.pattern.search(n) and not (line.exclude and line.exclude.search(n)) for n in names):
            found.append(line.name)
    return found


def short_title(title: str, lang: str = "ja") -> str:
    """A CVE title without the trailing "Vulnerability"; in Japanese the impact is translated:
    "Windows Kernel Elevation of Privilege Vulnerability" -> "Windows Kernel の特権昇格"."""
    text = _TRAILING_VULNERABILITY.sub("", " ".join(title.split()))
    if lang != "ja":
        return text
    m = _IMPACT_SUFFIX.match(text)
    if not m:
        return text
    impact = IMPACT_JA[m.group("impact").lower()]
    component = m.group("component").strip()
    return f"{component} の{impact}" if component else impact


# --- input -------------------------------------------------------------------------------------------


def _parse_release_id(release_id: str) -> tuple[int, int]:
    m = _RELEASE_ID.match(release_id or "")
    if not m or m.group(2).lower() not in _MONTH_NUMBER:
        raise ValueError(f"not an MSRC release id (YYYY-Mon): {release_id!r}")
    return int(m.group(1)), _MONTH_NUMBER[m.group(2).lower()]


def _release_dates(release_date: str | None, year: int, month: int) -> tuple[date | None, date]:
    """(date shown, in Japan time; date compared with end-of-support dates, UTC)."""
    if release_date is None or not str(release_date).strip():
        return None, _second_tuesday(year, month)
    text = str(release_date).strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
            return day, day
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 release date: {release_date!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    utc = moment.astimezone(UTC)
    if utc.hour in (7, 8) and utc.minute == 0:
        # MSRC stamps releases at midnight Pacific; the updates ship at 10:00 Pacific, which is
        # already the next day in Japan.
        moment = utc + timedelta(hours=PACIFIC_RELEASE_HOURS)
    return moment.astimezone(JST).date(), utc.date()


def _second_tuesday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(1 - first.weekday()) % 7 + 7)


def _normalise(rows: Sequence[Mapping[str, Any]], release_id: str) -> list[_Vuln]:
    merged: dict[str, _Vuln] = {}
    for row in rows:
        row_release = row.get("release_id")
        if row_release is not None and str(row_release).strip().lower() != release_id.strip().lower():
            raise ValueError(f"row of release {row_release!r} given for {release_id!r}: {row.get('cve')!r}")
        cve = str(row.get("cve") or "").strip().upper()
        if not _CVE_ID.match(cve):
            continue
        vuln = _Vuln(cve=cve, title=" ".join(str(row.get("title") or "").split()),
                     severity=_severity(row.get("severity")), exploited=_flag(row.get("exploited")),
                     disclosed=_flag(row.get("publicly_disclosed")), products=_products(row.get("products")))
        old = merged.get(cve)
        merged[cve] = vuln if old is None else _Vuln(
            cve=cve, title=old.title or vuln.title,
            severity=max((old.severity, vuln.severity), key=lambda s: _SEVERITY_RANK.get((s or "").lower(), 0)),
            exploited=old.exploited or vuln.exploited, disclosed=old.disclosed or vuln.disclosed,
            products=tuple(dict.fromkeys(old.products + vuln.products)),
        )
    return sorted(merged.values(), key=_cve_key)


def _cve_key(v: _Vuln) -> tuple[int, int]:
    m = _CVE_ID.match(v.cve)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def _severity(value: Any) -> str | None:
    text = str(value or "").strip().lower()
    return text.capitalize() if text in _SEVERITY_RANK else None


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def _products(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str | bytes):
        try:
            value = json.loads(value) if value.strip() else []
        except json.JSONDecodeError as exc:
            raise ValueError(f"products is neither a list nor a JSON list: {value!r:.80}") from exc
    if not isinstance(value, list | tuple):
        raise ValueError(f"products is not a list: {value!r:.80}")
    return tuple(" ".join(str(p).split()) for p in value if str(p).strip())


def _ranked_families(vulns: list[_Vuln]) -> list[str]:
    """Families to name: the widely deployed ones (``MAIN_FAMILIES``) first, each group by the number
    of CVEs affecting the family, then by name."""
    counts: Counter[str] = Counter()
    for v in vulns:
        counts.update({product_family(p) for p in v.products})
    return sorted(counts, key=lambda f: (f not in MAIN_FAMILIES, -counts[f], f.lower()))


def _pick(candidates: Iterable[str], max_chars: int, what: str | None = None) -> str | None:
    for text in candidates:
        if len(text) <= max_chars:
            return text
    if what is None:
        return None
    raise ValueError(f"max_chars={max_chars} is too small for the {what} bullet")


# --- listing helpers ---------------------------------------------------------------------------------


_Listing = tuple[str, int]  # ("titles" | "ids" | "first" | "none", how many ids for "first")


def _listings(n: int) -> list[_Listing]:
    """Ways to list n CVEs, most informative first."""
    if n == 0:
        return [("none", 0)]
    return [("titles", n), ("ids", n), *(("first", k) for k in range(n - 1, 0, -1)), ("none", 0)]


def _flag_listings(exploited: int, disclosed: int) -> Iterator[tuple[_Listing, _Listing]]:
    """Listing pairs: titles for both, titles for the exploited only, then ids, then fewer ids."""
    e_all, d_all = _listings(exploited), _listings(disclosed)
    yield e_all[0], d_all[0]
    if disclosed:
        yield e_all[0], d_all[1] if len(d_all) > 1 else d_all[0]
    for e in e_all[1:] or e_all:
        for d in d_all[1:] or d_all:
            yield e, d


# --- Japanese ------------------------------------------------------------------------------------------


class _JA:
    @staticmethod
    def _opening(shown: date | None, year: int, month: int, count: int) -> str:
        when = f"{shown.month}月{shown.day}日(日本時間)、" if shown else ""
        return (f"{when}Microsoftより、{year}年{month}月のセキュリティ更新プログラムが公開され、"
                f"{count}件の脆弱性が修正され")

    @staticmethod
    def intro(shown: date | None, year: int, month: int, count: int) -> list[str]:
        return [_JA._opening(shown, year, month, count) + "ました。"]

    @staticmethod
    def _severity_clause(severity: Counter[str], levels: Sequence[str]) -> str:
        parts = [f"「{SEVERITY_JA[s]}」は{severity[s]}件" for s in levels if severity[s]]
        if severity["Critical"]:
            return "このうち深刻度" + "、".join(parts)
        if parts:
            return "このうち深刻度「緊急」の脆弱性はなく、" + "、".join(parts)
        return "このうち深刻度「緊急」と評価された脆弱性はありません"

    @staticmethod
    def _severity_levels() -> list[Sequence[str]]:
        return [SEVERITIES, SEVERITIES[:2], SEVERITIES[:1]]

    @staticmethod
    def severity(severity: Counter[str]) -> list[str]:
        out = []
        for levels in _JA._severity_levels():
            clause = _JA._severity_clause(severity, levels)
            out.append(clause + ("。" if clause.endswith("ません") else "です。"))
        return out

    @staticmethod
    def intro_severity(shown: date | None, year: int, month: int, count: int, severity: Counter[str]) -> list[str]:
        out = []
        for levels in _JA._severity_levels():
            clause = _JA._severity_clause(severity, levels)
            out.append(f"{_JA._opening(shown, year, month, count)}、{clause}"
                       + ("。" if clause.endswith("ません") else "です。"))
        return out

    @staticmethod
    def _list(vulns: list[_Vuln], listing: _Listing) -> str:
        mode, k = listing
        if mode == "none":
            return ""
        if mode == "titles":
            items = [f"{v.cve}「{short_title(v.title)}」" if v.title else v.cve for v in vulns]
        else:
            items = [v.cve for v in vulns[:k]]
        return "(" + "、".join(items) + ("など" if mode == "first" else "") + ")"

    @staticmethod
    def flags(exploited: list[_Vuln], disclosed: list[_Vuln]) -> list[str]:
        if not exploited and not disclosed:
            return ["悪用や一般公開が確認された脆弱性はありません。"]
        out = []
        for e, d in _flag_listings(len(exploited), len(disclosed)):
            exp = f"悪用が確認されている脆弱性は{len(exploited)}件{_JA._list(exploited, e)}"
            dis = f"一般に公開済みの脆弱性は{len(disclosed)}件{_JA._list(disclosed, d)}"
            if exploited and disclosed:
                out.append(f"{exp}、{dis}です。")
            elif exploited:
                out.append(f"{exp}で、一般に公開済みの脆弱性はありません。")
            else:
                out.append(f"悪用が確認されている脆弱性はありませんが、{dis}です。")
        return out

    @staticmethod
    def _families(families: list[str], n: int) -> str:
        total = len(families)
        if n == 0:
            return f"計{total}製品ファミリー"
        shown = "、".join(families[:n])
        if n < total:
            return f"{shown}など計{total}製品ファミリー"
        return shown if total == 1 else f"{shown}の{total}製品ファミリー"

    @staticmethod
    def _esu(esu: list[str], m: int, long: bool) -> str:
        what = "ESU(拡張セキュリティ更新)" if long else "ESU"
        if m == 0:
            return f"サポートが終了した{len(esu)}製品は{what}契約者のみ修正を受けられます。"
        names = "、".join(esu[:m]) + ("など" if m < len(esu) else "")
        return f"サポートが終了した{names}は{what}契約者のみ修正を受けられます。"

    @staticmethod
    def products(families: list[str], esu: list[str]) -> Iterator[tuple[str, ...]]:
        return _product_layouts(families, esu, _JA._families, _JA._esu,
                                lambda fam, tail: f"{fam}が対象で、{tail}", lambda fam: f"{fam}が対象です。")


# --- English -------------------------------------------------------------------------------------------


def _n(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


class _EN:
    @staticmethod
    def _opening(shown: date | None, year: int, month: int, count: int, short: bool) -> str:
        month_name = MONTHS_EN[month - 1][:3] if short else MONTHS_EN[month - 1]
        when = ""
        if shown:
            shown_month = MONTHS_EN[shown.month - 1][:3] if short else MONTHS_EN[shown.month - 1]
            when = f"On {shown_month} {shown.day} ({'JST' if short else 'Japan time'}), "
        return (f"{when}Microsoft released its {month_name} {year} security updates, "
                f"fixing {_n(count, 'vulnerability', 'vulnerabilities')}")

    @staticmethod
    def intro(shown: date | None, year: int, month: int, count: int) -> list[str]:
        return [_EN._opening(shown, year, month, count, short) + "." for short in (False, True)]

    @staticmethod
    def _severity_parts(severity: Counter[str], levels: Sequence[str]) -> list[str]:
        return [f"{severity[s]} {s}" for s in levels if severity[s] and s != "Critical"]

    @staticmethod
    def severity(severity: Counter[str]) -> list[str]:
        out = []
        for levels in _JA._severity_levels():
            others = _EN._severity_parts(severity, levels)
            critical = severity["Critical"]
            if critical:
                verb = "is" if critical == 1 else "are"
                out.append(f"Of these, {critical} {verb} rated Critical"
                           + (f", with {_and(others)}." if others else "."))
            elif others:
                out.append(f"None of them is rated Critical; {_and(others)}.")
            else:
                out.append("None of them is rated Critical.")
        return out

    @staticmethod
    def intro_severity(shown: date | None, year: int, month: int, count: int, severity: Counter[str]) -> list[str]:
        out = []
        for short in (False, True):
            for levels in _JA._severity_levels():
                others = _EN._severity_parts(severity, levels)
                critical = severity["Critical"]
                head = _EN._opening(shown, year, month, count, short)
                tail = f"{critical} rated Critical" if critical else "none rated Critical"
                out.append(f"{head}, {tail}" + (f" ({_and(others)})." if others else "."))
        return out

    @staticmethod
    def _list(vulns: list[_Vuln], listing: _Listing) -> str:
        mode, k = listing
        if mode == "none":
            return ""
        if mode == "titles":
            return " (" + "; ".join(f"{v.cve}: {short_title(v.title, 'en')}" if v.title else v.cve
                                    for v in vulns) + ")"
        return " (" + ", ".join(v.cve for v in vulns[:k]) + (", etc." if mode == "first" else "") + ")"

    @staticmethod
    def flags(exploited: list[_Vuln], disclosed: list[_Vuln]) -> list[str]:
        if not exploited and not disclosed:
            return ["No vulnerability is known to be exploited or to have been publicly disclosed."]
        out = []
        for e, d in _flag_listings(len(exploited), len(disclosed)):
            ne, nd = len(exploited), len(disclosed)
            exp = f"{ne} {'is' if ne == 1 else 'are'} known to be exploited{_EN._list(exploited, e)}"
            dis = f"{nd} {'was' if nd == 1 else 'were'} publicly disclosed{_EN._list(disclosed, d)}"
            if exploited and disclosed:
                out.append(f"{exp} and {dis}.")
            elif exploited:
                out.append(f"{exp}; none was publicly disclosed.")
            else:
                out.append(f"None is known to be exploited, but {dis}.")
        return out

    @staticmethod
    def _families(families: list[str], n: int) -> str:
        total = len(families)
        if n == 0:
            return _n(total, "product family", "product families")
        if n < total:
            return ", ".join(families[:n]) + f" and {_n(total - n, 'other family', 'other families')}"
        return _and(families)

    @staticmethod
    def _esu(esu: list[str], m: int, long: bool) -> str:
        what = "paying Extended Security Update (ESU) customers" if long else "paying ESU customers"
        if m == 0:
            names = _n(len(esu), "product past end of support", "products past end of support")
            return f"for {names}, only {what} get the fixes."
        names = (", ".join(esu[:m]) + ", etc.") if m < len(esu) else _and(esu)
        verb = "are" if m > 1 or m < len(esu) else "is"
        return f"{names} {verb} past end of support, so only {what} get the fixes."

    @staticmethod
    def products(families: list[str], esu: list[str]) -> Iterator[tuple[str, ...]]:
        return _product_layouts(families, esu, _EN._families, _EN._esu,
                                lambda fam, tail: f"The updates cover {fam}; {tail}",
                                lambda fam: f"The updates cover {fam}.")


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _product_layouts(families: list[str], esu: list[str], fam: Callable[[list[str], int], str],
                     esu_text: Callable[[list[str], int, bool], str],
                     combined: Callable[[str, str], str], alone: Callable[[str], str]) -> Iterator[tuple[str, ...]]:
    """Products bullet layouts, most informative first: one bullet, or two (families | ESU) when the
    caller can merge the first two bullets to stay within four."""
    fam_levels = [n for n in (3, 2, 1) if n <= len(families)] + [0]
    if not esu:
        for n in fam_levels:
            yield (alone(fam(families, n)),)
        return
    esu_levels = [len(esu), *range(len(esu) - 1, -1, -1)]  # all names, then fewer, then a count
    named = fam_levels[:-1]
    for n in named:  # every ESU name, full wording: one bullet with fewer family names, then two bullets
        yield (combined(fam(families, n), esu_text(esu, len(esu), True)),)
    for n in named:
        yield (alone(fam(families, n)), _capitalise(esu_text(esu, len(esu), True)))
    for m in esu_levels:
        for long in (True, False):
            for n in fam_levels:
                yield (combined(fam(families, n), esu_text(esu, m, long)),)
            for n in fam_levels:
                yield (alone(fam(families, n)), _capitalise(esu_text(esu, m, long)))
