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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from pipeline.summarise.msrc_products import MAIN_FAMILIES, esu_products, product_family
from pipeline.summarise.msrc_wording import EN, JA, MONTHS_EN, SEVERITIES, Vuln, short_title

__all__ = ["BASIS_COUNT", "BASIS_CRITICAL", "BASIS_DISCLOSED", "BASIS_ESU", "BASIS_EXPLOITED", "BASIS_PRODUCTS",
           "DigestBullet", "esu_products", "product_family", "release_digest", "release_headline", "short_title"]

JST = timezone(timedelta(hours=9), "JST")
PACIFIC_RELEASE_HOURS = 10  # from the midnight-Pacific stamp to the 10:00 Pacific release

# Values of DigestBullet.basis, joined with "+" when one bullet states several.
BASIS_COUNT = "count"
BASIS_CRITICAL = "critical"
BASIS_EXPLOITED = "exploited"
BASIS_DISCLOSED = "disclosed"
BASIS_PRODUCTS = "products"
BASIS_ESU = "esu"

_SEVERITY_RANK = {s.lower(): len(SEVERITIES) - i for i, s in enumerate(SEVERITIES)}
_MONTH_NUMBER = {m[:3].lower(): i for i, m in enumerate(MONTHS_EN, 1)}
_RELEASE_ID = re.compile(r"^\s*(\d{4})-([A-Za-z]{3})[A-Za-z]*\s*$")
_CVE_ID = re.compile(r"^CVE-(\d{4})-(\d{4,})$", re.IGNORECASE)


@dataclass(frozen=True)
class DigestBullet:
    """One bullet: its text and which figures it states (``BASIS_*`` names joined with "+")."""

    text: str
    basis: str


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
    text = JA if lang == "ja" else EN
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


def _normalise(rows: Sequence[Mapping[str, Any]], release_id: str) -> list[Vuln]:
    merged: dict[str, Vuln] = {}
    for row in rows:
        row_release = row.get("release_id")
        if row_release is not None and str(row_release).strip().lower() != release_id.strip().lower():
            raise ValueError(f"row of release {row_release!r} given for {release_id!r}: {row.get('cve')!r}")
        cve = str(row.get("cve") or "").strip().upper()
        if not _CVE_ID.match(cve):
            continue
        vuln = Vuln(cve=cve, title=" ".join(str(row.get("title") or "").split()),
                     severity=_severity(row.get("severity")), exploited=_flag(row.get("exploited")),
                     disclosed=_flag(row.get("publicly_disclosed")), products=_products(row.get("products")))
        old = merged.get(cve)
        merged[cve] = vuln if old is None else Vuln(
            cve=cve, title=old.title or vuln.title,
            severity=max((old.severity, vuln.severity), key=lambda s: _SEVERITY_RANK.get((s or "").lower(), 0)),
            exploited=old.exploited or vuln.exploited, disclosed=old.disclosed or vuln.disclosed,
            products=tuple(dict.fromkeys(old.products + vuln.products)),
        )
    return sorted(merged.values(), key=_cve_key)


def _cve_key(v: Vuln) -> tuple[int, int]:
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


def _ranked_families(vulns: list[Vuln]) -> list[str]:
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
