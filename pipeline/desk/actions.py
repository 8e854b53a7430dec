"""The editors' other decisions: undo, commentary (所感), merging and splitting stories, picked order.

Each is one transaction recorded in candidate_history with the editor's name; each refuses to write
over a change the editor has not seen (``seen``, see candidates.check_unchanged).
"""

from __future__ import annotations

import json

import sqlite_utils

from pipeline import stories
from pipeline.analyse.relevance import Profile, load_profile
from pipeline.desk.candidates import NotFound, check_unchanged, get_candidate
from pipeline.drafts import DraftOutcome, draft_story
from pipeline.store import now_iso, transaction
from pipeline.store.history import record

UNDOABLE = {"picked", "rejected", "reopened", "edited", "commentary", "ordered"}
FIELDS = ("status", "headline", "bullets", "commentary", "position")


class NothingToUndo(LookupError):
    pass


def undo(db: sqlite_utils.Database, candidate_id: int, *, editor: str | None = None,
         seen: int | None = None) -> dict:
    """Take back the last editor action on a candidate that is not undone yet."""
    with transaction(db):
        check_unchanged(db, candidate_id, seen)
        get_candidate(db, candidate_id)
        last = _last_undoable(db, candidate_id)
        if last is None:
            raise NothingToUndo(f"candidate {candidate_id}: no editor action to undo")
        changes = json.loads(last["changes"])
        values = {field: _stored(field, old) for field, (old, _new) in changes.items() if field in FIELDS}
        if last["action"] == "edited" and not _edited_after_undo(db, candidate_id, last["id"]):
            values["edited"] = 0
        db["candidates"].update(candidate_id, {**values, "updated_at": now_iso()})
        record(db, candidate_id, "editor", "undone", {"undoes": last["id"], "action": last["action"],
               **{field: [new, old] for field, (old, new) in changes.items() if field in FIELDS}}, editor)
    return get_candidate(db, candidate_id)


def _undone(db, candidate_id: int | None = None) -> set[int]:
    """Ids of the history rows an 'undone' row took back (of one candidate, or of all)."""
    where, params = ("AND candidate_id = ?", [candidate_id]) if candidate_id is not None else ("", [])
    return {json.loads(row[0]).get("undoes") for row in db.execute(
        f"SELECT changes FROM candidate_history WHERE action = 'undone' {where}", params)}


def undo_last(db: sqlite_utils.Database, *, editor: str | None = None) -> dict:
    """Take back this editor's most recent action, whichever candidate it was on."""
    undone = _undone(db)
    marks = ",".join("?" for _ in UNDOABLE)
    for row in db.execute(f"SELECT id, candidate_id FROM candidate_history WHERE actor = 'editor' AND "
                          f"editor IS ? AND action IN ({marks}) ORDER BY id DESC", [editor, *sorted(UNDOABLE)]):
        if row[0] not in undone:
            return undo(db, row[1], editor=editor)
    raise NothingToUndo("no editor action of yours to undo")


def _last_undoable(db, candidate_id: int) -> dict | None:
    undone = _undone(db, candidate_id)
    for row in db.query("SELECT * FROM candidate_history WHERE candidate_id = ? AND actor = 'editor' "
                        "ORDER BY id DESC", [candidate_id]):
        if row["action"] in UNDOABLE and row["id"] not in undone:
            return row
    return None


def _edited_after_undo(db, candidate_id: int, undoing: int) -> bool:
    """Whether an earlier edit stays in force once this one is undone."""
    undone = _undone(db, candidate_id) | {undoing}
    return any(row[0] not in undone for row in db.execute(
        "SELECT id FROM candidate_history WHERE candidate_id = ? AND action = 'edited'", [candidate_id]))


def _stored(field: str, value):
    if field == "bullets":  # history keeps bullet texts; the row keeps bullets with provenance
        return json.dumps([{"text": text, "article_id": None, "sentence_index": None, "source_sentence": None,
                            "edited": True} for text in value], ensure_ascii=False)
    return value


def set_commentary(db: sqlite_utils.Database, candidate_id: int, text: str, *, editor: str | None = None,
                   seen: int | None = None) -> dict:
    """The editor's 所感; an empty text clears it."""
    with transaction(db):
        check_unchanged(db, candidate_id, seen)
        old = get_candidate(db, candidate_id)["commentary"]
        new = text.strip() or None
        if new != old:
            db["candidates"].update(candidate_id, {"commentary": new, "updated_at": now_iso()})
            record(db, candidate_id, "editor", "commentary", {"commentary": [old, new]}, editor)
    return get_candidate(db, candidate_id)


def set_position(db: sqlite_utils.Database, candidate_id: int, position: int | None, *,
                 editor: str | None = None, seen: int | None = None) -> dict:
    """Where a picked item goes in the next edition (1 first); None orders it by score."""
    with transaction(db):
        check_unchanged(db, candidate_id, seen)
        old = get_candidate(db, candidate_id)["position"]
        if position != old:
            db["candidates"].update(candidate_id, {"position": position, "updated_at": now_iso()})
            record(db, candidate_id, "editor", "ordered", {"position": [old, position]}, editor)
    return get_candidate(db, candidate_id)


def merge(db: sqlite_utils.Database, keep_id: int, absorb_id: int, *, editor: str | None = None,
          profile: Profile | None = None) -> dict:
    """Merge the story of candidate ``absorb_id`` into that of ``keep_id``; the kept one is redrafted
    (or flagged, if an editor edited it), the absorbed one is rejected with a note where it went."""
    if keep_id == absorb_id:
        raise ValueError("a candidate cannot be merged into itself")
    keep, absorb = get_candidate(db, keep_id), get_candidate(db, absorb_id)
    with transaction(db):
        stories.merge_stories(db, keep["story_id"], absorb["story_id"])
        db["candidates"].update(absorb_id, {"status": "rejected", "updated_at": now_iso()})
        record(db, absorb_id, "editor", "merged", {"into": keep_id, "status": [absorb["status"], "rejected"]},
               editor)
        record(db, keep_id, "editor", "merged", {"absorbed": absorb_id}, editor)
        draft_story(db, keep["story_id"], profile or load_profile(), DraftOutcome())
    return get_candidate(db, keep_id)


def split(db: sqlite_utils.Database, candidate_id: int, article_id: int, *, editor: str | None = None,
          profile: Profile | None = None) -> dict:
    """Take one article out of a candidate's story into a story of its own, drafted at once."""
    candidate = get_candidate(db, candidate_id)
    member = db.execute("SELECT 1 FROM story_articles WHERE story_id = ? AND article_id = ?",
                        [candidate["story_id"], article_id]).fetchone()
    if member is None:
        raise NotFound(f"article {article_id} is not in candidate {candidate_id}'s story")
    if db.execute("SELECT count(*) FROM story_articles WHERE story_id = ?", [candidate["story_id"]]).fetchone()[0] < 2:
        raise ValueError(f"article {article_id} is the only article of candidate {candidate_id}")
    profile = profile or load_profile()
    with transaction(db):
        new_story = stories.split_article(db, article_id)
        draft_story(db, new_story, profile, DraftOutcome())
        draft_story(db, candidate["story_id"], profile, DraftOutcome())
        new_id = db.execute("SELECT id FROM candidates WHERE story_id = ?", [new_story]).fetchone()[0]
        record(db, candidate_id, "editor", "split", {"article": article_id, "new_candidate": new_id}, editor)
    return get_candidate(db, new_id)
