"""The database check: SQLite integrity, foreign keys and the note search index."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from companion.store.cipher import connect
from companion.store.errors import (
    DB_DATABASE_ERRORS,
    DB_ERRORS,
    SQLITE_CORRUPT,
    SQLITE_NOTADB,
    primary_code,
    raise_friendly,
)

# From SQLite 3.44, PRAGMA integrity_check also runs FTS5's own check of the
# note search index, on a read-only connection. SQLCipher (every real clinic)
# bundles a newer SQLite; the stdlib's may be older, and then the index is
# checked with FTS5's 'integrity-check' command, which needs a writable one.
_PRAGMA_CHECKS_FTS = (3, 44, 0)


def findings(conn: Any, fts_command: bool) -> list[str]:
    """What is wrong with the database on conn; empty when it is sound."""
    messages: list[str] = []
    rows = conn.execute("PRAGMA integrity_check").fetchall()
    if rows != [("ok",)]:
        messages += [str(row[0]) for row in rows]
    for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
        messages.append(f"{table} row {rowid} points at a missing {parent}")
    if fts_command:
        try:
            conn.execute("INSERT INTO notes_fts (notes_fts) VALUES ('integrity-check')")
        except DB_DATABASE_ERRORS as exc:
            # Only damage is a finding; busy or read-only is an ordinary error.
            if primary_code(exc) not in (SQLITE_CORRUPT, SQLITE_NOTADB):
                raise
            messages.append(f"note search index: {exc}")
    return messages


def pragma_checks_fts(conn: Any) -> bool:
    """True when this connection's SQLite checks FTS5 tables in integrity_check."""
    (version,) = conn.execute("SELECT sqlite_version()").fetchone()
    return tuple(int(part) for part in version.split(".")[:3]) >= _PRAGMA_CHECKS_FTS


@dataclass(frozen=True)
class IntegrityJob:
    """The database check for a worker thread, on a connection of its own.

    About 10 s on the benchmark's 100,000-visit clinic. Read-only where the
    driver allows it (always for encrypted clinics), so saves carry on meanwhile.
    """

    db_path: Path
    key: bytes | None = field(repr=False)  # never in a log or a traceback

    def run(self) -> tuple[bool, list[str]]:
        """(True, []) when sound, else (False, what is wrong); any thread."""
        try:
            conn = connect(self.db_path, self.key, readonly=True)
            try:
                fts_command = not pragma_checks_fts(conn)
                if fts_command:
                    # An older SQLite (the stdlib's, for plain files: tests and
                    # tools only): the command needs write access, and holds the
                    # write lock while it runs.
                    conn.close()
                    conn = connect(self.db_path, self.key)
                messages = findings(conn, fts_command)
            finally:
                conn.close()
        except DB_ERRORS as exc:
            raise_friendly(exc, self.db_path)
        return not messages, messages
