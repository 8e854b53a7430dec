"""Turn response bytes into text: HTTP header, BOM, meta declaration, then detection.

Each declared encoding is verified by a strict decode; a declaration that does not fit the bytes
(old institutional pages often say EUC-JP and send Shift_JIS) is skipped, and detection decides.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes


class DecodeError(ValueError):
    """The bytes are not text in any encoding we can verify."""


_BOMS = [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]
_META_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_RE = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
# Supersets that browsers use in place of the declared names.
_SUPERSETS = {"shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
              "windows-31j": "cp932", "ms_kanji": "cp932", "euc-jp": "euc_jis_2004", "eucjp": "euc_jis_2004",
              "iso-8859-1": "cp1252", "latin-1": "cp1252", "us-ascii": "utf-8", "ascii": "utf-8"}
_LATIN = {"cp1252", "iso-8859-15", "latin1", "windows-1252"}
_JAPANESE_CANDIDATES = ("utf-8", "cp932", "euc_jis_2004", "iso2022_jp")
_ASCII_RUNS = re.compile(r"[\x00-\x7f]+")
_HALFWIDTH_KATAKANA = re.compile(r"[\uff61-\uff9f]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")  # below 32, other than \t \n \f \r


def declared_encodings(body: bytes, content_type: str | None) -> list[str]:
    """Encodings the response claims, strongest first: BOM, HTTP header, meta."""
    found = [name for bom, name in _BOMS if body.startswith(bom)]
    if content_type and (m := _HEADER_RE.search(content_type)):
        found.append(m.group(1))
    if m := _META_RE.search(body[:4096]):
        found.append(m.group(1).decode("ascii", "ignore"))
    return [_SUPERSETS.get(name.lower(), name.lower()) for name in found]


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return (text, encoding). Raises DecodeError when no encoding fits the bytes."""
    if not body.strip():
        raise DecodeError("empty response body")
    if b"\x00" in body and not body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DecodeError("binary content (NUL bytes), not text")
    for encoding in declared_encodings(body, content_type):
        if encoding in _LATIN and _strict(body, "utf-8") is not None:
            encoding = "utf-8"  # UTF-8 mislabelled as Latin-1: valid UTF-8 is never an accident
        text = _strict(body, encoding)
        if text is not None:
            return text, encoding
    candidates = _JAPANESE_CANDIDATES
    if b"\x1b$" in body:  # ISO-2022-JP escape sequences: 7-bit, so it would pass as UTF-8 too
        candidates = ("iso2022_jp", *candidates)
    for encoding in candidates:
        text = _strict(body, encoding)
        if text is not None:
            return text, encoding
    guess = from_bytes(body).best()
    if guess is None or guess.encoding is None:
        raise DecodeError("no encoding fits the bytes")
    text = str(guess)
    if text.count("\ufffd") > 0 or _control_ratio(text) > 0.01:
        raise DecodeError(f"detected {guess.encoding}, but the result is not readable text")
    return text, guess.encoding


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        codecs.lookup(encoding)
        text = body.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return None
    return text.removeprefix("\ufeff") if encoding.startswith("utf") or _plausible(text) else None


def _plausible(text: str) -> bool:
    """EUC-JP bytes read as Shift_JIS come out as runs of half-width katakana: reject that. (Bytes that
    decode as UTF-8 without an error are UTF-8: the check is for the legacy encodings only.)"""
    if text.isascii():
        return True
    non_ascii = _ASCII_RUNS.sub("", text)  # in C: a loop over the characters costs 10-30 ms on a big page
    halfwidth = len(_HALFWIDTH_KATAKANA.findall(non_ascii))
    return halfwidth / len(non_ascii) < 0.2


def _control_ratio(text: str) -> float:
    return len(_CONTROLS.findall(text)) / max(len(text), 1)
