"""A damaged note search index is rebuilt from the notes, not restored from a backup."""

from __future__ import annotations

from pathlib import Path

from companion.store import note_terms
from companion.store.cipher import connect

_FTS5_DAMAGE = (
    "malformed inverted index for FTS5 table",
    "fts5: checksum mismatch",
    "fts5: corruption found",
)

# The index holds each note's current text: the newest revision of each slot,
# read as notes.py reads it (highest revision, then highest id). Since m0009
# two rooms can both write revision N of a note; matching on max(revision)
# alone indexed both and the refill failed on the slot's rowid.
_REFILL = """
    INSERT INTO notes_fts (rowid, text)
    SELECT s.slot, r.text
    FROM note_slots AS s
    JOIN note_revisions AS r ON r.id = (
        SELECT id FROM note_revisions
        WHERE visit_id = s.visit_id AND section = s.section
        ORDER BY revision DESC, id DESC
        LIMIT 1
    )
"""


def is_search_index_damage(problem: str) -> bool:
    """True when every finding of the start-up check is damage to the notes' index.

    SQLCipher's SQLite (3.44 and later) checks FTS5 indexes in quick_check.
    Only its words for damage count ("malformed inverted index", "checksum
    mismatch", "corruption found"); "unable to validate" means the check could
    not run, which is no finding. The index is derived from the notes, so it
    can be rebuilt without losing anything; damage anywhere else means the file
    itself is damaged.
    """
    findings = [part.strip() for part in problem.split(";") if part.strip()]
    return bool(findings) and all(
        "notes_fts" in finding and any(words in finding for words in _FTS5_DAMAGE)
        for finding in findings
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
            # A damaged file's vocabulary may have lost terms too (salvage
            # copies what it can read); the fresh index has them all.
            if conn.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'note_terms'"
            ).fetchone():
                note_terms.fill_from_index(conn)
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
    finally:
        conn.close()
