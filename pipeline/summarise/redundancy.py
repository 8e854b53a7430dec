"""Whether a bullet would restate what the chosen bullets already say.

Two texts say the same when their wording overlaps (character-trigram Jaccard), when they
state the same figures (12万4,513件 and 124,513件 are one figure) or when they speak about the
same organisation with somewhat similar wording.
"""

from __future__ import annotations

from pipeline.analyse.facts import FIGURE_KINDS, Fact, extract_facts
from pipeline.summarise.register import refers_in_third_person
from pipeline.summarise.sentences import Candidate
from pipeline.text.japanese import char_shingles, jaccard, normalize

REDUNDANCY_THRESHOLD = 0.5  # character-trigram Jaccard above this = same content
SAME_ORG_REDUNDANCY_THRESHOLD = 0.3  # …or above this when both sentences mention the same organisation


def _distinctive(fact: Fact) -> bool:
    """Whether a figure can identify one statement: identifiers, and counts of 10 or more."""
    return fact.kind != "count" or float(fact.value.split(" ")[0]) >= 10


def _distinctive_figures(facts) -> set[str]:
    return {f.value for f in facts if f.kind in FIGURE_KINDS and _distinctive(f)}


def key_facts(facts) -> frozenset[tuple[str, str]]:
    """Figures and dates (month-day) of a sentence, comparable across sources (small counts
    such as 1件 are left out: they recur in unrelated sentences)."""
    keys = {("figure", value) for value in _distinctive_figures(facts)}
    keys |= {("date", f.value[-5:]) for f in facts if f.kind == "date"}
    return frozenset(keys)


def covered_facts(chosen: list[tuple[Candidate, str]]) -> frozenset[tuple[str, str]]:
    """The key facts the chosen bullets' texts already state."""
    covered: set[tuple[str, str]] = set()
    for _, text in chosen:
        covered |= key_facts(extract_facts(text))
    return frozenset(covered)


def _event_values(facts) -> frozenset[str]:
    """Values that pin down one event: identifiers, clock times (午後3時42分 is 15:42 either way)
    and counts of 10 or more (12万4,513件 and 124,513件 are both "124513 件"); small counts such
    as 1件 or 2台 recur in unrelated sentences and are left out."""
    values = {"time " + f.value for f in facts if f.kind == "time"}
    values |= _distinctive_figures(facts)
    return frozenset(values)


def _orgs_in(text: str, announcer: str | None) -> set[str]:
    """Organisations a text mentions; "同社", "同大学"… and the announcer's name count as the announcer."""
    names = {f.value for f in extract_facts(text) if f.kind == "org"}
    if announcer:
        own = normalize(announcer)
        if own in normalize(text) or refers_in_third_person(text):
            names.add(own)
    return names


def is_redundant(text: str, chosen: list[tuple[Candidate, str]], announcer: str | None) -> bool:
    """Whether ``text`` restates a chosen bullet.

    Redundant when the character-trigram Jaccard with a chosen bullet (or its source sentence)
    is above REDUNDANCY_THRESHOLD; when at least half of its figures are the same values as a
    chosen bullet's (12万4,513件 and 124,513件 are one figure); or when both mention the same
    organisation and the Jaccard is above SAME_ORG_REDUNDANCY_THRESHOLD.
    """
    grams = char_shingles(text)
    figures = _event_values(extract_facts(text))
    orgs = _orgs_in(text, announcer)
    for cand, other in chosen:
        similarity = max(jaccard(grams, char_shingles(other)), jaccard(grams, char_shingles(cand.sentence)))
        if similarity > REDUNDANCY_THRESHOLD:
            return True
        shared = figures & _event_values(extract_facts(other))
        if shared and 2 * len(shared) >= len(figures):
            return True
        if similarity > SAME_ORG_REDUNDANCY_THRESHOLD and orgs & _orgs_in(other, announcer):
            return True
    return False
