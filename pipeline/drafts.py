"""The drafting stage: one candidate per story, ranked, summarised in the house format.

stories → facts → relevance → summary (MSRC digest, LLM or extractive) → related earlier stories
→ candidate. An editor's candidate is never overwritten: when its story changes it is only
flagged (needs_review), and every change to a candidate is written to candidate_history.
"""

from __future__ import annotations

import heapq
import json
import os
import sqlite3
from collections import deque
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field

import sqlite_utils

from pipeline import stories
from pipeline.analyse.facts import Fact, extract_facts
from pipeline.analyse.relevance import Profile, score_story
from pipeline.store.db import insert_row, open_reader
from pipeline.store.history import record
from pipeline.store.runlock import grouping_lock
from pipeline.store.schema import now_iso
from pipeline.store.transactions import transaction
from pipeline.stories.ahead import Ahead
from pipeline.stories.grouping import WINDOW_DAYS
from pipeline.stories.profiles import TermStats, idf
from pipeline.stories.retrieval import stories_sharing, story_keys, window
from pipeline.summarise.extractive import SourceText, summarise

EXCERPT_CHARS = 300


@dataclass
class DraftOutcome:
    articles_grouped: int = 0
    stories_new: int = 0
    drafted: int = 0
    redrafted: int = 0
    flagged: int = 0
    summariser_fallbacks: int = 0
    drafted_early: int = 0  # stories drafted while grouping was still running (SettledStories)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.articles_grouped} articles grouped, {self.stories_new} new stories; "
                f"{self.drafted} candidates drafted, {self.redrafted} redrafted, "
                f"{self.flagged} edited candidates flagged for review"
                + (f"; LLM fell back to extractive {self.summariser_fallbacks} times"
                   if self.summariser_fallbacks else ""))


def draft(db: sqlite_utils.Database, profile: Profile, *, rebuild: bool = False, llm_model=None,
          progress=None, workers: int | None = None) -> DraftOutcome:
    """Group new and changed articles into stories and (re)draft the stories that changed.

    ``progress(stage, done, total)`` hears how far grouping and drafting have got. Drafts of one
    database take turns (grouping_lock)."""
    with grouping_lock(db.execute("PRAGMA database_list").fetchone()[2]):
        return _draft(db, profile, rebuild, llm_model, progress, workers)


def _draft(db, profile: Profile, rebuild: bool, llm_model, progress, workers: int | None) -> DraftOutcome:
    outcome = DraftOutcome()
    # the summaries are most of drafting's work: one worker per core (the main process mostly waits);
    # niced, so that while grouping runs they take only the time it leaves idle
    summarisers = (os.cpu_count() or 1) if workers is None else workers
    expected = 0 if llm_model is not None else _expected_work(db, rebuild)
    with Ahead(drafted_text, expected, summarisers, niceness=DRAFTING_NICENESS) as ahead:
        drafter = Drafter(db, ahead, profile, outcome, llm_model)
        settled = SettledStories(db, drafter) if ahead.pool is not None else None
        grouped = (stories.rebuild_stories(db, progress, workers, meanwhile=settled) if rebuild
                   else stories.update_stories(db, progress, workers=workers, meanwhile=settled))
        drafter.write()  # those drafted while grouping ran
        outcome.articles_grouped, outcome.stories_new = grouped.processed, grouped.created
        outcome.drafted_early = drafter.written
        stories.finish_rebuild(db)  # an interrupted rebuild is reconciled before anything else is drafted
        pending = stories_to_draft(db)  # the ones grouped and not drafted yet, and any an interrupted run left
        for start in range(0, len(pending), DRAFT_BATCH):
            if progress:
                progress("drafting", max(start - 2 * DRAFT_BATCH, 0), len(pending))
            drafter.submit(pending[start:start + DRAFT_BATCH])
            drafter.write(keep=2)  # two batches ahead
        drafter.write()
    if progress:
        progress("drafting", len(pending), len(pending))
    settle_drafting_queue(db)
    return outcome


DRAFT_BATCH = 100  # stories read and summarised ahead per batch
DRAFTING_NICENESS = 19  # the lowest priority: grouping's processes first


