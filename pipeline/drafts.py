"""The draft stage: one candidate per new article (headline, links, three lead sentences).

A small, replaceable stage: the story-level drafting pipeline replaces it. It only inserts
candidates for articles that have none, so nothing an editor touched is ever overwritten.
"""

from __future__ import annotations

import json

import sqlite_utils

from pipeline.store import now_iso
from pipeline.textja import split_sentences

BULLETS = 3
EXCERPT_CHARS = 400


def draft_new(db: sqlite_utils.Database) -> int:
    """Create candidates for articles without one; returns how many were created."""
    rows = list(db.query(
        "SELECT a.* FROM articles a LEFT JOIN candidates c ON c.article_id = a.id WHERE c.id IS NULL "
        "ORDER BY a.published_at"))
    with db.atomic():
        for article in rows:
            db["candidates"].insert(candidate_for(article))
    return len(rows)


def candidate_for(article: dict) -> dict:
    stamp = now_iso()
    return {
        "article_id": article["id"], "headline": article["title"], "news_url": article["url"],
        "primary_url": None, "bullets": json.dumps(lead_bullets(article), ensure_ascii=False),
        "excerpt": (article["text"] or "")[:EXCERPT_CHARS], "status": "new", "edited": 0,
        "created_at": stamp, "updated_at": stamp,
    }


def lead_bullets(article: dict) -> list[str]:
    """The publisher's own highlights when there are any, else the first sentences of lead and text."""
    highlights = json.loads(article.get("highlights") or "[]")
    if highlights:
        return highlights[:BULLETS + 1]
    text = "\n".join(part for part in (article.get("lead"), article.get("text")) if part)
    sentences: list[str] = []
    for sentence in split_sentences(text):
        if sentence not in sentences:
            sentences.append(sentence)
    return sentences[:BULLETS]
