"""The two raw forms of a CVRF document, XML and JSON, read into one shape (RawDoc) for cvrf.py to summarise."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from lxml import etree

BOM = b"\xef\xbb\xbf"
# Numeric enums of the JSON form (MSRC's PowerShell module uses Threat 0/3 and Remediation 2).
THREAT_TYPES = {0: "Impact", 1: "Exploit Status", 2: "Target Set", 3: "Severity"}
REMEDIATION_TYPES = {0: "Workaround", 1: "Mitigation", 2: "Vendor Fix", 3: "None Available", 4: "Will Not Fix"}
STATUS_TYPES = {3: "Known Affected"}


class CvrfError(ValueError):
    """The body is not a usable MSRC API response."""


# --- raw shape shared by the XML and JSON readers -------------------------------------------------


class Item(NamedTuple):
    type: str
    text: str
    ids: tuple[str, ...]


@dataclass
class RawVuln:
    cve: str
    title: str
    statuses: list[Item]
    threats: list[Item]
    remediations: list[Item]
    scores: list[str]
    revisions: list[tuple[str, str]]


@dataclass
class RawDoc:
    id: str
    title: str
    initial: str
    current: str
    revisions: list[tuple[str, str]]
    notes: list[tuple[str, str]]
    products: dict[str, str]
    vulns: list[RawVuln]


# --- XML reader ------------------------------------------------------------------------------------


def read_xml(body: bytes) -> RawDoc:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    try:
        root = etree.fromstring(strip_bom(body).lstrip(), parser)
    except etree.XMLSyntaxError as exc:
        raise CvrfError(f"CVRF XML is not well-formed: {exc}") from exc
    tracking = _kid(root, "DocumentTracking")
    if tracking is None:
        raise CvrfError("CVRF XML has no DocumentTracking element")
    doc_id = _text(_kid(_kid(tracking, "Identification"), "ID"))
    if not doc_id:
        raise CvrfError("CVRF XML has no DocumentTracking/Identification/ID")
    tree = _kid(root, "ProductTree")
    return RawDoc(
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


def _xml_vuln(v: Any) -> RawVuln:
    def items(group: str, member: str, types: dict[int, str]) -> list[Item]:
        return [_xml_item(el, types) for el in _kids(_kid(v, group), member)]

    return RawVuln(
        cve=_text(_kid(v, "CVE")), title=_text(_kid(v, "Title")),
        statuses=items("ProductStatuses", "Status", STATUS_TYPES),
        threats=items("Threats", "Threat", THREAT_TYPES),
        remediations=items("Remediations", "Remediation", REMEDIATION_TYPES),
        scores=[_text(_kid(s, "BaseScore")) for s in _kids(_kid(v, "CVSSScoreSets"), "ScoreSet")],
        revisions=_xml_revisions(_kid(v, "RevisionHistory")),
    )


def _xml_item(el: Any, types: dict[int, str]) -> Item:
    ids = tuple(_text(p) for p in _kids(el, "ProductID"))
    return Item(_enum(el.get("Type"), types), _text(_kid(el, "Description")), ids)


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
    return "" if el is None else clean("".join(el.itertext()))


# --- JSON reader -----------------------------------------------------------------------------------


def read_json(body: bytes) -> RawDoc:
    data = load_json(body, "CVRF JSON")
    if not isinstance(data, dict):
        raise CvrfError("CVRF JSON is not an object")
    tracking = data.get("DocumentTracking")
    if not isinstance(tracking, dict):
        raise CvrfError("CVRF JSON has no DocumentTracking object")
    doc_id = _jtext((tracking.get("Identification") or {}).get("ID"))
    if not doc_id:
        raise CvrfError("CVRF JSON has no DocumentTracking.Identification.ID")
    return RawDoc(
        id=doc_id, title=_jtext(data.get("DocumentTitle")),
        initial=_jtext(tracking.get("InitialReleaseDate")), current=_jtext(tracking.get("CurrentReleaseDate")),
        revisions=_json_revisions(tracking.get("RevisionHistory")),
        notes=[(clean(jstring(n.get("Title"))), jstring(_jvalue(n)).strip())
               for n in _dicts(data.get("DocumentNotes"))],
        products=dict(_json_products(data.get("ProductTree"))),
        vulns=[_json_vuln(v) for v in _dicts(data.get("Vulnerability"))],
    )


def _json_vuln(v: dict[str, Any]) -> RawVuln:
    def items(key: str, types: dict[int, str]) -> list[Item]:
        return [Item(_enum(x.get("Type"), types), _jtext(x.get("Description")), _ids(x.get("ProductID")))
                for x in _dicts(v.get(key))]

    return RawVuln(
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
    return "" if value is None else clean(str(value))


def jstring(x: Any) -> str:
    """A free-text field kept as written (HTML notes); anything but a string counts as empty."""
    return x if isinstance(x, str) else ""


def _ids(x: Any) -> tuple[str, ...]:
    if x is None:
        return ()
    return tuple(str(i) for i in x) if isinstance(x, list) else (str(x),)


def _dicts(x: Any) -> list[dict[str, Any]]:
    return [d for d in x if isinstance(d, dict)] if isinstance(x, list) else []


def load_json(body: bytes, what: str) -> Any:
    try:
        return json.loads(strip_bom(body).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CvrfError(f"{what} is not valid JSON: {exc}") from exc


def json_values(body: bytes, what: str) -> list[Any]:
    data = load_json(body, what)
    if not isinstance(data, dict) or not isinstance(data.get("value"), list):
        raise CvrfError(f"{what} has no 'value' list")
    return data["value"]


# --- small helpers ---------------------------------------------------------------------------------


def strip_bom(body: bytes) -> bytes:
    return body[len(BOM):] if body.startswith(BOM) else body


def clean(text: Any) -> str:
    return " ".join(str(text).split()) if text is not None else ""


def _enum(value: Any, names: dict[int, str]) -> str:
    """A CVRF enum as its name: numeric (JSON) codes are mapped, names pass through."""
    if isinstance(value, int) and not isinstance(value, bool):
        return names.get(value, str(value))
    text = clean(value)
    return names.get(int(text), text) if text.isdigit() else text


def to_float(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def iso_date(value: Any) -> str | None:
    """ISO 8601 with an offset; ``Z`` becomes ``+00:00`` and naive times are taken as UTC."""
    text = clean(value)
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise CvrfError(f"not an ISO 8601 date: {text!r}") from exc
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).isoformat()
