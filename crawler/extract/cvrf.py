"""Microsoft MSRC APIs: the CVRF v3.0 update list, CVRF documents (XML or JSON) and SUG release notes.

Pure parsing: response bytes in, dataclasses out. Both CVRF formats are first reduced to the same raw
shape (``RawDoc``), then summarised by one code path, so XML and JSON give identical results.
Dates come out as ISO 8601 strings with an offset; naive MSRC timestamps are UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree
from lxml import html as lxml_html

from crawler.extract.cvrf_readers import (
    CvrfError,
    Item,
    RawDoc,
    RawVuln,
    clean,
    iso_date,
    json_values,
    jstring,
    load_json,
    read_json,
    read_xml,
    strip_bom,
    to_float,
    unique,
)

__all__ = ["CvrfError", "CvrfRelease", "ReleaseNote", "UpdateEntry", "Vulnerability", "detect_format",
           "html_to_text", "odata_next_link", "parse_cvrf", "parse_release_notes", "parse_updates"]

SEVERITY_RANK = {"critical": 4, "important": 3, "moderate": 2, "low": 1}
_KB = re.compile(r"(?:KB)?\s*(\d+)", re.IGNORECASE)
_BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "tr", "table", "thead", "tbody", "br", "blockquote", "pre",
               "h1", "h2", "h3", "h4", "h5", "h6"}


@dataclass(frozen=True)
class UpdateEntry:
    """One month of ``/cvrf/v3.0/updates``."""

    id: str
    alias: str | None
    document_title: str | None
    severity: str | None
    initial_release_date: str | None
    current_release_date: str | None
    cvrf_url: str | None


@dataclass(frozen=True)
class Vulnerability:
    """One CVE of a monthly release, summarised over all affected products."""

    cve: str
    title: str
    severity: str | None
    impact: str | None
    exploited: bool
    publicly_disclosed: bool
    products: list[str]
    kb_numbers: list[str]
    cvss_base_score: float | None
    last_revision_date: str | None


@dataclass
class CvrfRelease:
    """A monthly CVRF document (e.g. ``2020-Feb``)."""

    id: str
    title: str
    initial_release_date: str | None
    current_release_date: str | None
    revision: str | None
    notes: list[tuple[str, str]] = field(default_factory=list)
    products: dict[str, str] = field(default_factory=dict)
    vulnerabilities: list[Vulnerability] = field(default_factory=list)


@dataclass(frozen=True)
class ReleaseNote:
    """One entry of the Security Update Guide ``releaseNote`` OData API."""

    id: str | None
    release_number: str
    release_date: str | None
    title: str
    description_html: str

    @property
    def description_text(self) -> str:
        return html_to_text(self.description_html)


# --- public entry points --------------------------------------------------------------------------


def parse_updates(body: bytes) -> list[UpdateEntry]:
    """Parse the ``/cvrf/v3.0/updates`` JSON list."""
    rows = json_values(body, "updates list")
    out = []
    for row in rows:
        if not isinstance(row, dict) or not row.get("ID"):
            raise CvrfError(f"updates list: entry without ID: {row!r:.80}")
        out.append(UpdateEntry(
            id=str(row["ID"]), alias=row.get("Alias"), document_title=row.get("DocumentTitle"),
            severity=row.get("Severity"), initial_release_date=iso_date(row.get("InitialReleaseDate")),
            current_release_date=iso_date(row.get("CurrentReleaseDate")), cvrf_url=row.get("CvrfUrl"),
        ))
    return out


def parse_cvrf(body: bytes, content_type: str | None = None) -> CvrfRelease:
    """Parse a CVRF document; XML or JSON is decided by Content-Type, else by the first byte."""
    kind = detect_format(body, content_type)
    raw = read_xml(body) if kind == "xml" else read_json(body)
    return _build_release(raw)


def parse_release_notes(body: bytes) -> list[ReleaseNote]:
    """Parse a SUG ``releaseNote`` OData response."""
    out = []
    for row in json_values(body, "releaseNote response"):
        if not isinstance(row, dict) or not row.get("releaseNumber"):
            raise CvrfError(f"releaseNote response: entry without releaseNumber: {row!r:.80}")
        out.append(ReleaseNote(
            id=row.get("id"), release_number=str(row["releaseNumber"]),
            release_date=iso_date(row.get("releaseDate")), title=clean(row.get("title")),
            description_html=jstring(row.get("description")),
        ))
    return out


def odata_next_link(body: bytes) -> str | None:
    """The ``@odata.nextLink`` of an OData response, if any (for paging)."""
    data = load_json(body, "OData response")
    link = data.get("@odata.nextLink") if isinstance(data, dict) else None
    return link if isinstance(link, str) and link.strip() else None


def detect_format(body: bytes, content_type: str | None = None) -> str:
    """Return ``"xml"`` or ``"json"``: from the media type if it says so, else by sniffing."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media.endswith(("/json", "+json")):
        return "json"
    if media.endswith(("/xml", "+xml")):
        return "xml"
    head = strip_bom(body).lstrip()[:1]
    if head == b"<":
        return "xml"
    if head in (b"{", b"["):
        return "json"
    raise CvrfError(f"CVRF body is neither XML nor JSON (starts with {body[:20]!r})")


