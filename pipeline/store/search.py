"""Full-text search over articles: all-of words, "quoted phrases" and OR, Japanese included.

``不正アクセス 流出`` finds articles containing both; ``"情報 漏えい"`` the phrase; ``流出 OR 漏えい``
either (OR binds the words beside it: ``a b OR c`` is a and (b or c)). Each term is answered by an
index, save one kind:

- three characters or more: the trigram index (articles_fts), any substring, any case;
- shorter, of letters and digits (流出, 攻撃, 漏洩, AI): the word index (articles_words), whole
  words as fugashi segments them, in the articles as in the query;
- shorter with other characters (%, _, 0%): a literal substring, which reads the articles
  themselves: those matching the query's other terms, or, when every group of the query has such a
  term, the whole archive newest first until enough match (a rare one reads every article).

Order. The newest ``CANDIDATES`` (1,000) matches, by id (the most recently stored), are found
through the indexes, then ordered: best first by bm25 (default), or newest first by publication
date (``order="newest"``). A query with fewer matches is ranked whole; one with more ranks only its
newest 1,000, because ranking every match of a common word (40,000 articles mention 流出 in a
100,000-article archive) costs 60 ms and more against a few for the bounded set. bm25 is that of
the trigram index when the query has groups of long terms only, else that of the word index; a
query with both kinds is ranked by its long terms, the short ones only filter. A query with no
such group (every group mixes kinds, ``流出 OR ランサムウェア``, or has a literal term) has no
bm25 and comes newest first.

Cost. An index is read newest first and stops at the candidates; the matches of the groups that
filter it are read once per index, not looked up row by row, and first only among the newest
``WINDOW`` × 1,000 ids (enough for common words, whose matches are many to read), the older ids
only when those held too few; when the driving index has at most ``FEW`` (20) matches (a rare
name with a common word, 梅星大学 被害), the filters are looked up for those ids alone. bm25
itself costs a pass over the ranking terms' matches (FTS5 counts the articles holding each
phrase), about 13 ms for a common term of several trigrams.
"""

from __future__ import annotations

import json
import re
import sqlite3
from typing import TYPE_CHECKING, NamedTuple

from pipeline.store.words import word_phrase

if TYPE_CHECKING:
    import sqlite_utils

TRIGRAM = 3  # the trigram tokenizer cannot match fewer characters
CANDIDATES = 1000  # the newest matches ranked (see the module's docstring)
WINDOW = 8  # a filtered query looks for its candidates among the newest WINDOW × CANDIDATES ids first
FEW = 20  # a driving index with no more matches has the other groups looked up id by id
ORDERS = ("best", "newest")
FTS, WORDS, LITERAL = "articles_fts", "articles_words", "literal"
SNIPPET_BEFORE, SNIPPET_AFTER = 30, 70
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_COLUMNS = "id, source, url, title, published_at, lead, text"


class QueryError(ValueError):
    """The query has no term to search for."""


class Term(NamedTuple):
    text: str
    index: str   # FTS, WORDS or LITERAL
    match: str   # the FTS5 phrase, or the LIKE pattern of a literal term


def parse_query(query: str) -> list[list[str]]:
    """The query as a conjunction of alternatives: ``a b OR c "d e"`` -> [[a], [b, c], [d e]]."""
    groups: list[list[str]] = []
    join_next = False
    for quoted, word in _TOKEN.findall(query):
        if word == "OR":
            join_next = bool(groups)
            continue
        term = " ".join((quoted if quoted is not None and not word else word).split())
        if not term:
            continue
        if join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    if not groups:
        raise QueryError("the search query is empty: give at least one word")
    return groups


def plan(query: str) -> list[list[Term]]:
    """The parsed query with the index that answers each term."""
    return [[_term(text) for text in group] for group in parse_query(query)]


def _term(text: str) -> Term:
    if len(text) >= TRIGRAM:
        return Term(text, FTS, _phrase(text))
    words = word_phrase(text) if text.isalnum() else None
    if words:  # a short word: the word index has it (漏洩, AI); "0%" is matched literally
        return Term(text, WORDS, words)
    return Term(text, LITERAL, "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def search(db: sqlite_utils.Database | sqlite3.Connection, query: str, limit: int = 20, order: str = "best",
           candidates: int = CANDIDATES) -> list[dict]:
    """Matching articles (id, source, url, title, published_at, snippet) in the order asked for
    (best or newest first, among the newest ``candidates`` matches: see the module's docstring)."""
    if order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}, not {order!r}")
    groups = plan(query)
    found = _matches(db, _shape(groups), candidates)
    if order == "best" and found and found[0][1] is not None:
        ids = [article_id for article_id, _ in sorted(found, key=lambda row: (row[1], -row[0]))[:limit]]
    else:
        ids = _newest([article_id for article_id, _ in found], db, limit)
    terms = [term.text for group in groups for term in group]
    return [_with_snippet(row, terms) for row in _rows(db, ids)]


