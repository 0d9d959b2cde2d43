"""SOAP notes as append-only revisions: an edit adds a row, the newest is current."""

from __future__ import annotations

from typing import Any

from companion.core.records import (
    SECTIONS,
    InvalidInput,
    NoteRevision,
    check_storable,
    validate_section,
)
from companion.store._lean_sqlite_utils import LeanDatabase as Database
from companion.store.errors import StoreError
from companion.store.transaction import from_text, new_id, to_text, utc_now

# The longest one note section may be, in characters: about 300 pages of text,
# far beyond any visit note, and small enough that a save, the search index
# and an excerpt stay quick (SQLite's own limit, 1 GB, gave a raw error).
MAX_NOTE_CHARS = 1_000_000


def check_note_input(visit_id: object, section: object, text: object) -> None:
    """Refuse a bad section or non-text before any transaction starts."""
    if not isinstance(visit_id, str):
        raise InvalidInput("visit_id", f"visit_id must be text (got {visit_id!r}).")
    validate_section(section)
    if not isinstance(text, str):
        raise InvalidInput("text", f"A note must be text (got {type(text).__name__}).")
    if len(text) > MAX_NOTE_CHARS:
        raise StoreError(
            key="note_too_long", size=f"{len(text):,}", limit=f"{MAX_NOTE_CHARS:,}"
        )
    check_storable("text", text)


def append_revision(
    db: Database, visit_id: str, section: str, text: str
) -> tuple[NoteRevision, bool]:
    """Add a revision unless text equals the current one; return it and if it is new.

    Runs inside the caller's transaction, so the revision number cannot race.
    """
    exists = db.conn.execute("SELECT 1 FROM visits WHERE id = ?", (visit_id,))
    if exists.fetchone() is None:
        raise InvalidInput("visit_id", f"No visit with id {visit_id!r}.")
    current = current_revision(db, visit_id, section)
    if current is not None and current.text == text:
        return current, False
    revision = NoteRevision(
        id=new_id(),
        visit_id=visit_id,
        section=section,
        text=text,
        revision=1 if current is None else current.revision + 1,
        created=utc_now(),
    )
    db["note_revisions"].insert(
        {
            "id": revision.id,
            "visit_id": revision.visit_id,
            "section": revision.section,
            "text": revision.text,
            "revision": revision.revision,
            "created": to_text(revision.created),
        }
    )
    return revision, True


def current_revision(db: Database, visit_id: str, section: str) -> NoteRevision | None:
    """The newest revision of one section of a visit's note, or None."""
    rows = list(
        db.query(
            "SELECT * FROM note_revisions WHERE visit_id = ? AND section = ?"
            " ORDER BY revision DESC, id DESC LIMIT 1",
            [visit_id, section],
        )
    )
    return _revision(rows[0]) if rows else None


def current_notes(db: Database, visit_id: str) -> dict[str, NoteRevision]:
    """The current revision of every section that has one, keyed S/O/A/P."""
    # Two rooms apart can both write revision N (see clinic-server.md): the
    # higher id wins the tie, the same choice in every room.
    rows = db.query(
        """
        SELECT r.* FROM note_revisions AS r
        JOIN (
            SELECT section, max(revision) AS revision FROM note_revisions
            WHERE visit_id = :visit GROUP BY section
        ) AS newest USING (section, revision)
        WHERE r.visit_id = :visit ORDER BY r.id
        """,
        {"visit": visit_id},
    )
    found = {row["section"]: _revision(row) for row in rows}
    return {section: found[section] for section in SECTIONS if section in found}


def note_history(db: Database, visit_id: str, section: str) -> list[NoteRevision]:
    """Every revision of one section, oldest first."""
    rows = db.query(
        "SELECT * FROM note_revisions WHERE visit_id = ? AND section = ?"
        " ORDER BY revision, id",
        [visit_id, section],
    )
    return [_revision(row) for row in rows]


def _revision(row: dict[str, Any]) -> NoteRevision:
    return NoteRevision(
        id=row["id"],
        visit_id=row["visit_id"],
        section=row["section"],
        text=row["text"],
        revision=row["revision"],
        created=from_text(row["created"]),
    )
