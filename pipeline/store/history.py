"""Every change to a candidate, by the software or an editor, is kept in candidate_history."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from pipeline.store.db import insert_row
from pipeline.store.schema import now_iso

if TYPE_CHECKING:
    import sqlite_utils


def record(db: sqlite_utils.Database, candidate_id: int, actor: str, action: str, changes: dict,
           editor: str | None = None) -> None:
    insert_row(db, "candidate_history", {"candidate_id": candidate_id, "at": now_iso(), "actor": actor,
                                         "action": action, "changes": json.dumps(changes, ensure_ascii=False),
                                         "editor": editor})


def last_change(db: sqlite_utils.Database, candidate_id: int) -> int:
    """A token for the candidate's state: the id of its newest history row (every change writes one)."""
    row = db.execute("SELECT max(id) FROM candidate_history WHERE candidate_id = ?", [candidate_id]).fetchone()
    return row[0] or 0


def history(db: sqlite_utils.Database, candidate_id: int) -> list[dict]:
    rows = db.query("SELECT * FROM candidate_history WHERE candidate_id = ? ORDER BY id", [candidate_id])
    return [{**row, "changes": json.loads(row["changes"])} for row in rows]
