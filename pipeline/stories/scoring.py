"""Does an article belong to a story? Named features of the article against the story's centroid,
combined by a logistic model whose weights live in ``join_model.json`` (fitted by
``bench/fit_join_model.py`` on a labelled set; its version is recorded with every decision).

Features (each 0–1):
  title_cos, body_cos   cosine of TF-IDF vectors, article against centroid (title and body apart)
  rare_shared           share of the article's look-up keys (rare words and facts), IDF-weighted,
                        that the story also has
  org_shared            the rarest organisation both name (IDF relative to the archive's maximum)
  id_shared             both name a CVE or KB number in common
  id_conflict           both name CVE/KB numbers and none in common (a veto: another advisory
                        in the same words is another story)
  org_conflict          both name rare organisations and none in common
  title_org_conflict    both headlines name rare organisations (the victims) and neither side names
                        the other's anywhere (a provider both name does not make them one story)
  count_shared          both give the same count (312 人)
  count_conflict        both give counts in the same unit and none agree
  time_newest           Gaussian (σ = 3 days) of the distance to the story's newest article
  time_oldest           the same, to its oldest
  near_duplicate        the highest MinHash similarity with one of the story's articles
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from pipeline.stories.centroids import Centroid
from pipeline.stories.evidence import moment
from pipeline.stories.profiles import Profile, idf, tfidf_norm, weigh

FEATURES = ("title_cos", "body_cos", "rare_shared", "org_shared", "id_shared", "id_conflict", "org_conflict",
            "title_org_conflict", "count_shared", "count_conflict", "time_newest", "time_oldest", "near_duplicate")
COSINES = ("title_cos", "body_cos")   # the costly features, computed last (see JoinModel.ceiling)
SIGMA_DAYS = 3.0
RARE_ORG = 0.5          # an organisation whose relative IDF is above this names the victim, not a bystander


@dataclass(frozen=True)
class JoinModel:
    version: str
    weights: dict[str, float]
    bias: float
    threshold: float         # join the best candidate when its probability reaches this
    repair_threshold: float  # merge two stories when their probability reaches this
    vetoes: tuple[str, ...] = ()  # features that forbid a join whatever the score

    def probability(self, features: dict[str, float]) -> float:
        """The probability that the article (or story) belongs to the story; 0 when a veto applies."""
        if any(features.get(name) for name in self.vetoes):
            return 0.0
        z = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in features.items())
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def ceiling(self, without_cosines: dict[str, float]) -> float:
        """The highest probability a candidate can reach whatever its cosines (each between 0 and 1):
        below a threshold, they need not be computed."""
        best = {name: float(self.weights[name] > 0) for name in COSINES}
        return self.probability({**best, **without_cosines})


@lru_cache(maxsize=1)
def join_model() -> JoinModel:
    data = json.loads(resources.files("pipeline.stories").joinpath("join_model.json").read_text("utf-8"))
    return model_from(data)


def model_from(data: dict) -> JoinModel:
    missing = [name for name in FEATURES if name not in data["weights"]]
    if missing:
        raise ValueError(f"join model {data.get('version')} has no weight for {', '.join(missing)}")
    unknown = [name for name in data.get("vetoes", ()) if name not in FEATURES]
    if unknown:
        raise ValueError(f"join model {data.get('version')} vetoes unknown features {', '.join(unknown)}")
    return JoinModel(str(data["version"]), {name: float(data["weights"][name]) for name in FEATURES},
                     float(data["bias"]), float(data["threshold"]), float(data["repair_threshold"]),
                     tuple(data.get("vetoes", ())))


@dataclass
class Side:
    """What is compared: an article's profile, or a story's centroid seen as one (raw word counts,
    the lengths of their TF-IDF vectors, facts, time span)."""
    title: dict[str, int]
    body: dict[str, int]
    title_norm: float
    body_norm: float
    facts: dict
    newest: str | None
    oldest: str | None
    weighted: tuple[dict[str, float], dict[str, float]] | None = None  # see prepared()
    _facts_seen: tuple | None = None  # (dfs, total, FactView): see fact_view()

    def fact_view(self, dfs: dict[str, int], total: int) -> FactView:
        """Its facts as compared, computed once for the document frequencies in use."""
        seen = self._facts_seen
        if seen is None or seen[0] is not dfs or seen[1] != total:
            seen = self._facts_seen = (dfs, total, _fact_view(self, dfs, total))
        return seen[2]

    def prepared(self, dfs: dict[str, int], total: int) -> Side:
        """The side that is compared with many: each term's TF-IDF times its IDF once more, so a cosine
        against counts costs one pass over the shared terms. ``dfs`` must hold its terms."""
        self.weighted = weigh(self.title, dfs, total, power=2), weigh(self.body, dfs, total, power=2)
        if not self.title_norm and not self.body_norm:
            self.title_norm, self.body_norm = tfidf_norm(self.title, dfs, total), tfidf_norm(self.body, dfs, total)
        return self


def article_side(profile: Profile, dfs: dict[str, int], total: int) -> Side:
    return Side(profile.title, profile.body, 0.0, 0.0, {k: set(v) for k, v in profile.facts.items()},
                profile.published_at, profile.published_at).prepared(dfs, total)


def centroid_side(centroid: Centroid) -> Side:
    return Side(centroid.title, centroid.body, centroid.title_norm, centroid.body_norm, centroid.facts,
                centroid.last_published_at, centroid.first_published_at)


def features(article: Side, story: Side, keys: dict[str, float], dfs: dict[str, int], total: int,
             near_duplicate: float = 0.0) -> dict[str, float]:
    """The named features of one article (or story, prepared) against one story."""
    return with_cosines(article, story, fact_features(article, story, keys, dfs, total, near_duplicate))


def features_reaching(model: JoinModel, threshold: float | None, article: Side, story: Side,
                      keys: dict[str, float], dfs: dict[str, int], total: int,
                      near_duplicate: float = 0.0) -> dict[str, float] | None:
    """The features, or None when the story cannot reach ``threshold`` whatever its cosines (which
    are then never computed); ``threshold`` None: always the features."""
    named = fact_features(article, story, keys, dfs, total, near_duplicate)
    if threshold is not None and model.ceiling(named) < threshold:
        return None
    return with_cosines(article, story, named)


def with_cosines(article: Side, story: Side, named: dict[str, float]) -> dict[str, float]:
    """``named`` (from fact_features) completed with the cosines, in the order of FEATURES."""
    return {"title_cos": _cosine(article.weighted[0], article.title_norm, story.title, story.title_norm),
            "body_cos": _cosine(article.weighted[1], article.body_norm, story.body, story.body_norm), **named}


def fact_features(article: Side, story: Side, keys: dict[str, float], dfs: dict[str, int], total: int,
                  near_duplicate: float = 0.0) -> dict[str, float]:
    """Every feature but the cosines: the shared keys, the facts, time and MinHash (cheap)."""
    mine, theirs = article.fact_view(dfs, total), story.fact_view(dfs, total)
    a_orgs, s_orgs = mine.orgs, theirs.orgs
    return {
        "rare_shared": _rare_shared(keys, story),
        "org_shared": max((mine.rarity[org] for org in a_orgs & s_orgs), default=0.0),
        "id_shared": float(bool(mine.ids & theirs.ids)),
        "id_conflict": float(bool(mine.ids and theirs.ids and not mine.ids & theirs.ids)),
        "org_conflict": float(bool(mine.rare_orgs and theirs.rare_orgs and not mine.rare_orgs & theirs.rare_orgs)),
        "title_org_conflict": float(bool(mine.victims and theirs.victims and not mine.victims & s_orgs
                                         and not theirs.victims & a_orgs)),
        "count_shared": float(bool(mine.counts & theirs.counts)),
        "count_conflict": float(bool(mine.counts and theirs.counts and not mine.counts & theirs.counts
                                     and mine.units & theirs.units)),
        "time_newest": _closeness(mine.when, _moment(story.newest)),
        "time_oldest": _closeness(mine.when, _moment(story.oldest)),
        "near_duplicate": near_duplicate,
    }


@dataclass(frozen=True)
class FactView:
    """One side's facts as the features compare them (computed once per side and document frequencies)."""
    orgs: frozenset[str]
    rarity: dict[str, float]          # each organisation's relative IDF
    rare_orgs: frozenset[str]         # those naming a victim, not a bystander
    victims: frozenset[str]           # the rare organisations its headline(s) name
    ids: frozenset[str]
    counts: frozenset[str]
    units: frozenset[str]
    when: object


