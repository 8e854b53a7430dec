"""Datasette metadata for the archive: descriptions from docs/schema.md, search, facets, saved queries.

docs/schema.md is the one description of the schema: each ``## table`` section gives the table's
description (its first paragraph) and a ``| column | meaning |`` table. tests/test_desk_metadata.py
fails when the generated metadata and the live schema drift apart.
"""

from __future__ import annotations

import re
from pathlib import Path

SCHEMA_DOC = Path(__file__).resolve().parents[2] / "docs" / "schema.md"
_SECTION = re.compile(r"^## (\w+)\n(.*?)(?=^## |\Z)", re.M | re.S)
_ROW = re.compile(r"^\| ([^|]+?) \| (.+?) \|$", re.M)

FACETS = {
    "articles": ["source", "kind", "body_status", {"date": "published_at"}],
    "stories": ["kind", {"date": "first_published_at"}],
    "story_articles": ["role", "story_id"],
    "candidates": ["status", "edited", "needs_review", "summariser"],
    "crawl_runs": ["source", "status", "finish_reason"],
    "crawl_errors": ["source", "reason", {"date": "at"}],
    "vulnerabilities": ["release_id", "severity", "exploited", "publicly_disclosed"],
}
SORTS = {"articles": "published_at", "stories": "first_published_at", "candidates": "score",
         "crawl_runs": "started_at", "crawl_errors": "at", "editions": "issue_date"}

QUERIES = {
    "articles_new_today": {
        "title": "Articles first seen today",
        "description": "Articles newsdesk stored for the first time today (UTC), newest first.",
        "sql": "SELECT id, source, kind, published_at, title, url FROM articles "
               "WHERE first_seen_at >= date('now') ORDER BY published_at DESC",
    },
    "stories_by_score": {
        "title": "Stories by score",
        "description": "Every story with its candidate's score and status, best first.",
        "sql": "SELECT st.id AS story, c.id AS candidate, c.score, c.status, st.first_published_at, st.title, "
               "(SELECT count(*) FROM story_articles sa WHERE sa.story_id = st.id) AS articles "
               "FROM stories st JOIN candidates c ON c.story_id = st.id WHERE st.merged_into IS NULL "
               "ORDER BY c.score DESC, st.first_published_at DESC",
    },
    "exploited_cves_by_month": {
        "title": "Exploited CVEs by month",
        "description": "CVEs MSRC marked as exploited, by monthly release.",
        "sql": "SELECT release_id, count(*) AS exploited, group_concat(cve, ', ') AS cves FROM vulnerabilities "
               "WHERE exploited = 1 GROUP BY release_id ORDER BY min(last_revision_date) DESC",
    },
    "source_failures_this_week": {
        "title": "A source's failures this week",
        "description": "Failed URLs of one source (e.g. nict) in the last seven days, by reason.",
        "sql": "SELECT at, reason, url, detail FROM crawl_errors WHERE source = :source "
               "AND at >= datetime('now', '-7 days') ORDER BY at DESC",
    },
}


def schema_descriptions(doc: Path = SCHEMA_DOC) -> dict[str, dict]:
    """table -> {"description": first paragraph, "columns": {column: meaning}} from docs/schema.md."""
    tables = {}
    for name, body in _SECTION.findall(doc.read_text(encoding="utf-8")):
        paragraph = body.split("\n\n")[0].strip()
        description = "" if paragraph.startswith("|") else " ".join(paragraph.split())
        columns = {}
        for names, meaning in _ROW.findall(body):
            if names.strip() in ("column", "---") or set(names.strip()) <= {"-"}:
                continue
            for column in names.split(","):
                columns[column.strip()] = meaning.strip()
        tables[name] = {"description": description, "columns": columns}
    return tables


def archive_metadata(database: str, public: bool) -> dict:
    """Datasette metadata for the newsdesk database ``database`` (its file's stem)."""
    tables = {}
    for name, described in schema_descriptions().items():
        table = {"description": described["description"], "columns": described["columns"]}
        if name in FACETS:
            table["facets"] = FACETS[name]
        if name in SORTS:
            table["sort_desc"] = SORTS[name]
        tables[name] = table
    tables["articles"].update(fts_table="articles_words", fts_pk="id", searchmode="escaped")
    tables["raw_pages"]["hidden"] = public  # bodies are not offered on a public server (see plugin.py)
    return {
        "title": "newsdesk",
        "description_html": 'Security news crawled by newsdesk. Editors: <a href="/-/desk">the desk</a>.',
        "databases": {database: {"tables": tables, "queries": QUERIES}},
    }
