"""Microsoft MSRC APIs: the CVRF v3.0 update list, CVRF documents (XML or JSON) and SUG release notes.

Pure parsing: response bytes in, dataclasses out. Both CVRF formats are first reduced to the same raw
shape (``_RawDoc``), then summarised by one code path, so XML and JSON give identical results.
Dates come out as ISO 8601 strings with an offset; naive MSRC timestamps are UTC.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from lxml import etree
from lxml import html as lxml_html

BOM = b"\xef\xbb\xbf"
SEVERITY_RANK = {"critical": 4, "important": 3, "moderate": 2, "low": 1}
# Numeric enums of the JSON form (MSRC's PowerShell module uses Threat 0/3 and Remediation 2).
THREAT_TYPES = {0: "Impact", 1: "Exploit Status", 2: "Target Set", 3: "Severity"}
REMEDIATION_TYPES = {0: "Workaround", 1: "Mitigation", 2: "Vendor Fix", 3: "None Available", 4: "Will Not Fix"}
STATUS_TYPES = {3: "Known Affected"}
_KB = re.compile(r"(?:KB)?\s*(\d+)", re.IGNORECASE)
_BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "tr", "table", "thead", "tbody", "br", "blockquote", "pre",
               "h1", "h2", "h3", "h4", "h5", "h6"}


class CvrfError(ValueError):
    """The body is not a usable MSRC API response."""


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


# --- raw shape shared by the XML and JSON readers -------------------------------------------------


class _Item(NamedTuple):
    type: str
    text: str
    ids: tuple[str, ...]


@dataclass
class _RawVuln:
    cve: str
    title: str
    statuses: list[_Item]
    threats: list[_Item]
    remediations: list[_Item]
    scores: list[str]
    revisions: list[tuple[str, str]]


@dataclass
class _RawDoc:
    id: str
    title: str
    initial: str
    current: str
    revisions: list[tuple[str, str]]
    notes: list[tuple[str, str]]
    products: dict[str, str]
    vulns: list[_RawVuln]


# --- public entry points --------------------------------------------------------------------------


def parse_updates(body: bytes) -> list[UpdateEntry]:
    """Parse the ``/cvrf/v3.0/updates`` JSON list."""
    rows = _json_values(body, "updates list")
    out = []
    for row in rows:
        if not isinstance(row, dict) or not row.get("ID"):
            raise CvrfError(f"updates list: entry without ID: {row!r:.80}")
        out.append(UpdateEntry(
            id=str(row["ID"]), alias=row.get("Alias"), document_title=row.get("DocumentTitle"),
            severity=row.get("Severity"), initial_release_date=_iso(row.get("InitialReleaseDate")),
            current_release_date=_iso(row.get("CurrentReleaseDate")), cvrf_url=row.get("CvrfUrl"),
        ))
    return out


def parse_cvrf(body: bytes, content_type: str | None = None) -> CvrfRelease:
    """Parse a CVRF document; XML or JSON is decided by Content-Type, else by the first byte."""
    kind = detect_format(body, content_type)
    raw = _read_xml(body) if kind == "xml" else _read_json(body)
    return _build_release(raw)


def parse_release_notes(body: bytes) -> list[ReleaseNote]:
    """Parse a SUG ``releaseNote`` OData response."""
    out = []
    for row in _json_values(body, "releaseNote response"):
        if not isinstance(row, dict) or not row.get("releaseNumber"):
            raise CvrfError(f"releaseNote response: entry without releaseNumber: {row!r:.80}")
        out.append(ReleaseNote(
            id=row.get("id"), release_number=str(row["releaseNumber"]),
            release_date=_iso(row.get("releaseDate")), title=_clean(row.get("title")),
            description_html=_jstring(row.get("description")),
        ))
    return out


def odata_next_link(body: bytes) -> str | None:
    """The ``@odata.nextLink`` of an OData response, if any (for paging)."""
    data = _load_json(body, "OData response")
    link = data.get("@odata.nextLink") if isinstance(data, dict) else None
    return link if isinstance(link, str) and link.strip() else None


def detect_format(body: bytes, content_type: str | None = None) -> str:
    """Return ``"xml"`` or ``"json"``: from the media type if it says so, else by sniffing."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media.endswith(("/json", "+json")):
        return "json"
    if media.endswith(("/xml", "+xml")):
        return "xml"
    head = _strip_bom(body).lstrip()[:1]
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
        return _clean(html)
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


