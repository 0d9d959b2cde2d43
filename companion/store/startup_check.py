"""Start-up checks whose cost does not grow with the file, and the full check's turn.

At open only constant-cost checks run (about 4 ms at a million visits): the
file's header and size, the schema, the first and last entry of every table
and index (so every b-tree's root page and its edges, which a truncated or
half-overwritten file loses first), a lookup in the note search index, the
clean-shutdown marker and any damage a background check already found.
SQLCipher's per-page HMAC rejects a torn or tampered page whenever it is
read. The full PRAGMA quick_check, which reads every page (58 s at a million
visits), runs later on a worker (FullCheckJob): at most once a day, and after
an unclean shutdown. What it finds is written
beside the database, so the next open hands the file to start-up recovery.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from companion.store.cipher import connect, is_plain_database
from companion.store.errors import DB_DATABASE_ERRORS, DB_ERRORS
from companion.store.recovery import find_damage

FULL_CHECK_EVERY = timedelta(days=1)
# SQLCipher 4's page size, and SQLite's default: every file here uses it.
_CIPHER_PAGE = 4096
_PLAIN_MAGIC = b"SQLite format 3\x00"


def running_marker(db_path: Path) -> Path:
    """<name>.running: present while the records are open; left behind by a crash."""
    return db_path.with_name(db_path.name + ".running")


def checked_marker(db_path: Path) -> Path:
    """<name>.checked: when the last full check found the file sound (UTC, ISO)."""
    return db_path.with_name(db_path.name + ".checked")


def damage_marker(db_path: Path) -> Path:
    """<name>.damage-found: what a background full check found, for the next open."""
    return db_path.with_name(db_path.name + ".damage-found")


def constant_time_damage(path: Path, key: bytes | None = None) -> str | None:
    """Why the file looks damaged to checks that cost the same at any size, or None.

    None also when the file is absent or empty (a new clinic). A finding is a
    reason to run start-up recovery, whose own full check has the last word.
    """
    if not path.exists() or path.stat().st_size == 0:
        return None
    found = damage_marker(path)
    if found.exists():
        return found.read_text(encoding="utf-8", errors="replace") or "damage found"
    problem = _header_problem(path, key)
    if problem is not None:
        return problem
    conn = connect(path, key, readonly=True)
    try:
        return _edge_problem(conn)
    except (*DB_DATABASE_ERRORS, MemoryError) as exc:
        # Corrupt, not a database, a failed HMAC (which SQLCipher may report as
        # out of memory), or merely busy: recovery's own check tells these
        # apart, and never moves a file that is sound.
        return f"a read at open failed ({exc!r})"
    finally:
        conn.close()


def _header_problem(path: Path, key: bytes | None) -> str | None:
    """A wrong magic string (plain files) or a size that is not whole pages."""
    size = path.stat().st_size
    if key is None or is_plain_database(path):
        with open(path, "rb") as handle:
            header = handle.read(100)
        if header[:16] != _PLAIN_MAGIC:
            return "file is not a database (no SQLite header)"
        page = int.from_bytes(header[16:18], "big")
        page = 65536 if page == 1 else page
    else:
        page = _CIPHER_PAGE
    if page and size % page:
        return f"file is {size} bytes, not a whole number of {page}-byte pages"
    return None


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _edge_problem(conn: sqlite3.Connection) -> str | None:
    """Read the schema and the first and last entry of every table and index.

    Each read walks one path from the b-tree's root to a leaf, so every root
    page is read (and, encrypted, its HMAC tested): a few pages per b-tree,
    whatever the size of the file. None when everything read.
    """
    objects = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master"
        " WHERE type IN ('table', 'index')"
    ).fetchall()
    for kind, name, table, sql in objects:
        text = (sql or "").upper()
        if kind == "table" and not text.startswith("CREATE VIRTUAL"):
            # (A virtual table's own shadow tables are in the list.)
            conn.execute(f"SELECT * FROM {_quoted(name)} LIMIT 1").fetchall()
            if "WITHOUT ROWID" not in text:
                conn.execute(
                    f"SELECT * FROM {_quoted(name)} ORDER BY rowid DESC LIMIT 1"
                ).fetchall()
        elif kind == "table" and "USING FTS5" in text:
            # A lookup of a word no note holds reads the index's structure
            # record and one leaf per segment: scribbled-over index blocks
            # fail it, though their pages are sound.
            conn.execute(
                f"SELECT rowid FROM {_quoted(name)} WHERE {_quoted(name)}"
                " MATCH '\"zzstartupprobezz\"' LIMIT 1"
            ).fetchall()
        elif kind == "index":
            _read_index_edges(conn, name, table)
    return None


def _read_index_edges(conn: sqlite3.Connection, index: str, table: str) -> None:
    """The first and last entry of one index, read from the index itself."""
    columns = conn.execute(f"PRAGMA index_info({_quoted(index)})").fetchall()
    if not columns or columns[0][2] is None:
        return  # an index on an expression: no column to order by
    first = _quoted(columns[0][2])
    for order in ("ASC", "DESC"):
        try:
            conn.execute(
                f"SELECT {first} FROM {_quoted(table)} INDEXED BY {_quoted(index)}"
                f" ORDER BY {first} {order} LIMIT 1"
            ).fetchall()
        except DB_ERRORS as exc:
            if "no query solution" not in str(exc):
                raise
            return  # a partial index this plain query may not use


def note_open(db_path: Path) -> bool:
    """Put the running marker down; True when the last session did not close.

    After an unclean shutdown the last full check no longer vouches for the
    file, so its record is dropped and the full check becomes due.
    """
    marker = running_marker(db_path)
    unclean = marker.exists()
    if unclean:
        checked_marker(db_path).unlink(missing_ok=True)
    # A read-only folder is refused elsewhere; the marker is only a hint.
    with contextlib.suppress(OSError):
        _write_small(marker, "")
    return unclean


def note_clean_close(db_path: Path) -> None:
    """Lift the running marker: the records were closed on purpose."""
    running_marker(db_path).unlink(missing_ok=True)


def note_recovered(db_path: Path) -> None:
    """Start-up recovery has dealt with the file: forget the background finding."""
    damage_marker(db_path).unlink(missing_ok=True)


def last_full_check(db_path: Path) -> datetime | None:
    """When a full check last found the file sound, or None (never, or unclean)."""
    try:
        text = checked_marker(db_path).read_text(encoding="utf-8").strip()
        when = datetime.fromisoformat(text)
    except (OSError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def full_check_due(db_path: Path, now: datetime) -> bool:
    """True when no sound full check is on record from the last day.

    An unclean shutdown drops the record (note_open), so it makes the check due.
    """
    last = last_full_check(db_path)
    return last is None or not (now - FULL_CHECK_EVERY < last <= now)


@dataclass(frozen=True)
class FullCheck:
    """What one full check found: None when the file is sound."""

    problem: str | None

    @property
    def sound(self) -> bool:
        """True when nothing was wrong."""
        return self.problem is None


@dataclass(frozen=True)
class FullCheckJob:
    """Start-up recovery's full check, for a worker once the records are open.

    Read-only, on a connection of its own: it never holds the write lock, so
    saves carry on. Damage is written to <name>.damage-found; the caller then
    closes and reopens the records, and start-up recovery sets the file aside
    and restores (or rebuilds the search index) exactly as at any start.
    """

    db_path: Path
    key: bytes | None = field(repr=False)  # never in a log or a traceback

    def run(self, now: datetime | None = None) -> FullCheck:
        """Check every page; record the outcome beside the database; any thread."""
        problem = find_damage(self.db_path, self.key)
        if problem is None:
            stamp = (now or datetime.now(UTC)).isoformat()
            _write_small(checked_marker(self.db_path), stamp)
        else:
            checked_marker(self.db_path).unlink(missing_ok=True)
            _write_small(damage_marker(self.db_path), problem)
        return FullCheck(problem)


def _write_small(path: Path, text: str) -> None:
    """Write a marker whole (temp file, then rename), so it is never half there."""
    temp = path.with_name(f".{path.name}.tmp")
    # Private like the database: a finding may quote a table's name.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temp, path)