class Shape(NamedTuple):
    """How a query is answered: what is read newest first (``driver``: an index for its ``own``
    groups, the union of both indexes for one group, or the articles themselves) and what filters."""
    driver: str                  # FTS, WORDS, "union" or "articles"
    own: list[list[Term]]
    rest: list[list[Term]]

    @property
    def ranked(self) -> bool:
        return self.driver in (FTS, WORDS)


def _shape(groups: list[list[Term]]) -> Shape:
    """The trigram index drives for the groups of long terms, else the word index for the groups of
    short words, else both indexes for a group without literal terms, else the articles."""
    for index in (FTS, WORDS):
        own = [g for g in groups if all(t.index == index for t in g)]
        if own:
            return Shape(index, own, _others(groups, own))
    for group in groups:
        if all(t.index != LITERAL for t in group):
            return Shape("union", [group], _others(groups, [group]))
    return Shape("articles", [], groups)


def _matches(db, shape: Shape, candidates: int) -> list[tuple[int, float | None]]:
    """(id, bm25 or None) of the newest ``candidates`` matches, newest first. bm25 costs a pass
    over every match of the ranking terms (FTS5's document frequencies) but is computed for the
    candidates only; a filtered query first finds its candidates unranked (``_newest_ids``)."""
    if not shape.rest and shape.driver != "articles":
        return db.execute(*_select(shape, candidates)).fetchall()
    ids = _few_ids(db, shape, candidates)
    if ids is None:
        ids = _newest_ids(db, shape, candidates)
    if not ids or not shape.ranked:
        return [(article_id, None) for article_id in ids]
    # bm25 of exactly those: the index read from the oldest of them on, kept to the list (no filter read again)
    return db.execute(f"SELECT d.rowid, d.rank FROM {shape.driver} d WHERE {shape.driver} MATCH ? AND d.rowid >= ? "
                      "AND +d.rowid IN (SELECT value FROM json_each(?))",
                      [_match(shape.own), ids[-1], json.dumps(ids)]).fetchall()


def _few_ids(db, shape: Shape, candidates: int) -> list[int] | None:
    """The matching ids when the driving index has at most FEW matches (a rare name with a common
    word: 梅星大学 被害): the other groups are looked up for those ids alone. None otherwise."""
    if not shape.ranked:
        return None
    head = [row[0] for row in db.execute(f"SELECT rowid FROM {shape.driver} WHERE {shape.driver} MATCH ? "
                                         "ORDER BY rowid DESC LIMIT ?", [_match(shape.own), FEW + 1])]
    if len(head) > FEW:
        return None
    return [row[0] for row in db.execute(*_select(shape, candidates, Within(ids=head), ranked=False))] if head else []


def _newest_ids(db, shape: Shape, candidates: int) -> list[int]:
    """The newest matching ids, first among the newest WINDOW × candidates ids (where the filtering
    groups have few matches to read, even for a common word), then, if too few, among the rest."""
    top = db.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]
    edge = top - WINDOW * candidates
    ids: list[int] = []
    for within in [Within(lo=edge), Within(hi=edge)] if edge > 0 else [Within()]:
        ids += [row[0] for row in db.execute(*_select(shape, candidates - len(ids), within, ranked=False))]
        if len(ids) >= candidates:
            break
    return ids


class Within(NamedTuple):
    """The ids a statement reads: those in [lo, hi) (None: unbounded), or exactly ``ids``."""
    lo: int | None = None
    hi: int | None = None
    ids: list[int] | None = None


class _Params(list):
    def __call__(self, value) -> str:
        """A placeholder for ``value``, in the order the SQL is written."""
        self.append(value)
        return "?"


def _select(shape: Shape, limit: int, within: Within | None = None, ranked: bool = True) -> tuple[str, list]:
    """SQL for the newest ``limit`` matching ids (and their bm25, else NULL) among ``within``."""
    within = within or Within()
    p = _Params()
    if shape.driver in (FTS, WORDS):
        sql = _driven(p, shape.driver, shape.own, shape.rest, limit, within, ranked)
    elif shape.driver == "union":
        group = shape.own[0]
        branches = [f"SELECT * FROM ({_driven(p, index, [terms], shape.rest, limit, within, False)})"
                    for index in (FTS, WORDS) if (terms := [t for t in group if t.index == index])]
        sql = f"SELECT id, score FROM ({' UNION '.join(branches)}) ORDER BY id DESC LIMIT {p(limit)}"
    else:
        sql = (f"SELECT a.id AS id, NULL AS score FROM articles a WHERE {_bounds(p, 'a.id', within)} AND "
               f"{_filters(p, 'a.id', shape.rest, within)} ORDER BY a.id DESC LIMIT {p(limit)}")
    return sql, p


