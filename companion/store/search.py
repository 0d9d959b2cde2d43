"""Full-text search over the current text of every note, safe for any typed query."""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from companion.store import note_terms
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


def match_expression(
    query: str, completions: Callable[[str], list[str] | None] | None = None
) -> str | None:
    """An FTS5 query matching every word typed (the last as a prefix), or None.

    Each word is a quoted string, so FTS5 operators and quotes typed by the user
    are searched for as text instead of being parsed as query syntax. When
    completions gives the index's terms that begin with the last word, they are
    ORed as exact terms (see note_terms) instead of a prefix query; None from it
    keeps the prefix query. None comes back when nothing can match.
    """
    words = _WORD.findall(query)[:_MAX_TERMS]
    if not words:
        return None
    quoted = [_quoted(word) for word in words]
    terms = completions(words[-1]) if completions is not None else None
    if terms is None:
        # Prefix on the last word, so results appear while it is being typed.
        quoted[-1] += "*"
        return " ".join(quoted)
    if not terms:
        return None
    # FTS5 takes no implicit AND before a parenthesis: every AND is spelt out.
    either = "(" + " OR ".join(_quoted(term) for term in terms) + ")"
    return " AND ".join([*quoted[:-1], either])


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


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
    if limit <= 0:
        return []
    conn = db.conn
    # One snapshot for the term lookup and the search: a note saved between
    # the two could otherwise hold a term the lookup did not see.
    snapshot = not conn.in_transaction
    if snapshot:
        conn.execute("BEGIN")
    try:
        expression = match_expression(
            query, lambda word: note_terms.completions(conn, word)
        )
        rows = [] if expression is None else matching_rows(conn, expression, limit)
    finally:
        # An error may already have ended it; COMMIT would then hide that error.
        if snapshot and conn.in_transaction:
            conn.execute("COMMIT")
    words = _WORD.findall(query)[:_MAX_TERMS]
    return [
        SearchHit(visit, patient, section, excerpt(text, words, mark_start, mark_end))
        for visit, patient, section, text in rows
    ]


def matching_rows(conn: Connection, expression: str, limit: int) -> list[Any]:
    """The newest notes matching an FTS5 expression, with their current text."""
    return conn.execute(
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
    ).fetchall()


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
    if text.isascii():
        return excerpt_ascii(text, words, mark_start, mark_end)
    return excerpt_by_tokens(text, words, mark_start, mark_end)


def excerpt_ascii(text: str, words: list[str], mark_start: str, mark_end: str) -> str:
    """excerpt for ASCII text (most notes), about 10× faster than by tokens.

    One regular expression finds and marks the same tokens, since an ASCII
    token folds to its lower case; folding token by token made the excerpts
    90% of a search's time.
    """
    pattern = _ascii_matches(tuple(words))
    first = pattern.search(text)
    begin, end = _window(text, 0 if first is None else first.start())
    marked = pattern.sub(
        lambda m: f"{mark_start}{m.group()}{mark_end}", text[begin:end]
    )
    return _ellipsis(text, begin, end, marked)


def excerpt_by_tokens(
    text: str, words: list[str], mark_start: str, mark_end: str
) -> str:
    """excerpt for any text: each token folded as the index folds it."""
    matches = _token_matches(words)
    first = next((m for m in _TOKEN.finditer(text) if matches(m.group())), None)
    begin, end = _window(text, 0 if first is None else first.start())
    marked = _TOKEN.sub(
        lambda m: (
            f"{mark_start}{m.group()}{mark_end}" if matches(m.group()) else m.group()
        ),
        text[begin:end],
    )
    return _ellipsis(text, begin, end, marked)


def _window(text: str, at: int) -> tuple[int, int]:
    """Where the excerpt around position at begins and ends, on spaces if any."""
    begin = max(0, at - _BEFORE)
    if begin:
        space = text.find(" ", begin, at)
        begin = space + 1 if space >= 0 else begin
    end = min(len(text), at + _AFTER)
    if end < len(text):
        space = text.rfind(" ", at, end)
        end = space if space > at else end
    return begin, end


def _ellipsis(text: str, begin: int, end: int, marked: str) -> str:
    return ("…" if begin else "") + marked + ("…" if end < len(text) else "")


def _token_matches(words: list[str]) -> Callable[[str], bool]:
    """Whether a token is one of the words (folded), or begins with the last."""
    folded = [fold(w) for w in words]
    whole, prefix = set(folded[:-1]), folded[-1] if folded else ""

    def matches(token: str) -> bool:
        key = fold(token)
        return key in whole or (bool(prefix) and key.startswith(prefix))

    return matches


_NOTHING = re.compile(r"(?!)")


@functools.lru_cache(maxsize=64)  # one per query typed; every hit reuses it
def _ascii_matches(words: tuple[str, ...]) -> re.Pattern[str]:
    """_token_matches as one pattern over ASCII text: whole tokens that match.

    A folded word that is not an ASCII token can match no token of ASCII text
    (its tokens are [A-Za-z0-9]+, folded by lowering), so it is left out.
    """
    folded = [fold(w) for w in words]
    edge = "(?<![A-Za-z0-9])"
    parts = [
        f"{edge}{re.escape(w)}(?![A-Za-z0-9])"
        for w in sorted(set(folded[:-1]), key=len, reverse=True)
        if note_terms.PLAIN_WORD.fullmatch(w)
    ]
    if folded and note_terms.PLAIN_WORD.fullmatch(folded[-1]):
        parts.append(f"{edge}{re.escape(folded[-1])}[A-Za-z0-9]*")
    if not parts:
        return _NOTHING
    return re.compile("|".join(parts), re.IGNORECASE | re.ASCII)


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
            return search_notes(Database(conn), self.query, self.limit)
        except DB_ERRORS as exc:
            if self._cancelled:
                raise SearchCancelled from exc
            raise_friendly(exc, self.path)
        finally:
            with self._lock:
                self._conn = None
            conn.close()