def _expected_work(db, rebuild: bool) -> int:
    """The articles grouping will visit (a rebuild: all of them) and the stories already queued for
    drafting, about: the drafting workers start when there is enough work to pay for them."""
    articles = "articles" if rebuild else "grouping_queue"
    return db.execute(f"SELECT (SELECT count(*) FROM {articles}) + (SELECT count(*) FROM drafting_queue)").fetchone()[0]


class Drafter:
    """Stories drafted in batches: read here, summarised ahead by the workers, written here as their
    results come back (a batch a commit, each story a savepoint; killed, the queue still has them)."""

    def __init__(self, db, ahead: Ahead, profile: Profile, outcome: DraftOutcome, llm_model) -> None:
        self.db, self.ahead, self.profile, self.outcome, self.llm_model = db, ahead, profile, outcome, llm_model
        self.in_flight: deque[tuple[list, object]] = deque()
        self.written = 0
        # the workers read related stories through connections of their own to this file
        self.file = db.execute("PRAGMA database_list").fetchone()[2] if ahead.pool is not None else None

    def submit(self, story_ids: list[int]) -> None:
        """Read a batch of stories (revision, then articles: a later change makes a newer revision)
        and have their texts summarised ahead."""
        jobs = []
        for story_id in story_ids:
            revision = self.db.execute("SELECT revision FROM stories WHERE id = ?", [story_id]).fetchone()
            if revision is not None:
                jobs.append((story_id, revision[0], stories.story_articles(self.db, story_id)))
        self.in_flight.append((jobs, self.ahead.submit([(story_id, articles, self.profile, self.file)
                                                        for story_id, _rev, articles in jobs])))

    def write(self, *, keep: int = 0, wait: bool = True) -> None:
        """Write the batches summarised, oldest first, until ``keep`` are left (``wait=False``: only
        those whose summaries are done)."""
        while len(self.in_flight) > keep and (wait or self.ahead.ready(self.in_flight[0][1])):
            jobs, handle = self.in_flight.popleft()
            texts = self.ahead.result(handle)
            # not in one transaction around a model's calls: they would hold the write lock for minutes
            with transaction(self.db) if self.llm_model is None else nullcontext():
                for (story_id, revision, articles), text in zip(jobs, texts, strict=True):
                    draft_story(self.db, story_id, self.profile, self.outcome, self.llm_model,
                                prepared=(revision, articles, text))
                    self.written += 1


class SettledStories:
    """Called by grouping between pieces of its work: the stories it can no longer reach by their
    words are drafted meanwhile, on the cores grouping leaves idle. Articles are grouped in date order
    and compared only with stories that have an article within WINDOW_DAYS of theirs, so a story
    whose newest article is older than that before the batch's newest is settled; once every article
    is placed, all are. A citation, a release or the repair pass may still change one: it is then
    drafted again, as in any incremental run. Nothing is drafted early while a rebuild is reconciled
    (its stories may yet be renumbered)."""

    IN_FLIGHT = 4  # batches

    def __init__(self, db, drafter: Drafter) -> None:
        self.db, self.drafter = db, drafter
        self.newest: dict[int, str] = {}            # story -> its newest article's date, until settled
        self.by_date: list[tuple[str, int]] = []    # heap of (date, story)
        self.due: deque[int] = deque()
        self.reconciling: bool | None = None

    def __call__(self, placed: list[tuple[int, str | None]], more: bool) -> None:
        if self.reconciling is None:
            self.reconciling = bool(self.db.execute("SELECT 1 FROM story_rebuild LIMIT 1").fetchone())
        if self.reconciling:
            return
        for story_id, published in placed:
            if published and published > self.newest.get(story_id, ""):
                self.newest[story_id] = published
                heapq.heappush(self.by_date, (published, story_id))
        if more:
            latest = max((published for _, published in placed if published), default=None)
            settled = self._settled_before(window(latest, WINDOW_DAYS, 0)[0]) if latest else []
        else:
            settled = self._settled_before(None)
        self.due.extend(sorted(settled))
        self.drafter.write(wait=False)
        while self.due and len(self.drafter.in_flight) < self.IN_FLIGHT:
            batch = [self.due.popleft() for _ in range(min(DRAFT_BATCH, len(self.due)))]
            self.drafter.submit(stories_to_draft(self.db, batch))

    def _settled_before(self, cutoff: str | None) -> list[int]:
        """The stories whose newest article is dated before ``cutoff`` (None: all)."""
        settled = []
        while self.by_date and (cutoff is None or self.by_date[0][0] < cutoff):
            published, story_id = heapq.heappop(self.by_date)
            if self.newest.get(story_id) == published:  # else a newer article joined it since
                del self.newest[story_id]
                settled.append(story_id)
        return settled


