"""The word index (articles_words): every article's title and text as fugashi morphemes.

The trigram index (articles_fts) finds any string of three characters or more; this one finds whole
words of any length, the two-character Japanese words the trigram index cannot (漏洩, 攻撃, 脆弱) and
short English ones (AI). A query is segmented the same way, so 「不正アクセス」 becomes the phrase
"不正 アクセス". The store keeps it current in the same transaction as the article.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.text.japanese import normalized_words

if TYPE_CHECKING:
    import sqlite_utils

WORDS_SCHEMA = ("CREATE VIRTUAL TABLE articles_words USING fts5(title, body, "
                "tokenize='unicode61 remove_diacritics 2')")


def segmented(text: str | None) -> str:
    """The text as space-separated words (NFKC-normalised, as the query side is)."""
    return " ".join(normalized_words(text))


def article_words(title: str | None, lead: str | None, text: str | None) -> tuple[str, str]:
    """The word index's title and body of an article."""
    return segmented(title), segmented(f"{lead or ''}\n{text}")


def index_article(db: sqlite_utils.Database, article_id: int, title_words: str, body_words: str) -> None:
    """(Re)index one article under its words (``article_words``)."""
    db.execute("DELETE FROM articles_words WHERE rowid = ?", [article_id])
    db.execute("INSERT INTO articles_words (rowid, title, body) VALUES (?, ?, ?)",
               [article_id, title_words, body_words])


def index_missing(db: sqlite_utils.Database) -> int:
    """Index every article the word index lacks (rows written around the store, as the synthetic
    archive's are), in one transaction; how many were indexed."""
    missing = db.execute("SELECT id, title, lead, text FROM articles "
                         "WHERE id NOT IN (SELECT rowid FROM articles_words)").fetchall()
    db.conn.executemany("INSERT INTO articles_words (rowid, title, body) VALUES (?, ?, ?)",
                        ((i, *article_words(title, lead, text)) for i, title, lead, text in missing))
    db.conn.commit()
    return len(missing)


def word_phrase(term: str) -> str | None:
    """An FTS5 phrase matching the term's words in order, or None when it has no word characters."""
    words = [word for word in segmented(term).split() if any(ch.isalnum() for ch in word)]
    return '"' + " ".join(words).replace('"', '""') + '"' if words else None


def words_query(groups: list[list[str]]) -> str | None:
    """An FTS5 expression for parsed query groups (all of the groups, any term within one)."""
    parts = []
    for group in groups:
        phrases = [phrase for phrase in (word_phrase(term) for term in group) if phrase]
        if not phrases:
            return None
        parts.append("(" + " OR ".join(phrases) + ")")
    return " AND ".join(parts) if parts else None
