"""Candidate sentences for the summariser: which sentences may become bullets, and how relevant each is.

A sentence qualifies when it is a whole sentence in the output language and not page furniture
(contact lines, URLs, copyright, greetings). Its score adds up position, overlap with the title,
figures and other facts (more for a primary source's figures), editor-given terms and a length
penalty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.analyse.facts import FIGURE_KINDS, Fact, extract_facts
from pipeline.summarise.register import is_directive
from pipeline.summarise.shorten import final_mark
from pipeline.summarise.texts import SourceText
from pipeline.text.japanese import char_shingles, normalize, split_sentences


@dataclass(frozen=True)
class Candidate:
    order: int  # position of the source in the input list
    source: SourceText
    index: int  # index into split_sentences(source.text)
    sentence: str
    facts: tuple[Fact, ...]
    score: float

    @property
    def key(self) -> tuple[int, int]:
        """Identifies the sentence among all sources: (source order, sentence index)."""
        return self.order, self.index


_BOILERPLATE_RE = re.compile(
    r"お問い合わせ|お問合せ|問い合わせ先|問合せ先|電話(?:番号)?\s*[:：]?\s*[0-9０-９(（]|電話[:：]|(?<![A-Za-z])(?:TEL|FAX|Fax|Tel)(?![A-Za-z])"
    r"|ファクス|https?://|www\.|@|©|\([cC]\)|Copyright|copyright|All [Rr]ights [Rr]eserved"
    r"|無断転載|無断複製|関連記事|関連リンク|続きを読む|この記事を|シェアする|ツイートする|会員登録|ログインして"
    r"|Read more|Sign up|Subscribe|Share this|Click here|click here"
    # formulaic notice phrases and greetings with no facts of their own
    r"|お知らせ(?:いた)?します|お詫び申し上げ|ご迷惑をおかけ|ご心配をおかけ"
    r"|ご報告(?:いたし|申し上げ|し)ます|御礼申し上げ|お礼申し上げ|ご高配|ご愛顧"
)
_JA_CHAR_RE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Context about the field in general rather than the story itself.
_BACKGROUND_JA_RE = re.compile(
    r"今年に入って|これまでに|近年|昨年|ここ数年|年々|後を絶たない|相次いで|相次ぐ|依然として|増えている"
    r"|増加傾向|一般に|一般的に|専門家は|ある調査|国の調査"
)
_BACKGROUND_EN_RE = re.compile(
    r"\b(?:last year|in recent years|recent years|similar incidents|have become|has become|"
    r"a growing number|experts?|security researchers)\b|^(?:Several|Many|Some|Other)\b",
    re.IGNORECASE,
)


def is_boilerplate(sentence: str) -> bool:
    """Contact details, URLs, copyright lines and page furniture."""
    return bool(_BOILERPLATE_RE.search(sentence))


def is_background(sentence: str, lang: str = "ja") -> bool:
    """Whether a sentence gives general context (industry trends, earlier years) rather than news."""
    return bool((_BACKGROUND_JA_RE if lang == "ja" else _BACKGROUND_EN_RE).search(sentence))


def _compact_len(sentence: str) -> int:
    return len(re.sub(r"\s+", "", sentence))


def _usable(sentence: str, lang: str) -> bool:
    if is_boilerplate(sentence) or is_directive(sentence, lang):
        return False
    if lang == "ja":
        return _compact_len(sentence) >= 8 and final_mark(sentence) in "。！？!?" and bool(_JA_CHAR_RE.search(sentence))
    return len(sentence.split()) >= 5 and final_mark(sentence) in ".!?"


def _folded_terms(terms: dict[str, float] | None) -> list[tuple[str, float]]:
    """The profile's terms as matched (normalised, lower-cased), in a fixed order: folded once per
    story rather than once per sentence."""
    return [(normalize(term).lower(), weight) for term, weight in sorted((terms or {}).items())]


def _term_score(sentence: str, terms: list[tuple[str, float]]) -> float:
    if not terms:
        return 0.0
    haystack = normalize(sentence).lower()
    total = sum(weight for term, weight in terms if term in haystack)
    return max(-2.0, min(2.0, total))


def _form_penalty(sentence: str, lang: str) -> float:
    size = _compact_len(sentence)
    if final_mark(sentence) in "？?":
        return -0.5  # questions are usually headlines or teasers, not facts
    short, long_ = (20, 150) if lang == "ja" else (40, 250)
    if size < short:
        return -0.5
    if size > long_:
        return -min(1.0, 0.3 * (size - long_) / 50)
    return 0.0


def _fact_score(facts: tuple[Fact, ...], role: str) -> float:
    n_figures = sum(1 for f in facts if f.kind in FIGURE_KINDS)
    n_other = len(facts) - n_figures
    score = 0.6 * min(n_figures, 3) + 0.2 * min(n_other, 3)
    return score * 1.5 + 0.3 if role == "primary" and n_figures else score


@lru_cache(maxsize=64)
def _title_grams(title: str) -> frozenset[str]:
    return frozenset(char_shingles(title, 2))


def score_sentence(
    sentence: str,
    index: int,
    source: SourceText,
    lang: str,
    terms: list[tuple[str, float]],
    facts: tuple[Fact, ...],
) -> float:
    """Relevance of one sentence: position, title overlap, key facts, terms (folded: see
    ``_folded_terms``), length."""
    position = 1.0 / (1.0 + 0.25 * index)
    title_grams = _title_grams(source.title)
    overlap = len(char_shingles(sentence, 2) & title_grams) / len(title_grams) if title_grams else 0.0
    return round(
        position
        + overlap
        + _fact_score(facts, source.role)
        + _term_score(sentence, terms)
        + _form_penalty(sentence, lang),
        6,
    )


def candidate_sentences(
    sources: list[SourceText], lang: str, terms: dict[str, float] | None
) -> list[Candidate]:
    """Every usable sentence of the sources in ``lang``, scored, in source and sentence order."""
    found, folded = [], _folded_terms(terms)
    for order, source in enumerate(sources):
        if source.lang != lang:
            continue
        for index, sentence in enumerate(split_sentences(source.text)):
            if not _usable(sentence, lang):
                continue
            facts = tuple(extract_facts(sentence, source.published_at))
            score = score_sentence(sentence, index, source, lang, folded, facts)
            found.append(Candidate(order, source, index, sentence, facts, score))
    return found
