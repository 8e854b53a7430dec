"""What the desk page shows: the ranked queue with its filters, and one candidate in full."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from pipeline import stories
from pipeline.desk.candidates import SELECT, decode_row, get_candidate
from pipeline.desk.editions import editions_citing
from pipeline.desk.export import is_web_link
from pipeline.drafts import source_text
from pipeline.store.history import history, last_change
from pipeline.stories.evidence import explain
from pipeline.text.japanese import split_sentences

SORTS = {
    "rank": "CAST(c.score AS INTEGER) DESC, st.first_published_at DESC, c.id",  # newest first within bands
    "score": "c.score DESC, st.first_published_at DESC, c.id",
    "date": "st.first_published_at DESC, c.score DESC, c.id",
    "source": "lead_source, c.score DESC, c.id",
}
LEAD_SOURCE = ("(SELECT a.source FROM story_articles sa JOIN articles a ON a.id = sa.article_id "
               "WHERE sa.story_id = st.id ORDER BY sa.role != 'news', a.published_at LIMIT 1) AS lead_source")


@dataclass
class Filters:
    status: str | None = "new"
    source: str | None = None
    date_from: str | None = None     # YYYY-MM-DD, on the story's first publication
    date_to: str | None = None
    since_last_edition: bool = False
    sort: str = "rank"
    limit: int = 200

    def where(self) -> tuple[str, list]:
        clauses, params = ["st.merged_into IS NULL"], []
        if self.status:
            clauses.append("c.status = ?")
            params.append(self.status)
        if self.source:
            clauses.append("EXISTS (SELECT 1 FROM story_articles sa JOIN articles a ON a.id = sa.article_id "
                           "WHERE sa.story_id = st.id AND a.source = ?)")
            params.append(self.source)
        if self.date_from:
            clauses.append("st.first_published_at >= ?")
            params.append(self.date_from)
        if self.date_to:
            clauses.append("substr(st.first_published_at, 1, 10) <= ?")
            params.append(self.date_to)
        if self.since_last_edition:
            clauses.append("c.created_at > coalesce((SELECT max(created_at) FROM editions), '')")
        return " AND ".join(clauses), params


def queue(db: sqlite_utils.Database, filters: Filters) -> list[dict]:
    """Candidates for triage, ranked, each with the token a write must quote (``seen``)."""
    where, params = filters.where()
    order = SORTS.get(filters.sort, SORTS["rank"])
    sql = (f"{SELECT.replace('SELECT c.*', 'SELECT c.*, ' + LEAD_SOURCE, 1)} WHERE {where} "
           f"ORDER BY {order} LIMIT ?")
    rows = [_web_links(decode_row(row)) for row in db.query(sql, [*params, filters.limit])]
    tokens = _last_changes(db, [row["id"] for row in rows])
    return [{**row, "seen": tokens.get(row["id"], 0)} for row in rows]


def _web_links(row: dict) -> dict:
    """Crawled URLs become links only when they are http(s): a javascript: URL is shown as nothing."""
    for name in ("news_url", "primary_url", "url"):
        if name in row and not is_web_link(row[name]):
            row[name] = None
    return row


def _last_changes(db, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    marks = ",".join("?" for _ in ids)
    return dict(db.execute(f"SELECT candidate_id, max(id) FROM candidate_history WHERE candidate_id IN ({marks}) "
                           "GROUP BY candidate_id", ids).fetchall())


def sources(db: sqlite_utils.Database) -> list[str]:
    """Every source the archive knows: crawled (crawl_runs) or stored (articles), cited pages aside."""
    return [row[0] for row in db.execute("SELECT source FROM crawl_runs UNION SELECT source FROM articles "
                                         "WHERE source != 'primary' ORDER BY 1")]


def detail(db: sqlite_utils.Database, candidate_id: int) -> dict:
    """One candidate with its story's texts (the sentence each bullet came from marked), the machine
    draft it was edited from, what changed in its story since the edit, and related earlier stories."""
    candidate = _web_links(get_candidate(db, candidate_id))
    articles = stories.story_articles(db, candidate["story_id"])
    marked = {(b.get("article_id"), b.get("sentence_index")): number
              for number, b in enumerate(candidate["bullets"], start=1)}
    panel = []
    for article in articles:
        sentences = split_sentences(source_text(article).text)
        panel.append({"id": article["id"], "url": article["url"] if is_web_link(article["url"]) else None,
                      "title": article["title"], "role": article["role"], "why": explain(article["evidence"]),
                      "source": article["source"], "published_at": article["published_at"],
                      "sentences": [{"text": text, "bullet": marked.get((article["id"], index))}
                                    for index, text in enumerate(sentences)]})
    events = history(db, candidate_id)
    related_ids = [r["story_id"] for r in candidate["related"]]
    cited = editions_citing(db, related_ids)
    return {**candidate, "articles": panel, "history": events, "seen": last_change(db, candidate_id),
            "machine": machine_draft(candidate, events), "review": review_changes(articles, events),
            "related": [_web_links({**r, "editions": cited.get(r["story_id"], [])}) for r in candidate["related"]]}


def machine_draft(candidate: dict, events: list[dict]) -> dict | None:
    """The software's headline and bullets before the first editor edit (None when never edited)."""
    first = next((e for e in events if e["action"] == "edited"), None)
    if first is None:
        return None
    changes = first["changes"]
    return {"headline": changes.get("headline", [candidate["headline"]])[0],
            "bullets": changes.get("bullets", [[b["text"] for b in candidate["bullets"]]])[0]}


def review_changes(articles: list[dict], events: list[dict]) -> list[dict]:
    """What changed in the story since the editor's last edit: articles that joined or changed after it."""
    last_edit = max((e["at"] for e in events if e["action"] == "edited"), default=None)
    if last_edit is None:
        return []
    return [{"id": a["id"], "title": a["title"], "url": a["url"] if is_web_link(a["url"]) else None,
             "change": "joined" if a["added_at"] > last_edit else "changed"}
            for a in articles if a["added_at"] > last_edit or a["last_fetched_at"] > last_edit and a["version"] > 1]