def html_to_text(html: str | None) -> str:
    """Plain text of an HTML fragment: one line per block element, whitespace collapsed."""
    if not html or not html.strip():
        return ""
    try:
        root = lxml_html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return clean(html)
    for el in root.iter():
        if isinstance(el.tag, str):
            tag = el.tag.lower()
            if tag in _BLOCK_TAGS:
                el.tail = "\n" + (el.tail or "")
                if tag != "br":
                    el.text = "\n" + (el.text or "")
            elif tag in ("td", "th"):
                el.tail = " " + (el.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


# --- summarising ------------------------------------------------------------------------------------


def _build_release(raw: RawDoc) -> CvrfRelease:
    return CvrfRelease(
        id=raw.id, title=raw.title, initial_release_date=iso_date(raw.initial),
        current_release_date=iso_date(raw.current), revision=_latest_number(raw.revisions),
        notes=raw.notes, products=raw.products,
        vulnerabilities=[_build_vuln(v, raw.products) for v in raw.vulns],
    )


def _build_vuln(raw: RawVuln, products: dict[str, str]) -> Vulnerability:
    affected = unique(i for s in raw.statuses if s.type == "Known Affected" for i in s.ids)
    flags = [_exploit_flags(t.text) for t in raw.threats if t.type == "Exploit Status"]
    scores = [s for s in (to_float(x) for x in raw.scores) if s is not None]
    dates = [iso_date(d) for _, d in raw.revisions if d]
    return Vulnerability(
        cve=raw.cve, title=raw.title, severity=_highest_severity(raw.threats),
        impact=_main_impact(raw.threats), exploited=any(f.get("exploited") == "yes" for f in flags),
        publicly_disclosed=any(f.get("publicly disclosed") == "yes" for f in flags),
        products=sorted({products.get(pid, pid) for pid in affected}),
        kb_numbers=_kb_numbers(raw.remediations), cvss_base_score=max(scores, default=None),
        last_revision_date=max(dates, key=datetime.fromisoformat, default=None),
    )


def _severity_rank(text: str) -> int:
    return SEVERITY_RANK.get(text.strip().lower(), 0)


def _highest_severity(threats: list[Item]) -> str | None:
    ranked = [t.text for t in threats if t.type == "Severity" and _severity_rank(t.text)]
    return max(ranked, key=_severity_rank).strip().capitalize() if ranked else None


def _main_impact(threats: list[Item]) -> str | None:
    """The impact seen with the highest severity; ties go to the most frequent, then the first."""
    severity_of: dict[str, int] = {}
    for t in threats:
        if t.type == "Severity":
            for pid in t.ids:
                severity_of[pid] = max(severity_of.get(pid, 0), _severity_rank(t.text))
    score: dict[str, tuple[int, int]] = {}
    for t in threats:
        if t.type == "Impact" and t.text:
            rank = max((severity_of.get(pid, 0) for pid in t.ids), default=0)
            best, count = score.get(t.text, (0, 0))
            score[t.text] = (max(best, rank), count + max(len(t.ids), 1))
    return max(score, key=score.__getitem__) if score else None


def _exploit_flags(text: str) -> dict[str, str]:
    """``Publicly Disclosed:No;Exploited:Yes;...`` -> {"publicly disclosed": "no", "exploited": "yes"}."""
    pairs = (part.split(":", 1) for part in text.split(";") if ":" in part)
    return {" ".join(k.split()).lower(): v.strip().lower() for k, v in pairs}


def _kb_numbers(remediations: list[Item]) -> list[str]:
    found = {m.group(1) for r in remediations if r.type == "Vendor Fix" if (m := _KB.fullmatch(r.text))}
    return sorted(found, key=int)


def _latest_number(revisions: list[tuple[str, str]]) -> str | None:
    numbers = [n for n, _ in revisions if n]
    return max(numbers, key=lambda n: tuple(int(x) for x in re.findall(r"\d+", n))) if numbers else None
