"""Default summariser: offline, deterministic, extractive with light rewriting.

Given a story's sources (a news article and, where available, the organisation's
primary notice), pick 3–4 sentences and turn them into newsletter bullets in the
house format (see HOUSE-FORMAT.md). Every bullet records the article and the
sentence it came from; figures in a bullet are always copied verbatim from that
sentence (bullets are only ever shortened at clause boundaries or re-ended).

The steps live in their own modules: sentences (candidates and scores), announcement
(the first bullet), register (polite/neutral wording), shorten (fitting the budget) and
redundancy (what the chosen bullets already say).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from pipeline.analyse.facts import FIGURE_KINDS, extract_facts
from pipeline.summarise.announcement import (
    LEAD_WINDOW,
    announcement_candidates,
    announcement_strength,
    announcer,
    house_form,
    known_orgs,
)
from pipeline.summarise.redundancy import covered_facts, is_redundant, key_facts
from pipeline.summarise.register import house_voice
from pipeline.summarise.sentences import Candidate, candidate_sentences, is_background
from pipeline.summarise.shorten import bullet_budget, shorten
from pipeline.summarise.texts import Bullet, SourceText
from pipeline.text.japanese import split_sentences

BACKGROUND_PENALTY = 1.0  # score lost by a background sentence without the story's figures
LEAD_IN_PENALTY = 1.0  # score lost by a news sentence before the article's announcement sentence
EXTRA_BULLET_RATIO = 0.5  # a bullet beyond min_bullets needs this share of the weakest chosen score

Chosen = list[tuple[Candidate, str]]  # (sentence, bullet text), the first bullet first


def output_language(sources: list[SourceText]) -> str:
    """The bullets' language: that of the first news source, else of the first source."""
    for source in sources:
        if source.role != "primary":
            return source.lang
    return sources[0].lang if sources else "ja"


def _bullet_text(cand: Candidate, lang: str, max_chars: int) -> str | None:
    """A sentence as a bullet: in the newsletter's voice (Japanese) and within the budget."""
    if lang != "ja":
        return shorten(cand.sentence, bullet_budget(max_chars, lang), lang)
    return shorten(house_voice(cand.sentence), max_chars, "ja")


def _first_bullet(
    cands: list[Candidate], sources: list[SourceText], lang: str, max_chars: int
) -> tuple[Candidate, str] | None:
    """The announcement bullet: the house form where possible, else the sentence as a bullet."""
    for ann, house_form_allowed in announcement_candidates(cands, lang, sources):
        text = house_form(ann, sources, lang, max_chars) if house_form_allowed else None
        text = text or _bullet_text(ann, lang, max_chars)
        if text:
            return ann, text
    return None


# --- scores once the announcement is known ------------------------------------------------------


def _figure_values(facts) -> frozenset[str]:
    return frozenset(f.value for f in facts if f.kind in FIGURE_KINDS)


def _story_figures(sources: list[SourceText], anchor: Candidate) -> frozenset[str]:
    """Figure values that belong to the story: in a title, in the announcement sentence,
    or stated by more than one source."""
    values: set[str] = set()
    for source in sources:
        values |= _figure_values(extract_facts(source.title))
    values |= _figure_values(anchor.facts)
    if len(sources) < 2:
        return frozenset(values)  # no other source to share a figure with: their texts need no reading
    per_source = [_figure_values(extract_facts(source.text)) for source in sources]
    for i, own in enumerate(per_source):
        for other in per_source[i + 1 :]:
            values |= own & other
    return frozenset(values)


def _announcement_indexes(
    cands: list[Candidate], anchor: Candidate, sources: list[SourceText], lang: str
) -> dict[int, int]:
    """For each news source (by order), the index of its announcement sentence: the anchor's
    when the anchor announces, else the first announcing sentence among its first lines."""
    orgs = known_orgs(sources)

    def announces(c: Candidate) -> bool:
        return announcement_strength(c, lang, orgs) is not None

    found: dict[int, int] = {}
    if anchor.source.role != "primary" and announces(anchor):
        found[anchor.order] = anchor.index
    for c in cands:
        if c.source.role == "primary" or c.order in found or c.index >= LEAD_WINDOW:
            continue
        if announces(c):
            found[c.order] = c.index
    return found


def _rescored(cands: list[Candidate], anchor: Candidate, sources: list[SourceText], lang: str) -> list[Candidate]:
    """Lower the scores of context sentences once the announcement is known.

    Background sentences (industry trends, earlier years) lose BACKGROUND_PENALTY unless they
    carry one of the story's own figures; news sentences before the article's announcement
    sentence (the lead-in of "…が相次いでいる。こうした中、X社は…と発表した。") lose
    LEAD_IN_PENALTY.
    """
    story = _story_figures(sources, anchor)
    lead_in = _announcement_indexes(cands, anchor, sources, lang)
    adjusted = []
    for c in cands:
        penalty = 0.0
        if is_background(c.sentence, lang) and not (_figure_values(c.facts) & story):
            penalty += BACKGROUND_PENALTY
        if c.index < lead_in.get(c.order, 0):
            penalty += LEAD_IN_PENALTY
        adjusted.append(dataclasses.replace(c, score=round(c.score - penalty, 6)) if penalty else c)
    return adjusted