Drafted = tuple[list | None, str | None, list[Fact], list[dict] | None]  # bullets, summariser, facts, related


def drafted_text(job: tuple[int, list[dict], Profile, str | None]) -> Drafted:
    """The part of drafting a story that writes nothing, done ahead in a worker: its facts, its
    related earlier stories (when given the database ``file``: read through the worker's own
    read-only connection, as every earlier article is grouped and committed before a story is
    drafted and drafting changes nothing they are found by; else None, for the caller to find) and,
    unless a release leads it, its extractive bullets."""
    story_id, articles, profile, file = job
    facts = _story_facts(articles) if articles else []
    related = related_stories(_reader(file), story_id) if articles and file else None
    if not articles or any(a["role"] == "release" for a in articles):
        return None, None, facts, related
    return _extractive(articles, profile), "extractive", facts, related


_READERS: dict[tuple[int, str], sqlite3.Connection] = {}


def _reader(file: str) -> sqlite3.Connection:
    """This process's read-only connection to the database (one per process: a connection must
    not cross a fork)."""
    key = (os.getpid(), file)
    if key not in _READERS:
        _READERS[key] = open_reader(file)
    return _READERS[key]


def _extractive(articles: list[dict], profile: Profile) -> list[dict]:
    sources = [source_text(a) for a in articles if a["role"] != "duplicate"]
    bullets = summarise(sources, max_chars=int(profile.summariser.get("max_chars", 120)), terms=profile.terms)
    return [asdict(b) for b in bullets]


def stories_to_draft(db: sqlite_utils.Database, among: list[int] | None = None) -> list[int]:
    """Stories with articles but no candidate, or changed since their candidate was last drafted
    (``among``: of those stories only). Only the queued stories are looked at (drafting_queue, kept
    by the triggers of pipeline.store.schema); those that need nothing leave it at the end of a draft."""
    if among is None:
        return [row[0] for row in db.execute(f"{_NEEDS_DRAFT} ORDER BY st.id")]
    return [row[0] for row in db.execute(f"{_NEEDS_DRAFT} AND st.id IN ({','.join('?' * len(among))}) "
                                         "ORDER BY st.id", among)]


def settle_drafting_queue(db: sqlite_utils.Database) -> None:
    """Drop the queued stories that need no draft (checked in the statement: one queued again stays)."""
    with transaction(db):
        db.execute(f"DELETE FROM drafting_queue WHERE story_id NOT IN ({_NEEDS_DRAFT})")


_NEEDS_DRAFT = ("SELECT st.id FROM drafting_queue q CROSS JOIN stories st ON st.id = q.story_id "  # the queue first
                "LEFT JOIN candidates c ON c.story_id = st.id "
                "WHERE st.merged_into IS NULL AND EXISTS (SELECT 1 FROM story_articles sa WHERE sa.story_id = st.id) "
                "AND (c.id IS NULL OR c.drafted_revision IS NULL OR c.drafted_revision < st.revision)")


def draft_story(db: sqlite_utils.Database, story_id: int, profile: Profile, outcome: DraftOutcome,
                llm_model=None, prepared: tuple | None = None) -> None:
    """Draft (or redraft, or flag) one story's candidate. ``prepared``: its revision, articles and
    drafted text as read and computed ahead."""
    if prepared is None:
        revision = db.execute("SELECT revision FROM stories WHERE id = ?", [story_id]).fetchone()[0]
        articles = stories.story_articles(db, story_id)
        text = None
    else:
        revision, articles, text = prepared
    if not articles:
        return
    content, facts = story_content(db, story_id, articles, profile, outcome, llm_model, text)
    with transaction(db):  # the story's facts and its candidate together, or neither
        if not db.execute("SELECT 1 FROM stories WHERE id = ?", [story_id]).fetchone():
            return  # another process's rebuild retired it since it was read (a newer revision is redrafted later)
        db.execute("UPDATE stories SET facts = ? WHERE id = ?", [facts, story_id])
        existing = next(iter(db.query("SELECT * FROM candidates WHERE story_id = ?", [story_id])), None)
        if existing is None:
            _insert(db, story_id, {**content, "drafted_revision": revision})
            outcome.drafted += 1
        elif existing["edited"]:
            _flag(db, existing, revision)
            outcome.flagged += 1
        else:
            _update(db, existing, content, revision)
            outcome.redrafted += 1


