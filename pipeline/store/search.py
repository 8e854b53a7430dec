"""Full-text search over articles: all-of words, "quoted phrases" and OR, Japanese included.

``不正アクセス 流出`` finds articles containing both; ``"情報 漏えい"`` the phrase; ``流出 OR 漏えい``
either (OR binds the words beside it: ``a b OR c`` is a and (b or c)). Terms of three characters or
more use the trigram index (articles_fts); shorter words use the word index (articles_words: 漏洩,
AI); short terms with other characters (%, _, 0%) are matched as literal substrings.
"""

from __future__ import annotations

import re

import sqlite_utils

from pipeline.store.words import word_phrase

TRIGRAM = 3  # the trigram tokenizer cannot match fewer characters
SNIPPET_BEFORE, SNIPPET_AFTER = 30, 70
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')


class QueryError(ValueError):
    """The query has no term to search for."""


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


def search(db: sqlite_utils.Database, query: str, limit: int = 20) -> list[dict]:
    """Matching articles (id, source, url, title, published_at, snippet): best first when every term
    can use the index, otherwise newest first."""
    groups = parse_query(query)
    if all(len(term) >= TRIGRAM for group in groups for term in group):
        match = " AND ".join("(" + " OR ".join(_phrase(t) for t in group) + ")" for group in groups)
        sql = ("SELECT a.id, a.source, a.url, a.title, a.published_at, a.lead, a.text FROM articles_fts f "
               "JOIN articles a ON a.id = f.rowid WHERE articles_fts MATCH ? ORDER BY f.rank LIMIT ?")
        params: list = [match, limit]
    else:
        where, params = [], []
        for group in groups:
            conditions = [_condition(term, params) for term in group]
            where.append("(" + " OR ".join(conditions) + ")")
        sql = (f"SELECT a.id, a.source, a.url, a.title, a.published_at, a.lead, a.text FROM articles a "
               f"WHERE {' AND '.join(where)} ORDER BY a.published_at DESC, a.id DESC LIMIT ?")
        params.append(limit)
    terms = [term for group in groups for term in group]
    return [_with_snippet(row, terms) for row in db.query(sql, params)]


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _condition(term: str, params: list) -> str:
    if len(term) >= TRIGRAM:
        params.append(_phrase(term))
        return "a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
    words = word_phrase(term) if term.isalnum() else None
    if words:  # a short word: the word index has it (漏洩, AI); "0%" is matched literally below
        params.append(words)
        return "a.id IN (SELECT rowid FROM articles_words WHERE articles_words MATCH ?)"
    like = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    params.extend([like, like, like])
    return " OR ".join(f"a.{column} LIKE ? ESCAPE '\\'" for column in ("title", "lead", "text"))


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
