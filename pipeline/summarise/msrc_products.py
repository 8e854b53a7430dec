"""MSRC product names: their family (Windows, Office, …) and the lines only ESU customers can patch."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

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