def _build_release(raw: _RawDoc) -> CvrfRelease:
    return CvrfRelease(
        id=raw.id, title=raw.title, initial_release_date=_iso(raw.initial),
        current_release_date=_iso(raw.current), revision=_latest_number(raw.revisions),
        notes=raw.notes, products=raw.products,
        vulnerabilities=[_build_vuln(v, raw.products) for v in raw.vulns],
    )


def _build_vuln(raw: _RawVuln, products: dict[str, str]) -> Vulnerability:
    affected = _unique(i for s in raw.statuses if s.type == "Known Affected" for i in s.ids)
    flags = [_exploit_flags(t.text) for t in raw.threats if t.type == "Exploit Status"]
    scores = [s for s in (_float(x) for x in raw.scores) if s is not None]
    dates = [_iso(d) for _, d in raw.revisions if d]
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


def _highest_severity(threats: list[_Item]) -> str | None:
    ranked = [t.text for t in threats if t.type == "Severity" and _severity_rank(t.text)]
    return max(ranked, key=_severity_rank).strip().capitalize() if ranked else None


def _main_impact(threats: list[_Item]) -> str | None:
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


def _kb_numbers(remediations: list[_Item]) -> list[str]:
    found = {m.group(1) for r in remediations if r.type == "Vendor Fix" if (m := _KB.fullmatch(r.text))}
    return sorted(found, key=int)


def _latest_number(revisions: list[tuple[str, str]]) -> str | None:
    numbers = [n for n, _ in revisions if n]
    return max(numbers, key=lambda n: tuple(int(x) for x in re.findall(r"\d+", n))) if numbers else None


# --- XML reader ------------------------------------------------------------------------------------


def _read_xml(body: bytes) -> _RawDoc:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    try:
        root = etree.fromstring(_strip_bom(body).lstrip(), parser)
    except etree.XMLSyntaxError as exc:
        raise CvrfError(f"CVRF XML is not well-formed: {exc}") from exc
    tracking = _kid(root, "DocumentTracking")
    if tracking is None:
        raise CvrfError("CVRF XML has no DocumentTracking element")
    doc_id = _text(_kid(_kid(tracking, "Identification"), "ID"))
    if not doc_id:
        raise CvrfError("CVRF XML has no DocumentTracking/Identification/ID")
    tree = _kid(root, "ProductTree")
    return _RawDoc(
        id=doc_id, title=_text(_kid(root, "DocumentTitle")),
        initial=_text(_kid(tracking, "InitialReleaseDate")),
        current=_text(_kid(tracking, "CurrentReleaseDate")),
        revisions=_xml_revisions(_kid(tracking, "RevisionHistory")),
        notes=[(n.get("Title") or "", (n.text or "").strip()) for n in _kids(_kid(root, "DocumentNotes"), "Note")],
        products={} if tree is None else {
            el.get("ProductID"): _text(el) for el in tree.iter()
            if _local(el) == "FullProductName" and el.get("ProductID")
        },
        vulns=[_xml_vuln(v) for v in _kids(root, "Vulnerability")],
    )


def _xml_vuln(v: Any) -> _RawVuln:
    def items(group: str, member: str, types: dict[int, str]) -> list[_Item]:
        return [_xml_item(el, types) for el in _kids(_kid(v, group), member)]

    return _RawVuln(
        cve=_text(_kid(v, "CVE")), title=_text(_kid(v, "Title")),
        statuses=items("ProductStatuses", "Status", STATUS_TYPES),
        threats=items("Threats", "Threat", THREAT_TYPES),
        remediations=items("Remediations", "Remediation", REMEDIATION_TYPES),
        scores=[_text(_kid(s, "BaseScore")) for s in _kids(_kid(v, "CVSSScoreSets"), "ScoreSet")],
        revisions=_xml_revisions(_kid(v, "RevisionHistory")),
    )


def _xml_item(el: Any, types: dict[int, str]) -> _Item:
    ids = tuple(_text(p) for p in _kids(el, "ProductID"))
    return _Item(_enum(el.get("Type"), types), _text(_kid(el, "Description")), ids)


def _xml_revisions(history: Any) -> list[tuple[str, str]]:
    return [(_text(_kid(r, "Number")), _text(_kid(r, "Date"))) for r in _kids(history, "Revision")]


def _local(el: Any) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _kids(el: Any, name: str) -> list[Any]:
    return [] if el is None else [c for c in el if _local(c) == name]


def _kid(el: Any, name: str) -> Any:
    found = _kids(el, name)
    return found[0] if found else None


def _text(el: Any) -> str:
    return "" if el is None else _clean("".join(el.itertext()))


# --- JSON reader -----------------------------------------------------------------------------------


