"""Full-text search over the current text of every note, safe for any typed query."""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from companion.store._lean_sqlite_utils import LeanDatabase as Database
from companion.store.cipher import Connection, connect
from companion.store.errors import DB_ERRORS, raise_friendly

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

    FTS5 decides what matches; the excerpt is cut here (see excerpt), because
    its snippet() and highlight() grow with the square of the matches in one
    note: 5.7 s and 3.1 s for a note of 256 KB and 1 MB of repeated words.
    """
    expression = match_expression(query)
    if expression is None or limit <= 0:
        return []
    rows = db.conn.execute(
        """
        SELECT s.visit_id, v.patient_id, s.section, notes_fts.text
        FROM notes_fts
        JOIN note_slots AS s ON s.slot = notes_fts.rowid
        JOIN visits AS v ON v.id = s.visit_id
        WHERE notes_fts MATCH :expression
        ORDER BY notes_fts.rowid DESC
        LIMIT :limit
        """,
        {"expression": expression, "limit": limit},
    )
    words = _WORD.findall(query)[:_MAX_TERMS]
    return [
        SearchHit(visit, patient, section, excerpt(text, words, mark_start, mark_end))
        for visit, patient, section, text in rows
    ]


# Like FTS5's unicode61 tokenizer: letters and digits; "_" separates words.
_TOKEN = re.compile(r"[^\W_]+")
_BEFORE = 60  # characters of context before the first match
_AFTER = 120  # and after it


@functools.lru_cache(maxsize=8192)  # notes repeat their words
def fold(word: str) -> str:
    """A word as the index compares it: case and diacritics removed."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def excerpt(text: str, words: list[str], mark_start: str, mark_end: str) -> str:
    """About a dozen words around the first match, each match in the window marked.

    One pass up to the first match, then over the window only: linear in the
    note, whatever it repeats. The last word matches as a prefix, as typed.
    """
    folded = [fold(w) for w in words]
    whole, prefix = set(folded[:-1]), folded[-1] if folded else ""

    def matches(token: str) -> bool:
        key = fold(token)
        return key in whole or (bool(prefix) and key.startswith(prefix))

    first = next((m for m in _TOKEN.finditer(text) if matches(m.group())), None)
    at = 0 if first is None else first.start()
    begin = max(0, at - _BEFORE)
    if begin:
        space = text.find(" ", begin, at)
        begin = space + 1 if space >= 0 else begin
    end = min(len(text), at + _AFTER)
    if end < len(text):
        space = text.rfind(" ", at, end)
        end = space if space > at else end
    window = _TOKEN.sub(
        lambda m: (
            f"{mark_start}{m.group()}{mark_end}" if matches(m.group()) else m.group()
        ),
        text[begin:end],
    )
    return ("…" if begin else "") + window + ("…" if end < len(text) else "")


class SearchCancelled(Exception):
    """A search was cancelled (the query changed) before it finished."""


class SearchJob:
    """One note search for a worker thread, on a read-only connection of its own.

    The store's connection stays on the GUI thread; this one is opened, used
    and closed on the worker. cancel(), from any thread, interrupts the query
    (SQLite's sqlite3_interrupt is made for that) so a newer one need not wait.
    """

    def __init__(
        self, path: Path, key: bytes | None, query: str, limit: int = 50
    ) -> None:
        self.path = path
        self._key = key  # never in a repr or a traceback
        self.query = query
        self.limit = limit
        self._lock = threading.Lock()
        self._conn: Connection | None = None
        self._cancelled = False

    def cancel(self) -> None:
        """Stop the search if it is running, or before it starts."""
        with self._lock:
            self._cancelled = True
            if self._conn is not None:
                self._conn.interrupt()

    def run(self) -> list[SearchHit]:
        """The hits, or SearchCancelled; a StoreError if the file cannot be read."""
        try:
            conn = connect(self.path, self._key, readonly=True)
        except DB_ERRORS as exc:
            raise_friendly(exc, self.path)
        with self._lock:
            if self._cancelled:
                conn.close()
                raise SearchCancelled
            self._conn = conn
        try:
            return search_notes(
                Database(conn), self.query, self.limit
            )
        except DB_ERRORS as exc:
            if self._cancelled:
                raise SearchCancelled from exc
            raise_friendly(exc, self.path)
        finally:
            with self._lock:
                self._conn = None
            conn.close()
