"""An article's profile for grouping: its content words, its key facts, and the look-up keys under
which later articles find it.

Words are fugashi morphemes of the title and of the opening of the body that carry content (kanji,
katakana or Latin letters; particles and punctuation dropped), plus each pair of adjacent content
words (花森 + 市 → 花森市, so names survive segmentation) and version strings (2.3.1, SK-1234).
Facts are the CVE/KB numbers, organisations and counts of :mod:`pipeline.analyse.facts`.

Document frequencies are kept incrementally in ``term_stats`` (the row ``''`` counts the articles
profiled), so IDF weights follow the archive without a pass over it. An article posts its rarest
terms and all its facts in ``term_postings`` with its date: a later article finds candidate stories
through a few indexed, time-bounded look-ups whatever the archive's size.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

import sqlite_utils

from pipeline.analyse.facts import extract_facts
from pipeline.text.japanese import normalized_words

BODY_CHARS = 1000        # the opening of the body tells the story; the rest is background
POSTED_TERMS = 16        # rarest terms an article posts for later look-ups (plus all its facts)
_CONTENT = re.compile(r"[\u4e00-\u9fff\u30a1-\u30faー\u3005A-Za-z]")
_VERSION = re.compile(r"(?<![\w.-])[A-Za-z0-9]+(?:[.-][A-Za-z0-9]+)+(?![\w-])")
_STOP = frozenset({"こと", "ため", "もの", "よう", "これ", "それ", "同社", "同市", "同大", "今回", "当該", "以下",
                   "以上", "可能", "場合", "一部", "対象", "情報", "発表", "公表", "について", "に関する"})
TERMS_CAP = 200          # a centroid keeps its heaviest terms only: bounded size per story


@dataclass
class Profile:
    article_id: int
    version: int
    published_at: str | None
    title: Counter
    body: Counter
    facts: dict[str, list[str]] = field(default_factory=dict)

    @property
    def fact_keys(self) -> list[str]:
        return [f"{kind}:{value}" for kind in ("id", "org") for value in self.facts.get(kind, [])]

    @cached_property
    def terms(self) -> frozenset[str]:
        """Its words and fact keys: what term_stats counts (computed once; grouping asks three times)."""
        return frozenset(self.title) | frozenset(self.body) | frozenset(self.fact_keys)

    @cached_property
    def words_json(self) -> str:
        """Its word counts as article_profiles.terms keeps them (computed by the worker that builds
        the profile, grouping.computed: a pickled profile carries it to the main process)."""
        return json.dumps({"title": self.title, "body": self.body}, ensure_ascii=False)


def content_words(text: str) -> Counter:
    """Content words, adjacent pairs of them, and version strings, with their counts."""
    words: Counter = Counter()
    previous = None
    for token in normalized_words(text):
        if _CONTENT.search(token) and token not in _STOP:
            words[token] += 1
            if previous:
                words[previous + token] += 1
            previous = token
        else:
            previous = None
    words.update(match.group(0) for match in _VERSION.finditer(text) if not match.group(0).isdigit())
    return words


def article_facts(article: dict) -> dict[str, list[str]]:
    """The facts that tell one event from another: CVE/KB ids, organisations (and those the title
    names), counts."""
    text = f"{article['title']}\n{article.get('lead') or ''}\n{article['text'][:BODY_CHARS]}"
    found: dict[str, set[str]] = {"id": set(), "org": set(), "count": set()}
    for fact in extract_facts(text):
        if fact.kind in ("cve", "kb"):
            found["id"].add(fact.value)
        elif fact.kind in ("org", "count"):
            found[fact.kind].add(fact.value)
    found["title_org"] = {org for org in found["org"] if org in article["title"]}  # the headline's: the victim
    return {kind: sorted(values) for kind, values in found.items()}


def build_profile(article: dict) -> Profile:
    body = f"{article.get('lead') or ''}\n{article['text'][:BODY_CHARS]}"
    return Profile(article["id"], article["version"], article["published_at"], content_words(article["title"]),
                   content_words(body), article_facts(article))


# --- IDF -------------------------------------------------------------------------------------------

class TermStats:
    """Document frequencies read through a bounded cache that this run's own counting keeps current
    (a grouping run is the only writer of term_stats: it holds the database's write lock). Counts
    are written by ``flush`` (one statement for a whole batch of articles), in the transaction of
    the batch counted."""

    CACHE_TERMS = 300_000

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self._df: dict[str, int] = {}
        self._unwritten: Counter = Counter()
        self.total = db.execute("SELECT df FROM term_stats WHERE term = ''").fetchone()
        self.total = self.total[0] if self.total else 0

    def lookup(self, terms) -> dict[str, int]:
        """A mapping holding (at least) the df of every term asked for."""
        terms = terms if isinstance(terms, (set, frozenset)) else set(terms)
        missing = [term for term in terms if term not in self._df]
        if len(self._df) + len(missing) > self.CACHE_TERMS:
            self._df = {}
            missing = list(terms)
        if missing:
            found, _ = document_frequencies(self.db, missing)
            self._df.update({term: found.get(term, 0) + self._unwritten[term] for term in missing})
        return self._df

    def count(self, terms, step: int) -> None:
        self.total += step
        self._unwritten[""] += step
        for term in terms:
            self._unwritten[term] += step
            if term in self._df:
                self._df[term] += step

    def flush(self) -> None:
        """Write the counts made since the last flush."""
        changes = sorted((term, step) for term, step in self._unwritten.items() if step)
        self.db.conn.executemany("INSERT INTO term_stats (term, df) VALUES (?, ?) ON CONFLICT(term) DO UPDATE "
                                 "SET df = df + excluded.df", changes)
        self._unwritten.clear()


def document_frequencies(db: sqlite_utils.Database, terms) -> tuple[dict[str, int], int]:
    """(df of each term, number of articles profiled)."""
    wanted = list({*terms, ""})
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        found.update(db.execute(f"SELECT term, df FROM term_stats WHERE term IN ({','.join('?' * len(chunk))})",
                                chunk).fetchall())
    return found, found.pop("", 0)


def idf(df: int, total: int) -> float:
    return math.log(total + 1) - math.log(df + 1) + 1.0


def weigh(counts: Counter | dict, dfs: dict[str, int], total: int, power: int = 1) -> dict[str, float]:
    """TF-IDF weights (sublinear TF); ``power=2``: TF-IDF times IDF once more (see Side.prepared)."""
    log, top = math.log, math.log(total + 1) + 1.0
    return {term: (1 + log(count)) * (top - log(dfs.get(term, 0) + 1)) ** power
            for term, count in counts.items() if count > 0}


def tfidf_norm(counts: Counter | dict, dfs: dict[str, int], total: int) -> float:
    """The length of ``weigh(counts, dfs, total)`` (without building it)."""
    log, top = math.log, math.log(total + 1) + 1.0
    return math.sqrt(sum(((1 + log(count)) * (top - log(dfs.get(term, 0) + 1))) ** 2
                         for term, count in counts.items() if count > 0))


def lookup_keys(profile: Profile, dfs: dict[str, int], total: int, limit: int = POSTED_TERMS) -> list[str]:
    """The article's facts and its rarest content words (ties broken by weight, then alphabetically)."""
    weights = weigh(profile.title + profile.body, dfs, total)
    rare = sorted((term for term in weights if len(term) >= 2),  # rarest first: the lowest df
                  key=lambda term: (dfs.get(term, 0), -weights[term], term))[:limit]
    return profile.fact_keys + rare


# --- storing ---------------------------------------------------------------------------------------

def store_profile(db: sqlite_utils.Database, profile: Profile, keys: list[str], stats: TermStats,
                  story_id: int | None) -> None:
    """Record the profile, count its terms in term_stats and post its look-up keys under the
    article's story (``story_id``: the callers have just placed the article)."""
    forget_profile(db, profile.article_id, stats)
    db.execute("INSERT INTO article_profiles (article_id, version, published_at, terms, facts, keys) "
               "VALUES (?, ?, ?, ?, ?, ?)",
               [profile.article_id, profile.version, profile.published_at,
                profile.words_json,
                json.dumps(profile.facts, ensure_ascii=False), json.dumps(keys, ensure_ascii=False)])
    stats.count(profile.terms, +1)
    db.conn.executemany("INSERT OR IGNORE INTO term_postings (term, published_at, article_id, story_id) "
                        "VALUES (?, ?, ?, ?)", [(key, profile.published_at or "", profile.article_id, story_id)
                                                for key in keys])


def forget_profile(db: sqlite_utils.Database, article_id: int, stats: TermStats) -> None:
    """Undo store_profile for an article (it changed, or is regrouped)."""
    row = db.execute("SELECT terms, facts, keys, published_at FROM article_profiles WHERE article_id = ?",
                     [article_id]).fetchone()
    if row is None:
        return
    old = load_profile(article_id, 0, row[3], row[0], row[1])
    stats.count(old.terms, -1)
    db.conn.executemany("DELETE FROM term_postings WHERE term = ? AND published_at = ? AND article_id = ?",
                        [(key, row[3] or "", article_id) for key in json.loads(row[2])])
    db.execute("DELETE FROM article_profiles WHERE article_id = ?", [article_id])


def load_profile(article_id: int, version: int, published_at: str | None, terms: str, facts: str) -> Profile:
    parsed = json.loads(terms)
    return Profile(article_id, version, published_at, Counter(parsed["title"]), Counter(parsed["body"]),
                   json.loads(facts))