def _fact_view(side: Side, dfs: dict[str, int], total: int) -> FactView:
    facts = side.facts
    orgs = frozenset(facts.get("org", ()))
    rarity = _org_rarity(orgs, dfs, total)
    counts = frozenset(facts.get("count", ()))
    return FactView(orgs, rarity, frozenset(org for org in orgs if rarity[org] > RARE_ORG),
                    frozenset(org for org in facts.get("title_org", ()) if _rarity(org, dfs, total) > RARE_ORG),
                    frozenset(facts.get("id", ())), counts, frozenset(_unit(c) for c in counts), _moment(side.newest))


def _org_rarity(orgs, dfs: dict[str, int], total: int) -> dict[str, float]:
    """Each organisation's IDF relative to the highest possible (1.0: named by no other article)."""
    return {org: _rarity(org, dfs, total) for org in orgs}


def _rarity(org: str, dfs: dict[str, int], total: int) -> float:
    return idf(dfs.get(f"org:{org}", 0), total) / idf(0, total)


def shared_keys(keys: list[str], story: Side, limit: int = 5) -> list[str]:
    """The article's look-up keys the story also has, rarest first (for the evidence)."""
    return [key for key in keys if _has(story, key)][:limit]


def _has(story: Side, key: str) -> bool:
    kind, _, value = key.partition(":")
    if kind in ("id", "org") and value:
        return value in story.facts.get(kind, ())
    return key in story.title or key in story.body


