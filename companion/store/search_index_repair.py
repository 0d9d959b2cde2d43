"""A damaged note search index is rebuilt from the notes, not restored from a backup."""

from __future__ import annotations

from pathlib import Path

from companion.store.cipher import connect

# The index holds each note's current text: the newest revision of each slot.
_REFILL = """
    INSERT INTO notes_fts (rowid, text)
    SELECT s.slot, r.text
    FROM note_slots AS s
    JOIN note_revisions AS r ON r.visit_id = s.visit_id AND r.section = s.section
    WHERE r.revision = (
        SELECT max(revision) FROM note_revisions
        WHERE visit_id = s.visit_id AND section = s.section
    )
"""


def is_search_index_damage(problem: str) -> bool:
    """True when every finding of the start-up check is about the notes' FTS5 index.

    SQLCipher's SQLite (3.44 and later) checks FTS5 indexes in quick_check and
    words those findings "fts5: …" or "… FTS5 table main.notes_fts". The index
    is derived from the notes, so it can be rebuilt without losing anything;
    damage anywhere else means the file itself is damaged.
    """
    findings = [part.strip() for part in problem.split(";") if part.strip()]
    return bool(findings) and all(
        "notes_fts" in finding and "fts5" in finding.lower() for finding in findings
    )


def rebuild_search_index(path: Path, key: bytes | None) -> None:
    """Drop the notes' FTS5 table and make it again from the notes, in one transaction.

    Dropping, rather than FTS5's 'rebuild' command, never reads the damaged
    index, and refilling from note_revisions (the notes themselves) rather than
    from the index's own copy of the text leaves nothing of the damage behind.
    The table's definition is taken from the file, so it is the one in use.
    """
    conn = connect(path, key)
    try:
        (definition,) = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'notes_fts'"
        ).fetchone()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("DROP TABLE notes_fts")
            conn.execute(definition)
            conn.execute(_REFILL)
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
    finally:
        conn.close()
