"""Drafts: unsaved form state, one row per key, replaced on every keystroke save."""

from __future__ import annotations

from typing import Any

from companion.core.records import Draft
from companion.store._lean_sqlite_utils import LeanDatabase as Database
from companion.store.transaction import from_text, to_text, utc_now


def build_draft(key: str, payload: str) -> Draft:
    """A validated draft stamped now."""
    return Draft(key=key, payload=payload, updated=utc_now())


def put_draft(db: Database, draft: Draft) -> None:
    """Insert or replace a draft (inside the caller's transaction)."""
    db.conn.execute(
        "INSERT INTO drafts (key, payload, updated) VALUES (?, ?, ?)"
        " ON CONFLICT (key) DO UPDATE SET"
        " payload = excluded.payload, updated = excluded.updated",
        (draft.key, draft.payload, to_text(draft.updated)),
    )


def remove_draft(db: Database, key: str) -> bool:
    """Delete a draft; True if there was one."""
    cursor = db.conn.execute("DELETE FROM drafts WHERE key = ?", (key,))
    return cursor.rowcount > 0


def get_draft(db: Database, key: str) -> Draft | None:
    """The draft stored under key, or None."""
    rows = list(db.query("SELECT * FROM drafts WHERE key = ?", [key]))
    return _draft(rows[0]) if rows else None


def all_drafts(db: Database) -> list[Draft]:
    """Every draft, most recently updated first."""
    rows = db.query("SELECT * FROM drafts ORDER BY updated DESC, key")
    return [_draft(row) for row in rows]


def _draft(row: dict[str, Any]) -> Draft:
    return Draft(
        key=row["key"], payload=row["payload"], updated=from_text(row["updated"])
    )