# --- the other bullets ---------------------------------------------------------------------------


def _ranked_sentences(cands: list[Candidate], first: Candidate) -> list[Candidate]:
    """The other sentences, best first (primary sources first on a tie)."""
    return sorted(
        (c for c in cands if c.key != first.key),
        key=lambda c: (-c.score, c.source.role != "primary", c.order, c.index),
    )


BulletText = Callable[[Candidate], str | None]  # a sentence's bullet text, None when it makes none


def _bullet_texts(lang: str, max_chars: int) -> BulletText:
    """``_bullet_text``, each sentence's made once and only when asked for: the bullets are chosen
    from the best sentences, and most sentences are never looked at."""
    made: dict[tuple[int, int], str | None] = {}

    def text_of(cand: Candidate) -> str | None:
        if cand.key not in made:
            made[cand.key] = _bullet_text(cand, lang, max_chars)
        return made[cand.key]

    return text_of


def _worth_adding(
    cand: Candidate, text_of: BulletText, chosen: Chosen, announcer_name: str | None, strict: bool,
    min_bullets: int
) -> bool:
    if any(c is cand for c, _ in chosen):
        return False
    own_facts = key_facts(cand.facts)
    if strict and own_facts and own_facts <= covered_facts(chosen):
        return False  # its figures and dates are already stated (by a better sentence)
    weakest = min((c.score for c, _ in chosen[1:]), default=cand.score)
    # an optional extra bullet must be reasonably strong
    if len(chosen) >= min_bullets and cand.score < EXTRA_BULLET_RATIO * weakest:
        return False
    text = text_of(cand)  # the costly check last; a sentence that makes no bullet is never added
    return bool(text) and not is_redundant(text, chosen, announcer_name)


def _chosen_bullets(
    first: tuple[Candidate, str], ranked: list[Candidate], text_of: BulletText, announcer_name: str | None,
    min_bullets: int, max_bullets: int
) -> Chosen:
    """The first bullet, then ranked sentences whose bullets add something: first only those with
    new figures or dates, then (up to ``min_bullets``) any that are not redundant."""
    chosen = [first]
    for strict in (True, False):
        for cand in ranked:
            if len(chosen) >= max_bullets or (not strict and len(chosen) >= min_bullets):
                break
            if _worth_adding(cand, text_of, chosen, announcer_name, strict, min_bullets):
                chosen.append((cand, text_of(cand)))
    return chosen


def summarise(
    sources: list[SourceText],
    max_bullets: int = 4,
    min_bullets: int = 3,
    max_chars: int = 120,
    terms: dict[str, float] | None = None,
) -> list[Bullet]:
    """Draft 3–4 bullets for one story; the first announces who said what, when.

    Japanese output follows the house form 「M月D日(日本時間)、<org>より、<what>と発表されました。」
    when a date and organisation can be found, built from the sentence whose predicate is the
    announcement (not from background or notice sentences). English sources give English
    bullets, the first "On <Month> <D> (JST), <Org> announced/released/said …" when an
    "<Org> announced …" sentence is found; an English bullet may use 5/3 of ``max_chars``
    (200 for 120) and is never cut into a fragment. Other bullets are the best-scoring,
    non-redundant sentences (primary-source sentences preferred for figures; background and
    lead-in sentences scored down), in neutral polite form, in their original order.
    """
    if not sources or max_bullets < 1:
        return []
    lang = output_language(sources)
    cands = candidate_sentences(sources, lang, terms)
    first = _first_bullet(cands, sources, lang, max_chars)
    if first is None:
        return []
    orgs = known_orgs(sources)
    announcer_name = announcer(first[0], sources) if lang == "ja" else (orgs[0] if orgs else None)
    ranked = _ranked_sentences(_rescored(cands, first[0], sources, lang), first[0])
    chosen = _chosen_bullets(first, ranked, _bullet_texts(lang, max_chars), announcer_name, min_bullets, max_bullets)
    rest = sorted(chosen[1:], key=lambda pair: pair[0].key)
    return [Bullet(text, cand.source.article_id, cand.index, cand.sentence) for cand, text in [first, *rest]]


def lead_baseline(sources: list[SourceText], n: int = 3) -> list[Bullet]:
    """The first ``n`` sentences of the first news source, unchanged (benchmark baseline)."""
    source = next((s for s in sources if s.role == "news"), sources[0] if sources else None)
    if source is None:
        return []
    return [
        Bullet(sentence, source.article_id, index, sentence)
        for index, sentence in enumerate(split_sentences(source.text)[:n])
    ]
