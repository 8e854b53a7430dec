"""Relevance: an explainable score for a story, from the topic profile (pipeline/profile.toml).

Pure: the story's texts and signals in, a score and the contributions that made it out.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.analyse.facts import Fact

DEFAULT_PROFILE = Path(__file__).with_name("profile.toml")
ENV_VAR = "NEWSDESK_PROFILE"
VICTIM_UNITS = ("件", "人", "名", "通", "台", "個", "社", "アカウント")


class ProfileError(ValueError):
    pass


@dataclass(frozen=True)
class Profile:
    terms: dict[str, float]
    patterns: dict[str, float]
    signals: dict[str, float]
    summariser: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Contribution:
    signal: str
    weight: float

    def as_dict(self) -> dict:
        return {"signal": self.signal, "weight": self.weight}


def load_profile(path: str | os.PathLike | None = None) -> Profile:
    file = Path(path or os.environ.get(ENV_VAR) or DEFAULT_PROFILE)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"topic profile {file}: {exc}") from None
    sections = {name: data.get(name, {}) for name in ("terms", "patterns", "signals")}
    for name, table in sections.items():
        for key, weight in table.items():
            if isinstance(weight, bool) or not isinstance(weight, int | float):
                raise ProfileError(f"topic profile {file}: [{name}] {key!r} must be a number")
    for pattern in sections["patterns"]:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ProfileError(f"topic profile {file}: pattern {pattern!r} is invalid ({exc})") from None
    return Profile(**sections, summariser=data.get("summariser", {}))


def score_story(profile: Profile, text: str, facts: list[Fact], *, has_primary: bool, exploited: bool,
                news_sites: int, partial: bool) -> tuple[float, list[Contribution]]:
    """Score and explanation: each matched term, pattern and signal with its weight, largest first."""
    folded = text.lower()
    contributions = [Contribution(f"term:{term}", weight) for term, weight in profile.terms.items()
                     if term.lower() in folded]
    contributions += [Contribution(f"pattern:{pattern}", weight) for pattern, weight in profile.patterns.items()
                      if re.search(pattern, text)]
    signals = profile.signals
    if has_primary:
        contributions.append(Contribution("primary source found", signals.get("primary_source", 0.0)))
    if biggest := victim_count(facts):
        contributions.append(Contribution(f"victim count {biggest}", signals.get("victim_count", 0.0)))
    if exploited or "悪用" in text and "CVE-" in text:
        contributions.append(Contribution("exploited vulnerability", signals.get("exploited_cve", 0.0)))
    if news_sites > 1:
        extra = min(news_sites - 1, 2)
        contributions.append(Contribution(f"covered by {news_sites} news sites",
                                          extra * signals.get("more_sites", 0.0)))
    if partial:
        contributions.append(Contribution("only partial text", signals.get("partial_text", 0.0)))
    contributions = [c for c in contributions if c.weight]
    contributions.sort(key=lambda c: (-abs(c.weight), c.signal))
    return round(sum(c.weight for c in contributions), 2), contributions


def victim_count(facts: list[Fact]) -> str | None:
    """The largest count of 1,000 or more people, records, mails or devices, as written."""
    best: tuple[float, str] | None = None
    for fact in facts:
        if fact.kind != "count" or not fact.value:
            continue
        number, _, unit = fact.value.partition(" ")
        try:
            value = float(number)
        except ValueError:
            continue
        if unit in VICTIM_UNITS and value >= 1000 and (best is None or value > best[0]):
            best = (value, fact.text)
    return best[1] if best else None