def _read_json(body: bytes) -> _RawDoc:
    data = _load_json(body, "CVRF JSON")
    if not isinstance(data, dict):
        raise CvrfError("CVRF JSON is not an object")
    tracking = data.get("DocumentTracking")
    if not isinstance(tracking, dict):
        raise CvrfError("CVRF JSON has no DocumentTracking object")
    doc_id = _jtext((tracking.get("Identification") or {}).get("ID"))
    if not doc_id:
        raise CvrfError("CVRF JSON has no DocumentTracking.Identification.ID")
    return _RawDoc(
        id=doc_id, title=_jtext(data.get("DocumentTitle")),
        initial=_jtext(tracking.get("InitialReleaseDate")), current=_jtext(tracking.get("CurrentReleaseDate")),
        revisions=_json_revisions(tracking.get("RevisionHistory")),
        notes=[(_clean(_jstring(n.get("Title"))), _jstring(_jvalue(n)).strip())
               for n in _dicts(data.get("DocumentNotes"))],
        products=dict(_json_products(data.get("ProductTree"))),
        vulns=[_json_vuln(v) for v in _dicts(data.get("Vulnerability"))],
    )


def _json_vuln(v: dict[str, Any]) -> _RawVuln:
    def items(key: str, types: dict[int, str]) -> list[_Item]:
        return [_Item(_enum(x.get("Type"), types), _jtext(x.get("Description")), _ids(x.get("ProductID")))
                for x in _dicts(v.get(key))]

    return _RawVuln(
        cve=_jtext(v.get("CVE")), title=_jtext(v.get("Title")),
        statuses=items("ProductStatuses", STATUS_TYPES), threats=items("Threats", THREAT_TYPES),
        remediations=items("Remediations", REMEDIATION_TYPES),
        scores=[_jtext(s.get("BaseScore")) for s in _dicts(v.get("CVSSScoreSets"))],
        revisions=_json_revisions(v.get("RevisionHistory")),
    )


def _json_revisions(history: Any) -> list[tuple[str, str]]:
    return [(_jtext(r.get("Number")), _jtext(r.get("Date"))) for r in _dicts(history)]


def _json_products(node: Any) -> Iterator[tuple[str, str]]:
    """Every ``{"ProductID": "...", "Value": "..."}`` under the ProductTree, branches included."""
    if isinstance(node, dict):
        if isinstance(node.get("ProductID"), str | int) and "Value" in node:
            yield str(node["ProductID"]), _jtext(node)
        for child in node.values():
            yield from _json_products(child)
    elif isinstance(node, list):
        for child in node:
            yield from _json_products(child)


def _jvalue(x: Any) -> Any:
    return x.get("Value") if isinstance(x, dict) else x


def _jtext(x: Any) -> str:
    value = _jvalue(x)
    return "" if value is None else _clean(str(value))


def _jstring(x: Any) -> str:
    """A free-text field kept as written (HTML notes); anything but a string counts as empty."""
    return x if isinstance(x, str) else ""


def _ids(x: Any) -> tuple[str, ...]:
    if x is None:
        return ()
    return tuple(str(i) for i in x) if isinstance(x, list) else (str(x),)


def _dicts(x: Any) -> list[dict[str, Any]]:
    return [d for d in x if isinstance(d, dict)] if isinstance(x, list) else []


def _load_json(body: bytes, what: str) -> Any:
    try:
        return json.loads(_strip_bom(body).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CvrfError(f"{what} is not valid JSON: {exc}") from exc


def _json_values(body: bytes, what: str) -> list[Any]:
    data = _load_json(body, what)
    if not isinstance(data, dict) or not isinstance(data.get("value"), list):
        raise CvrfError(f"{what} has no 'value' list")
    return data["value"]


# --- small helpers ---------------------------------------------------------------------------------


def _strip_bom(body: bytes) -> bytes:
    return body[len(BOM):] if body.startswith(BOM) else body


def _clean(text: Any) -> str:
    return " ".join(str(text).split()) if text is not None else ""


def _enum(value: Any, names: dict[int, str]) -> str:
    """A CVRF enum as its name: numeric (JSON) codes are mapped, names pass through."""
    if isinstance(value, int) and not isinstance(value, bool):
        return names.get(value, str(value))
    text = _clean(value)
    return names.get(int(text), text) if text.isdigit() else text


def _float(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _iso(value: Any) -> str | None:
    """ISO 8601 with an offset; ``Z`` becomes ``+00:00`` and naive times are taken as UTC."""
    text = _clean(value)
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise CvrfError(f"not an ISO 8601 date: {text!r}") from exc
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).isoformat()