def _driven(p: _Params, index: str, own: list[list[Term]], rest: list[list[Term]], limit: int, within: Within,
            ranked: bool) -> str:
    """The newest ids matching ``own`` in ``index`` and the ``rest`` of the query."""
    source = f"{index} d"
    if any(t.index == LITERAL for g in rest for t in g):
        source += " CROSS JOIN articles a ON a.id = d.rowid"  # CROSS: the index stays the outer loop
    return (f"SELECT d.rowid AS id, {'d.rank' if ranked else 'NULL'} AS score FROM {source} "
            f"WHERE {index} MATCH {p(_match(own))} AND {_bounds(p, 'd.rowid', within)} AND "
            f"{_filters(p, 'd.rowid', rest, within)} ORDER BY d.rowid DESC LIMIT {p(limit)}")


def _filters(p: _Params, key: str, groups: list[list[Term]], within: Within) -> str:
    """Conditions on ``key`` for the groups, each index's matches read once (``within``), not
    looked up row by row: the groups of short words as one set, any other group term by term."""
    words = [g for g in groups if all(t.index == WORDS for t in g)]
    where = [_in_index(p, key, WORDS, words, within)] if words else []
    for group in _others(groups, words):
        where.append("(" + " OR ".join(_literal(p, term) if term.index == LITERAL
                                       else _in_index(p, key, term.index, [[term]], within)
                                       for term in group) + ")")
    return " AND ".join(where) or "1"


def _in_index(p: _Params, key: str, index: str, groups: list[list[Term]], within: Within) -> str:
    # The unary + keeps SQLite from turning the IN list into one index look-up per listed id.
    return (f"+{key} IN (SELECT rowid FROM {index} WHERE {index} MATCH {p(_match(groups))} "
            f"AND {_bounds(p, 'rowid', within)})")


def _bounds(p: _Params, key: str, within: Within) -> str:
    if within.ids is not None:  # a short list: SQLite looks each id up in the index
        return f"{key} IN (SELECT value FROM json_each({p(json.dumps(within.ids))}))"
    return " AND ".join([*([f"{key} >= {p(within.lo)}"] if within.lo is not None else []),
                         *([f"{key} < {p(within.hi)}"] if within.hi is not None else [])]) or "1"


def _others(groups: list[list[Term]], taken: list[list[Term]]) -> list[list[Term]]:
    return [g for g in groups if not any(g is t for t in taken)]


def _match(groups: list[list[Term]]) -> str:
    return " AND ".join("(" + " OR ".join(term.match for term in group) + ")" for group in groups)


def _literal(p: _Params, term: Term) -> str:
    likes = (f"a.{column} LIKE {p(term.match)} ESCAPE '\\'" for column in ("title", "lead", "text"))
    return "(" + " OR ".join(likes) + ")"


def _newest(ids: list[int], db, limit: int) -> list[int]:
    rows = db.execute("SELECT id FROM articles WHERE id IN (SELECT value FROM json_each(?)) "
                      "ORDER BY published_at DESC, id DESC LIMIT ?", [json.dumps(ids), limit])
    return [article_id for (article_id,) in rows]


def _rows(db, ids: list[int]) -> list[dict]:
    cursor = db.execute(f"SELECT {_COLUMNS} FROM articles WHERE id IN (SELECT value FROM json_each(?))",
                        [json.dumps(ids)])
    names = [column[0] for column in cursor.description]
    by_id = {row[0]: dict(zip(names, row, strict=True)) for row in cursor}
    return [by_id[article_id] for article_id in ids]


def _with_snippet(row: dict, terms: list[str]) -> dict:
    text = " ".join(f"{row.pop('lead') or ''} {row.pop('text') or ''}".split())
    row["snippet"] = snippet(text, terms)
    return row


def snippet(text: str, terms: list[str]) -> str:
    """The text around the first match of any term (the opening when only the title matched)."""
    folded = text.casefold()
    found = [i for i in (folded.find(t.casefold()) for t in terms) if i >= 0]
    start = max(min(found, default=0) - SNIPPET_BEFORE, 0)
    end = start + SNIPPET_BEFORE + SNIPPET_AFTER
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
