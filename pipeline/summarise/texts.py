"""What the summarisers read (SourceText: one article of a story) and write (Bullet, with its provenance)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceText:
    article_id: int
    role: str  # "news" | "primary"
    url: str
    title: str
    text: str
    lang: str  # "ja" | "en"
    published_at: str | None
    org: str | None = None  # the announcing organisation, when known


@dataclass(frozen=True)
class Bullet:
    text: str
    article_id: int
    sentence_index: int  # index into split_sentences(source.text)
    source_sentence: str