def story_content(db, story_id: int, articles: list[dict], profile: Profile, outcome: DraftOutcome,
                  llm_model=None, drafted: Drafted | None = None) -> tuple[dict, str]:
    """Everything software writes into a candidate, as database values, and the story's facts as JSON.
    ``drafted``: what :func:`drafted_text` computed ahead for these articles."""
    news = [a for a in articles if a["role"] in ("news", "duplicate")]
    primaries = [a for a in articles if a["role"] in ("release", "primary")]  # the official word
    lead = news[0] if news else primaries[0]
    text = "\n".join(f"{a['title']}\n{a['text']}" for a in articles)
    ahead_bullets, ahead_summariser, facts, related = drafted if drafted else (None, None, _story_facts(articles), None)
    if related is None:
        related = related_stories(db, story_id)
    exploited = False
    headline = lead["title"]
    release = next((a for a in articles if a["role"] == "release"), None)
    if release is not None:
        bullets, summariser, exploited, headline = _release_bullets(db, release)
    elif ahead_bullets is not None and llm_model is None:
        bullets, summariser = ahead_bullets, ahead_summariser
    else:
        bullets, summariser = _prose_bullets(articles, profile, outcome, llm_model)
    score, explanation = score_story(
        profile, text, facts, has_primary=bool(primaries), exploited=exploited,
        news_sites=len({a["source"] for a in news}), partial=all(a["body_status"] == "partial" for a in news))
    excerpt_from = primaries[0] if primaries else lead
    facts_json = _json([_fact_dict(f) for f in facts])
    return {
        "headline": headline, "news_url": news[0]["url"] if news else None,
        "primary_url": primaries[0]["url"] if primaries else None,
        "links": _json([{"url": a["url"], "role": a["role"], "title": a["title"]} for a in news + primaries]),
        "bullets": _json(bullets), "related": _json(related),
        "excerpt": excerpt_from["text"][:EXCERPT_CHARS], "excerpt_title": excerpt_from["title"],
        "score": score, "explanation": _json([c.as_dict() for c in explanation]),
        "facts": facts_json, "summariser": summariser,
    }, facts_json


def _prose_bullets(articles: list[dict], profile: Profile, outcome: DraftOutcome, llm_model) -> tuple[list, str]:
    if llm_model is not None:
        from pipeline.summarise.llm import llm_bullets

        sources = [source_text(a) for a in articles if a["role"] != "duplicate"]
        bullets = llm_bullets(llm_model, sources, max_chars=int(profile.summariser.get("max_chars", 120)))
        if bullets:
            return [asdict(b) for b in bullets], f"llm:{getattr(llm_model, 'model_id', 'model')}"
        outcome.summariser_fallbacks += 1
    return _extractive(articles, profile), "extractive"


def _release_bullets(db, release: dict) -> tuple[list, str, bool, str]:
    """Bullets and a headline for a monthly release, from its vulnerabilities rather than its prose."""
    from pipeline.summarise.msrc_digest import release_digest, release_headline

    release_id = release["url"].rsplit("/", 1)[1]
    rows = list(db.query("SELECT * FROM vulnerabilities WHERE article_id = ?", [release["id"]]))
    digest = release_digest(release_id, release["published_at"], rows, lang=release["lang"] or "ja")
    bullets = [{"text": b.text, "article_id": release["id"], "sentence_index": -1,
                "source_sentence": f"vulnerabilities:{b.basis}"} for b in digest]
    headline = release_headline(release_id, rows, lang=release["lang"] or "ja")
    return bullets, "msrc-digest", any(row["exploited"] for row in rows), headline


