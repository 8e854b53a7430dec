"""A small, dependency-free ROUGE implementation for the summary benchmark.

ROUGE-N is the F1 of clipped n-gram overlap; ROUGE-L is the F1 of the longest common
subsequence (LCS) of the two unit sequences. A multi-bullet summary is scored as one
sequence: the bullets' units are concatenated in order (no sentence-level "summary LCS").

Units are either characters (``char_units``: NFKC, whitespace removed, punctuation kept)
or words (``word_units``: fugashi tokens for Japanese, runs of letters/digits for English;
NFKC, lower-cased, punctuation and whitespace dropped).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float


def f_score(overlap: int, n_candidate: int, n_reference: int) -> Score:
    """Precision, recall and F1 of ``overlap`` matched units (0.0 where undefined)."""
    precision = overlap / n_candidate if n_candidate else 0.0
    recall = overlap / n_reference if n_reference else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1)


def ngram_counts(units: Sequence[str], n: int) -> Counter:
    """Multiset of the n-grams (as tuples) of ``units``."""
    if n < 1:
        raise ValueError("n must be >= 1")
    return Counter(tuple(units[i : i + n]) for i in range(len(units) - n + 1))


def rouge_n(candidate: Sequence[str], reference: Sequence[str], n: int) -> Score:
    """ROUGE-N: overlap of n-gram multisets, each n-gram counted at most as often as in the other."""
    cand, ref = ngram_counts(candidate, n), ngram_counts(reference, n)
    overlap = sum((cand & ref).values())
    return f_score(overlap, sum(cand.values()), sum(ref.values()))


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence (O(len(a)·len(b)) time, O(len(b)) memory)."""
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return 0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, start=1):
            if x == y:
                current.append(previous[j - 1] + 1)
            else:
                current.append(max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_l(candidate: Sequence[str], reference: Sequence[str]) -> Score:
    """ROUGE-L: P = LCS/len(candidate), R = LCS/len(reference), F1 of the two."""
    return f_score(lcs_length(candidate, reference), len(candidate), len(reference))


def rouge_all(candidate: Sequence[str], reference: Sequence[str]) -> dict[str, Score]:
    """ROUGE-1, ROUGE-2 and ROUGE-L of two unit sequences."""
    return {
        "rouge1": rouge_n(candidate, reference, 1),
        "rouge2": rouge_n(candidate, reference, 2),
        "rougeL": rouge_l(candidate, reference),
    }


# --- units ---------------------------------------------------------------------------

_WORD_RE = re.compile(r"[^\W_]+")


def _is_punctuation_or_space(token: str) -> bool:
    return all(unicodedata.category(ch)[0] in "PSZ" or ch.isspace() for ch in token)


def char_units(text: str) -> list[str]:
    """Characters of the NFKC-normalised text, whitespace removed."""
    return [ch for ch in unicodedata.normalize("NFKC", text or "") if not ch.isspace()]


def word_units(text: str, lang: str) -> list[str]:
    """Word tokens: fugashi (pipeline.text.japanese.tokens) for Japanese, letter/digit runs otherwise.

    The text is NFKC-normalised and lower-cased first; tokens made only of punctuation,
    symbols or whitespace are dropped.
    """
    text = unicodedata.normalize("NFKC", text or "").lower()
    if lang == "ja":
        from pipeline.text.japanese import tokens  # imported lazily: fugashi is only needed here

        return [t for t in tokens(text) if t.strip() and not _is_punctuation_or_space(t)]
    return _WORD_RE.findall(text)


def summary_units(bullets: Sequence[str], unit: str, lang: str) -> list[str]:
    """The units of a whole summary: each bullet's units, concatenated in order."""
    result: list[str] = []
    for bullet in bullets:
        result.extend(char_units(bullet) if unit == "char" else word_units(bullet, lang))
    return result
