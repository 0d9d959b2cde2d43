"""The note index's vocabulary, so a typed prefix is searched as a few exact terms.

FTS5 answers a prefix query ("poi*") by reading and merging every posting of
every term with that prefix before it can return the newest match: 30 ms for a
common word and about 2 s for one letter at 1,000,000 notes. An exact term is
read lazily from its newest posting and stops at the limit (under 1 ms). So the
search looks the prefix up in this list of every term the index has ever held
and asks FTS5 for those terms, ORed.

The terms must be the index's own, byte for byte, or a note would be missed:
they are made by FTS5 itself, by running each saved text through a scratch
FTS5 table with the same tokenizer and reading the terms back (fts5vocab), in
a trigger, so every path that writes a note revision (a save, a replicated
row, a salvage's merge) adds its terms. Terms are never removed: one no note
holds any more only makes the OR a term longer. A migration that rebuilds
note_revisions (as m0009 did) drops its triggers: it must make
note_terms_collect again.
"""

from __future__ import annotations

import re
from typing import Any

# Must equal notes_fts's tokenizer (m0001); a test compares the two definitions.
TOKENIZE = "unicode61 remove_diacritics 2"

# More completions than this and the plain prefix query is used instead: an OR
# costs about 0.2 ms a term (measured at 1,000,000 notes), so 512 terms stay
# well below the prefix query's cost there, while a small clinic's one-letter
# prefix rarely reaches it.
MAX_COMPLETIONS = 512

# A word the tokenizer folds exactly as str.lower() does: ASCII letters and
# digits. Anything else (accents, other scripts, "_") keeps the prefix query,
# so the lookup never has to imitate the tokenizer's folding.
PLAIN_WORD = re.compile(r"[A-Za-z0-9]+")

SCHEMA = (
    "CREATE TABLE note_terms (term TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID",
    # Contentless: it only ever holds the one text being tokenized.
    "CREATE VIRTUAL TABLE note_tokenizer USING fts5("
    f"text, content = '', detail = none, columnsize = 0, tokenize = '{TOKENIZE}')",
    # Named apart from note_tokenizer_*, which salvage takes for FTS5's own tables.
    "CREATE VIRTUAL TABLE tokenized_terms USING fts5vocab(note_tokenizer, row)",
    """
    CREATE TRIGGER note_terms_collect AFTER INSERT ON note_revisions
    BEGIN
        INSERT INTO note_tokenizer (rowid, text) VALUES (1, NEW.text);
        INSERT OR IGNORE INTO note_terms (term) SELECT term FROM tokenized_terms;
        INSERT INTO note_tokenizer (note_tokenizer) VALUES ('delete-all');
    END
    """,
)


def create(conn: Any) -> None:
    """Make the table and its trigger, then fill it from the index as it is now."""
    for statement in SCHEMA:
        conn.execute(statement)
    fill_from_index(conn)


def fill_from_index(conn: Any) -> None:
    """Add every term notes_fts holds (reads the whole index: ~17 s at 1M notes).

    Run when the table is made and after the index is rebuilt, so a term lost
    with a damaged page cannot hide the notes that hold it.
    """
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.notes_fts_terms"
        " USING fts5vocab(main, notes_fts, row)"
    )
    try:
        conn.execute(
            "INSERT OR IGNORE INTO note_terms (term) SELECT term FROM notes_fts_terms"
        )
    finally:
        conn.execute("DROP TABLE temp.notes_fts_terms")


def completions(conn: Any, word: str) -> list[str] | None:
    """The index's terms that begin with word, or None to use a prefix query.

    None when the word is not plain ASCII (see PLAIN_WORD) or has more than
    MAX_COMPLETIONS completions. An empty list means no note can match.
    """
    if not PLAIN_WORD.fullmatch(word):
        return None
    prefix = word.lower()
    # The next string after every prefix+…: the last character plus one. It
    # stays ASCII ("z" → "{", "9" → ":"), so the range is exact in BINARY order.
    after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    terms = [
        term
        for (term,) in conn.execute(
            "SELECT term FROM note_terms WHERE term >= ? AND term < ? LIMIT ?",
            (prefix, after, MAX_COMPLETIONS + 1),
        )
    ]
    return None if len(terms) > MAX_COMPLETIONS else terms