def _shared(keys: dict[str, float], story: Side) -> set[str]:
    """The keys the story has: words through set intersections (done in C), facts one by one (a few)."""
    found = (keys.keys() & story.title.keys()) | (keys.keys() & story.body.keys())
    return found | {key for key in keys if ":" in key and _has(story, key)}


def key_weights(keys: list[str], dfs: dict[str, int], total: int) -> dict[str, float]:
    """The IDF of each look-up key (computed once per article, used against every candidate)."""
    return {key: idf(dfs.get(key, 0), total) for key in keys}


def _rare_shared(weights: dict[str, float], story: Side) -> float:
    whole = math.fsum(weights.values())
    return math.fsum(weights[key] for key in _shared(weights, story)) / whole if whole else 0.0


def _cosine(a: dict[str, float], a_norm: float, b: dict[str, int], b_norm: float) -> float:
    """Cosine of a prepared vector with one given as counts: a pass over the terms in common only
    (fsum: the same value whatever order the set gives them in)."""
    if not a_norm or not b_norm:
        return 0.0
    dot = math.fsum(a[t] * (1 + math.log(b[t])) for t in a.keys() & b.keys())
    return min(1.0, dot / (a_norm * b_norm))


@lru_cache(maxsize=4096)
def _moment(value: str | None):
    return moment(value)


def _closeness(first, second) -> float:
    if first is None or second is None:
        return 0.0
    if (first.tzinfo is None) != (second.tzinfo is None):
        first, second = first.replace(tzinfo=None), second.replace(tzinfo=None)
    days = abs((first - second).total_seconds()) / 86400
    return math.exp(-(days * days) / (2 * SIGMA_DAYS * SIGMA_DAYS))


def _unit(count: str) -> str:
    return count.rsplit(" ", 1)[-1]