def source_text(article: dict) -> SourceText:
    text, lead = article["text"], article["lead"]
    if lead and lead not in text:
        text = f"{lead}\n{text}"
    return SourceText(article_id=article["id"], role="primary" if article["role"] == "primary" else "news",
                      url=article["url"], title=article["title"], text=text, lang=article["lang"] or "ja",
                      published_at=article["published_at"])


def _story_facts(articles: list[dict]) -> list[Fact]:
    seen, facts = set(), []
    for article in sorted(articles, key=lambda a: a["role"] != "primary"):  # primary facts first
        for fact in extract_facts(article["text"], article["published_at"]):
            if (fact.kind, fact.value) not in seen:
                seen.add((fact.kind, fact.value))
                facts.append(fact)
    return facts


RELATED_DAYS = 730           # earlier stories this far back (two years) may be related
RELATED_SHARE = 0.25         # ... when they share this much of the story's look-up keys (IDF-weighted)
RELATED_PER_KEY = 10         # the newest earlier articles read per key
RELATED_KEYS = 40            # keys looked up (its articles' facts and rarest words, first articles first)


def related_stories(db, story_id: int, limit: int = 3) -> list[dict]:
    """Up to three earlier stories sharing the story's rare words and facts (for the commentary),
    found through the grouping's term index: bounded look-ups, whatever the archive's size."""
    first = db.execute("SELECT first_published_at FROM stories WHERE id = ?", [story_id]).fetchone()
    if not first or not first[0]:
        return []
    keys = story_keys(db, story_id)[:RELATED_KEYS]
    if not keys:
        return []
    stats = TermStats(db)
    dfs = stats.lookup(keys)
    whole = sum(idf(dfs.get(key, 0), stats.total) for key in keys)
    bounds = (window(first[0], RELATED_DAYS, 0)[0], first[0])
    found = [(other, score) for other, score in stories_sharing(db, keys, bounds, dfs, stats.total, limit=limit * 4,
                                                                exclude_story=story_id, per_key=RELATED_PER_KEY)
             if score >= RELATED_SHARE * whole]
    related = []
    for other, _score in found:
        row = db.execute("SELECT st.title, st.first_published_at, (SELECT a.url FROM story_articles sa JOIN articles a "
                         "ON a.id = sa.article_id WHERE sa.story_id = st.id ORDER BY a.published_at LIMIT 1) "
                         "FROM stories st WHERE st.id = ? AND st.first_published_at < ?", [other, first[0]]).fetchone()
        if row:
            related.append({"story_id": other, "title": row[0], "date": (row[1] or "")[:10], "url": row[2]})
    return related[:limit]


def _insert(db, story_id: int, content: dict) -> None:
    stamp = now_iso()
    row = {"id": _next_candidate_id(db), "story_id": story_id, **content, "status": "new", "edited": 0,
           "needs_review": 0, "created_at": stamp, "updated_at": stamp}
    candidate_id = insert_row(db, "candidates", row)
    record(db, candidate_id, "software", "drafted", {})


def _next_candidate_id(db) -> int:
    """Ids are never given out twice, not even those a rebuild retired (`show ID` says where they went)."""
    return 1 + db.execute("SELECT max(coalesce((SELECT max(id) FROM candidates), 0), "
                          "coalesce((SELECT max(id) FROM retired_candidates), 0))").fetchone()[0]


def _update(db, existing: dict, content: dict, revision: int) -> None:
    changes = {k: [existing[k], v] for k, v in content.items() if existing[k] != v}
    if not changes:
        db["candidates"].update(existing["id"], {"drafted_revision": revision})
        return
    db["candidates"].update(existing["id"], {**content, "updated_at": now_iso(), "drafted_revision": revision})
    record(db, existing["id"], "software", "redrafted", {k: v for k, v in changes.items()
                                                         if k in ("headline", "bullets", "score", "primary_url")})


def _flag(db, existing: dict, revision: int) -> None:
    db["candidates"].update(existing["id"], {"drafted_revision": revision} if existing["needs_review"] else
                            {"needs_review": 1, "updated_at": now_iso(), "drafted_revision": revision})
    record(db, existing["id"], "software", "flagged", {"reason": "the story changed after the editor's edit"})


def _fact_dict(fact: Fact) -> dict:
    return {"kind": fact.kind, "text": fact.text, "value": fact.value}


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)

