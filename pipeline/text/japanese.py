"""Japanese/English text helpers for the drafting pipeline.

Pure functions only: sentence segmentation, clause splitting, normalisation for
comparison, character shingles and (lazily) fugashi tokenisation.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Brackets that suspend sentence splitting while open.
OPEN_TO_CLOSE = {
    "「": "」",
    "『": "』",
    "（": "）",
    "(": ")",
    "【": "】",
    "［": "］",
    "[": "]",
    "〈": "〉",
    "《": "》",
    "“": "”",
}
CLOSERS = frozenset(OPEN_TO_CLOSE.values())

_ALWAYS_END = frozenset("。！？｡")
# Characters that stay with the sentence when they directly follow its terminator.
_TRAILERS = frozenset("。！？｡!?．.") | CLOSERS | frozenset("\"'’")

# Words before "." that do not end an English sentence (lower-case, without the final dot).
_ABBREVIATIONS = frozenset(
    {
        "e.g", "i.e", "cf", "vs", "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st",
        "fig", "approx", "a.m", "p.m", "u.s", "u.k", "jan", "feb", "mar", "apr",
        "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    }
)
# Brand names whose "!" is part of the name.
_BANG_NAMES = ("Yahoo!",)

_URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>\"「」『』（）()、。]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
)
_WORD_BEFORE_DOT_RE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


def _protected_spans(line: str) -> list[bool]:
    """Mark characters inside URLs and e-mail addresses (never sentence ends)."""
    mask = [False] * len(line)
    for m in _URL_RE.finditer(line):
        end = m.end()
        while end > m.start() and line[end - 1] in ".,!?:;":
            end -= 1
        for i in range(m.start(), end):
            mask[i] = True
    return mask


def _inside_brackets(line: str, protected: list[bool] | None = None) -> list[bool]:
    """For each character, whether it lies strictly inside a matched bracket pair.

    Unmatched openers and closers are treated as ordinary characters, so a stray
    「 cannot swallow the rest of a paragraph.
    """
    stack: list[tuple[str, int]] = []
    pairs: list[tuple[int, int]] = []
    for i, ch in enumerate(line):
        if protected is not None and protected[i]:
            continue
        if ch in OPEN_TO_CLOSE:
            stack.append((ch, i))
        elif ch in CLOSERS:
            for depth in range(len(stack) - 1, -1, -1):
                if OPEN_TO_CLOSE[stack[depth][0]] == ch:
                    pairs.append((stack[depth][1], i))
                    del stack[depth:]
                    break
    diff = [0] * (len(line) + 1)
    for start, end in pairs:
        diff[start + 1] += 1
        diff[end] -= 1
    inside, level = [], 0
    for i in range(len(line)):
        level += diff[i]
        inside.append(level > 0)
    return inside


def _is_terminator(line: str, i: int) -> bool:
    ch = line[i]
    nxt = line[i + 1] if i + 1 < len(line) else ""
    if ch in _ALWAYS_END:
        return True
    if ch in "!?":
        if any(line[: i + 1].endswith(name) for name in _BANG_NAMES):
            return False
        return nxt == "" or nxt.isspace() or not nxt.isascii() or nxt in CLOSERS or nxt in "\"'"
    if ch == "．":
        return not nxt.isdigit() and not (i > 0 and line[i - 1].isdigit())
    if ch == ".":
        return _english_period_ends(line, i)
    return False


def _english_period_ends(line: str, i: int) -> bool:
    word = _WORD_BEFORE_DOT_RE.search(line[:i])
    if word:
        token = word.group(1).lower().rstrip(".")
        if token in _ABBREVIATIONS or (len(token) == 1 and line[i - 1].isupper()):
            return False
    rest = line[i + 1 :]
    if rest == "":
        return True
    if not rest[0].isspace():
        return rest[0] in CLOSERS or rest[0] in "\"'"
    after = rest.lstrip()
    if after == "":
        return True
    if rest.startswith("  "):
        return True
    first = after[0]
    return first.isupper() or first in OPEN_TO_CLOSE or first in "\"'"


# What _is_terminator may accept: the only places a line is looked at.
_TERMINATOR_CHARS = re.compile(f"[{re.escape(''.join(sorted(_ALWAYS_END)))}!?．.]")


def _split_line(line: str) -> list[str]:
    if not _TERMINATOR_CHARS.search(line):
        return [line]
    protected = _protected_spans(line)
    inside = _inside_brackets(line, protected)
    pieces, start = [], 0
    for match in _TERMINATOR_CHARS.finditer(line):
        i = match.start()
        if i < start:  # taken as a trailer of the sentence before
            continue
        if not inside[i] and not protected[i] and _is_terminator(line, i):
            end = i + 1
            while end < len(line) and line[end] in _TRAILERS and not protected[end]:
                end += 1
            pieces.append(line[start:end])
            start = end
    pieces.append(line[start:])
    return pieces


def split_sentences(text: str) -> list[str]:
    """Split Japanese/English text into sentences.

    Splits after 。！？!? and after an English "." that ends a sentence (not in
    abbreviations, decimals, version numbers or URLs), and at line breaks. Never
    splits inside matched brackets; closing brackets right after a terminator stay
    with the sentence. Pieces are stripped and empty pieces dropped.
    """
    if not text:
        return []
    sentences: list[str] = []
    for line in re.split(r"\r\n|\r|\n|\u2028|\u2029", text):
        for piece in _split_line(line):
            piece = piece.strip()
            if piece:
                sentences.append(piece)
    return sentences


def split_clauses(text: str, seps: str = "、，") -> list[str]:
    """Split at top-level clause separators (not inside brackets or between digits).

    Each clause keeps its trailing separator, so ``"".join(result) == text``.
    """
    inside = _inside_brackets(text, _protected_spans(text))
    clauses, start = [], 0
    for i, ch in enumerate(text):
        if ch not in seps or inside[i]:
            continue
        prev_digit = i > 0 and text[i - 1].isdigit()
        next_digit = i + 1 < len(text) and text[i + 1].isdigit()
        if prev_digit and next_digit:
            continue
        clauses.append(text[start : i + 1])
        start = i + 1
    if start < len(text):
        clauses.append(text[start:])
    return clauses


def normalize(text: str) -> str:
    """NFKC-normalise (fullwidth digits/letters to ASCII etc.) and collapse whitespace."""
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"\s+", " ", text).strip()


def char_shingles(text: str, k: int = 3) -> set[str]:
    """Character k-grams of the normalised text with all whitespace removed."""
    compact = re.sub(r"\s+", "", normalize(text))
    if not compact:
        return set()
    if len(compact) < k:
        return {compact}
    return {compact[i : i + k] for i in range(len(compact) - k + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Jaccard similarity of two sets (0.0 when both are empty)."""
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


@functools.lru_cache(maxsize=1)
def tagger():
    """The shared fugashi Tagger (unidic-lite), created on first use. Its output format is MeCab's
    word split (-Owakati), read by ``normalized_words``; the nodes it gives when called are the same
    as without it. One tagger per process: each maps the dictionary again."""
    import fugashi  # imported lazily: no work at module import time

    return fugashi.Tagger("-Owakati")


def tokens(text: str) -> list[str]:
    """Word surfaces from fugashi/unidic-lite."""
    if not text:
        return []
    return [word.surface for word in tagger()(text)]


def normalized_words(text: str | None) -> list[str]:
    """``tokens(normalize(text))``, read from MeCab's word-split output instead of a Python object
    per word (4 times cheaper). After ``normalize`` the only white space left is the single spaces
    that output puts between words, so splitting on them gives the same words."""
    text = normalize(text or "")
    return tagger().parse(text).split() if text else []
