"""Full-text search over the current text of every note, safe for any typed query."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlite_utils import Database

_WORD = re.compile(r"\w+")
_MAX_TERMS = 32


@dataclass(frozen=True)
class SearchHit:
    """One note section whose current text matches, with a highlighted excerpt."""

    visit_id: str
    patient_id: str
    section: str
    snippet: str


def match_expression(query: str) -> str | None:
    """An FTS5 query matching every word typed (the last as a prefix), or None.

    Each word is a quoted string, so FTS5 operators and quotes typed by the user
    are searched for as text instead of being parsed as query syntax.
    """
    words = _WORD.findall(query)[:_MAX_TERMS]
    if not words:
        return None
    quoted = ['"' + word.replace('"', '""') + '"' for word in words]
    # Prefix on the last word, so results appear while a word is still being typed.
    quoted[-1] += "*"
    return " ".join(quoted)


def search_notes(
    db: Database,
    query: str,
    limit: int = 50,
    *,
    mark_start: str = "[",
    mark_end: str = "]",
) -> list[SearchHit]:
    """Notes whose current text contains all words of query, newest notes first.

    Newest first (by when each note was started) is what a clinician scanning
    for a recent visit wants, and FTS5 walks its index in rowid order and stops
    at the limit, so a common word costs the same as a rare one; ranking by
    relevance had to score every match (~250 ms for 35,000 hits).
    """
    expression = match_expression(query)
    if expression is None or limit <= 0:
        return []
    rows = db.conn.execute(
        """
        SELECT s.visit_id, v.patient_id, s.section,
               snippet(notes_fts, 0, :start, :end, '…', 12)
        FROM notes_fts
        JOIN note_slots AS s ON s.slot = notes_fts.rowid
        JOIN visits AS v ON v.id = s.visit_id
        WHERE notes_fts MATCH :expression
        ORDER BY notes_fts.rowid DESC
        LIMIT :limit
        """,
        {
            "expression": expression,
            "start": mark_start,
            "end": mark_end,
            "limit": limit,
        },
    )
    return [SearchHit(*row) for row in rows]
