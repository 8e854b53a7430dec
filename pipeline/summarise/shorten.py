"""Fitting a sentence into a bullet's character budget without changing what it says.

Japanese sentences lose whole clauses (never the predicate, figures last); English sentences
lose only trailing clauses that leave a whole sentence behind. Numbers and bracketed text are
never cut, because clauses are split only at top-level separators.
"""

from __future__ import annotations

import re

from pipeline.analyse.facts import FIGURE_KINDS, extract_facts
from pipeline.text.japanese import split_clauses

TRAILING_CLOSERS = "」』）)】］]〉》”’\"'"
_END_MARKS = "。！？!?.．"
_END_RE = re.compile(rf"[{_END_MARKS}]+[{re.escape(TRAILING_CLOSERS)}]*$")

# English has about 5/3 as many characters per unit of content as Japanese: a 120-character
# Japanese bullet corresponds to about 200 English characters.
EN_CHARS_PER_JA_CHAR = 5 / 3

# An English cut must leave a whole sentence: only drop a trailing clause that starts with one of
# these words (", including …", ", which …", ", according to …"), a trailing attribution
# (", the company said") or anything after a ";".
_EN_CUT_BEFORE_RE = re.compile(
    r"\s*(?:including|according to|which|who|whose|when|where|while|whereas|but|although|though|because|after|"
    r"before|as well as|following|citing|fixing|affecting|leaving|making|bringing|adding|prompting|"
    r"based on|such as)\b"
)
_EN_ATTRIBUTION_RE = re.compile(
    r"\s*(?:the\s+[a-z]+(?:\s+[a-z]+)?|it|he|she|they|[A-Z][\w&.'-]*(?:\s+[A-Z][\w&.'-]*){0,3})\s+"
    r"(?:said|says|added|noted|wrote|reported|announced|confirmed|warned)(?:\s+(?:on|in|last)\s+\w+)?\s*"
)
_EN_FINITE_RE = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|would|can|could|may|might|must|should|does|do|did|"
    r"grew|fell|rose|made|found|said|says|took|gave|began|saw|left|led|sent|told|put|set|got|came|went|"
    r"became|broke|stole|wrote|won|lost|paid|sold|built|held|kept|brought|spent|ran|hit)\b|\b[a-z]{2,}ed\b"
)


def final_mark(sentence: str) -> str:
    """The last character before any trailing closing brackets/quotes ("" if none)."""
    return sentence.rstrip(TRAILING_CLOSERS)[-1:]


def split_end(sentence: str) -> tuple[str, str]:
    """(body, end): the end is the closing punctuation, with any brackets/quotes after it."""
    m = _END_RE.search(sentence)
    if not m:
        return sentence, ""
    return sentence[: m.start()], sentence[m.start() :]


def bullet_budget(max_chars: int, lang: str) -> int:
    """The character budget of one bullet: ``max_chars`` for Japanese, 5/3 of it for English."""
    return max_chars if lang == "ja" else int(max_chars * EN_CHARS_PER_JA_CHAR)


def fit_ja_clauses(body: str, budget: int) -> str | None:
    """Drop whole clauses (split at top-level 、) until ``body`` fits ``budget`` characters.

    The final clause (the predicate) is always kept; clauses holding figures are kept
    before others, then clauses closest to the predicate. Order is preserved.
    """
    if len(body) <= budget:
        return body
    clauses = split_clauses(body)
    if len(clauses) < 2 or len(clauses[-1]) > budget:
        return None
    keep = {len(clauses) - 1}
    used = len(clauses[-1])
    earlier = list(range(len(clauses) - 2, -1, -1))
    with_figures = [i for i in earlier if any(f.kind in FIGURE_KINDS for f in extract_facts(clauses[i]))]
    for i in with_figures + [i for i in earlier if i not in with_figures]:
        if used + len(clauses[i]) <= budget:
            keep.add(i)
            used += len(clauses[i])
    return "".join(clauses[i] for i in sorted(keep))


def _english_clause(text: str) -> bool:
    """A kept English prefix must read as a sentence: several words and a finite verb."""
    return len(text.split()) >= 4 and bool(_EN_FINITE_RE.search(text))


def _english_cut_before(clauses: list[str], k: int) -> bool:
    """Whether the English sentence may end before ``clauses[k]``."""
    rest = "".join(clauses[k:])
    return bool(
        clauses[k - 1].endswith(";") or _EN_CUT_BEFORE_RE.match(rest) or _EN_ATTRIBUTION_RE.fullmatch(rest)
    )


def _shorten_english(body: str, max_chars: int) -> str | None:
    """The longest whole sentence left by cutting ``body`` at a permitted boundary."""
    clauses = split_clauses(body, ",;")
    result = None
    for k in range(1, len(clauses)):
        if not _english_cut_before(clauses, k):
            continue
        candidate = "".join(clauses[:k]).rstrip(" ,;:")
        if len(candidate) + 1 > max_chars:
            break
        if candidate.count('"') % 2 == 0 and _english_clause(candidate):  # never stop inside a "quotation"
            result = candidate + "."
    return result


def shorten(sentence: str, max_chars: int = 120, lang: str = "ja") -> str | None:
    """Fit a sentence into ``max_chars`` by dropping clauses; None if impossible.

    Japanese keeps the predicate clause and re-ends with the original 。. English keeps the
    whole sentence when it fits; otherwise it drops trailing clauses only where what is left is
    itself a sentence (before ", including …", ", which …", a trailing ", the company said", or
    after ";") and ends with "." — never a fragment such as "On March 11, 2026.". Numbers and
    bracketed text are never cut (clauses are split only at top-level separators).
    """
    sentence = sentence.strip()
    if len(sentence) <= max_chars:
        return sentence
    body, end = split_end(sentence)
    if end.strip(_END_MARKS):
        return None  # the sentence ends inside a quotation: dropping clauses could break it
    if lang == "ja":
        end = end if end.startswith(("。", "！", "？")) else "。"
        fitted = fit_ja_clauses(body, max_chars - len(end))
        return fitted + end if fitted else None
    return _shorten_english(body, max_chars)
