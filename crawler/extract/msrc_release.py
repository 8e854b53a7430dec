"""The MSRC release page object: a CVRF document (plus its update-list entry and Japanese release
note) in, the release article row and its vulnerability rows out. Pure: used by the MSRC spider and
by `newsdesk reextract`.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, tzinfo

from crawler.extract.cvrf import (
    CvrfError,
    CvrfRelease,
    ReleaseNote,
    UpdateEntry,
    Vulnerability,
    html_to_text,
    parse_cvrf,
)
from pipeline.store import msrc_release_url

AUTHOR = "Microsoft Security Response Center"


def release_parts(release: CvrfRelease, entry: UpdateEntry, note: ReleaseNote | None,
                  tz: tzinfo) -> tuple[dict, list[dict], list[str]]:
    """The article row, its vulnerability rows and warnings for one release."""
    vulnerabilities, warnings = unique_vulnerabilities(release)
    article = release_article(release, entry, note, vulnerabilities, tz)
    return article, [vulnerability_row(entry.id, v) for v in vulnerabilities], warnings


def release_from_stored(page: dict, tz: tzinfo) -> tuple[dict, list[dict], list[str]]:
    """release_parts again from a stored response (pipeline.store.raw_pages row): for re-extraction.

    Raises CvrfError when the stored body no longer parses.
    """
    context = page.get("context") or {}
    if not context.get("update"):
        raise CvrfError(f"{page.get('url')}: stored response has no update-list entry in its context")
    entry = UpdateEntry(**context["update"])
    note = ReleaseNote(**context["release_note"]) if context.get("release_note") else None
    headers = {name.lower(): value for name, value in (page.get("headers") or {}).items()}
    release = parse_cvrf(page["body"], headers.get("content-type"))
    return release_parts(release, entry, note, tz)


def release_article(release: CvrfRelease, entry: UpdateEntry, note: ReleaseNote | None,
                    vulnerabilities: list[Vulnerability], tz: tzinfo) -> dict:
    """The article row: Japanese release note when there is one, else the document's own notes.

    The text ends with one line per CVE, so a revised release (new CVE, changed severity or flags)
    is a changed article version. modified_at is the update list's CurrentReleaseDate, the value the
    next crawl compares.
    """
    lead = note.description_text if note else document_notes_text(release)
    return {
        "url": msrc_release_url(entry.id),
        "title": (note.title if note and note.title else "") or release.title or entry.document_title or entry.id,
        "lead": lead,
        "text": "\n\n".join(part for part in (lead, "\n".join(map(vulnerability_line, vulnerabilities))) if part),
        "body_status": "full",
        "published_at": local_iso(release.initial_release_date or entry.initial_release_date, tz),
        "modified_at": local_iso(entry.current_release_date or release.current_release_date, tz),
        "author": AUTHOR,
        "lang": "ja" if note else "en",
        "feed_summary": None,
        "highlights": [],
        "kind": "release",
    }


def document_notes_text(release: CvrfRelease) -> str:
    texts = (html_to_text(text) for title, text in release.notes if title.strip().lower() != "legal disclaimer")
    return "\n".join(text for text in texts if text)


def vulnerability_line(vuln: Vulnerability) -> str:
    """``CVE-…: Title [Critical; Remote Code Execution; exploited; publicly disclosed]``."""
    flags = [vuln.severity, vuln.impact, "exploited" if vuln.exploited else None,
             "publicly disclosed" if vuln.publicly_disclosed else None]
    details = "; ".join(flag for flag in flags if flag)
    return f"{vuln.cve}: {vuln.title}" + (f" [{details}]" if details else "")


def unique_vulnerabilities(release: CvrfRelease) -> tuple[list[Vulnerability], list[str]]:
    """One entry per CVE (the store keeps one row per release and CVE); the rest become warnings."""
    kept: dict[str, Vulnerability] = {}
    warnings = []
    for vuln in release.vulnerabilities:
        if not vuln.cve:
            warnings.append(f"{release.id}: vulnerability without a CVE skipped ({vuln.title!r})")
        elif vuln.cve in kept:
            warnings.append(f"{release.id}: {vuln.cve} listed twice, first entry kept")
        else:
            kept[vuln.cve] = vuln
    return list(kept.values()), warnings


def vulnerability_row(release_id: str, vuln: Vulnerability) -> dict:
    return {"release_id": release_id, **dataclasses.asdict(vuln)}


# --- dates -------------------------------------------------------------------------------------

def local_date(value: str, tz: tzinfo) -> date:
    return datetime.fromisoformat(value).astimezone(tz).date()


def local_iso(value: str | None, tz: tzinfo) -> str | None:
    return datetime.fromisoformat(value).astimezone(tz).isoformat() if value else None


def same_instant(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    try:
        return datetime.fromisoformat(a) == datetime.fromisoformat(b)
    except ValueError:
        return False
