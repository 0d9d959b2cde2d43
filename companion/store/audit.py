"""The append-only, hash-chained audit log: who-did-what events, never PHI.

Each row stores ``sha256(prev_hash + canonical row)``, so editing or removing
a row in the middle breaks every hash after it. Rows hold an event name, a
time and a record id (a UUID or a backup file name), never names or note text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from companion.store._lean_sqlite_utils import LeanDatabase as Database
from companion.store.cipher import connect
from companion.store.errors import DB_ERRORS, DB_INTEGRITY_ERRORS, raise_friendly
from companion.store.transaction import from_text, to_text, utc_now

T = TypeVar("T")

TABLE = "audit_log"
GENESIS = "0" * 64

OPEN_PATIENT = "open_patient"
CREATE_VISIT = "create_visit"
EDIT_VISIT = "edit_visit"
EDIT_NOTE = "edit_note"
EXPORT = "export"
BACKUP = "backup"
RESTORE = "restore"
REBUILD_SEARCH_INDEX = "rebuild_search_index"
LOCK = "lock"
UNLOCK = "unlock"
UNLOCK_FAILED = "unlock_failed"
SET_PIN = "set_pin"
# A clinician settled "two versions — review" (clinic server) by picking one.
RESOLVE_CONFLICT = "resolve_conflict"
EVENTS = frozenset(
    {
        OPEN_PATIENT,
        CREATE_VISIT,
        EDIT_VISIT,
        EDIT_NOTE,
        EXPORT,
        BACKUP,
        RESTORE,
        REBUILD_SEARCH_INDEX,
        LOCK,
        UNLOCK,
        UNLOCK_FAILED,
        SET_PIN,
        RESOLVE_CONFLICT,
    }
)

SCHEMA = (
    f"""
    CREATE TABLE {TABLE} (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        event TEXT NOT NULL,
        record_id TEXT NOT NULL DEFAULT '',
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    )
    """,
    f"""
    CREATE TRIGGER {TABLE}_refuse_update BEFORE UPDATE ON {TABLE}
    BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only; never update it');
    END
    """,
    f"""
    CREATE TRIGGER {TABLE}_refuse_delete BEFORE DELETE ON {TABLE}
    BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only; never delete from it');
    END
    """,
    # Small non-patient secrets, such as the clinician's PIN hash.
    """
    CREATE TABLE security_settings (
        name TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
    )
    """,
)


@dataclass(frozen=True)
class AuditEntry:
    """One audit row as stored."""

    id: int
    at: datetime
    event: str
    record_id: str
    prev_hash: str
    hash: str


# json's own C string quoting, so the hand-built text below is byte for byte what
# json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=True) gives.
_quote = json.encoder.encode_basestring_ascii


def canonical(entry_id: int, at: str, event: str, record_id: str) -> str:
    """The exact text that is hashed for a row: sorted, compact JSON."""
    # Written out rather than json.dumps, which builds an encoder on every call;
    # the keys are in sorted order. Changing a byte breaks every stored chain.
    return (
        f'{{"at":{_quote(at)},"event":{_quote(event)},"id":{int(entry_id)},'
        f'"record_id":{_quote(record_id)}}}'
    )


def chain_hash(prev_hash: str, text: str) -> str:
    """sha256(prev_hash + canonical row), as hex."""
    return hashlib.sha256((prev_hash + text).encode("ascii")).hexdigest()


def has_audit_table(db: Database) -> bool:
    """True once the audit migration has run on this database."""
    return TABLE in db.table_names()


_LAST = f"SELECT id, hash FROM {TABLE} ORDER BY id DESC LIMIT 1"
_INSERT = (
    f"INSERT INTO {TABLE} (id, at, event, record_id, prev_hash, hash)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
# The row after a remembered tip. Its prev_hash is looked up, not just passed: it
# is NULL, which NOT NULL refuses, unless row id - 1 exists with that very hash,
# and a row already holding the id is refused by the primary key. So a stale tip
# fails this statement instead of writing a bad link (one index lookup).
_INSERT_AFTER_TIP = (
    f"INSERT INTO {TABLE} (id, at, event, record_id, prev_hash, hash)"
    f" VALUES (?1, ?2, ?3, ?4, (SELECT hash FROM {TABLE} WHERE id = ?1 - 1"
    " AND hash = ?5), ?6)"
)


class AuditChain:
    """Appends to one connection's audit log, remembering its newest (id, hash).

    Without it every append would first read the newest row back. The
    remembered tip is only a hint: the INSERT checks it (see _INSERT_AFTER_TIP)
    and on a mismatch the row is chained to the table's real newest row, so
    rows written elsewhere never break the chain. Call forget() whenever a
    transaction that appended may have rolled back.
    """

    def __init__(self) -> None:
        self._tip: tuple[int, str] | None = None

    def forget(self) -> None:
        """Drop the remembered tip; the next append reads it from the table."""
        self._tip = None

    def append(self, db: Database, event: str, record_id: str = "") -> AuditEntry:
        """Add one row; call inside the write transaction of the change it records."""
        if event not in EVENTS:
            raise ValueError(f"unknown audit event {event!r}")
        conn = db.conn
        now = utc_now()
        at = to_text(now)
        tip, self._tip = self._tip, None  # none while this row is not in
        if tip is not None:
            entry_id, prev_hash = tip[0] + 1, tip[1]
            digest = chain_hash(prev_hash, canonical(entry_id, at, event, record_id))
            try:
                conn.execute(
                    _INSERT_AFTER_TIP,
                    (entry_id, at, event, record_id, prev_hash, digest),
                )
            except DB_INTEGRITY_ERRORS:
                tip = None  # the log is not where we left it: read it below
        if tip is None:
            last = conn.execute(_LAST).fetchone()
            if last is None:
                entry_id, prev_hash = 1, GENESIS
            else:
                entry_id, prev_hash = last[0] + 1, last[1]
            digest = chain_hash(prev_hash, canonical(entry_id, at, event, record_id))
            conn.execute(_INSERT, (entry_id, at, event, record_id, prev_hash, digest))
        self._tip = (entry_id, digest)
        return AuditEntry(entry_id, now, event, record_id, prev_hash, digest)


def append(db: Database, event: str, record_id: str = "") -> AuditEntry:
    """Add one row; call inside the write transaction of the change it records."""
    return AuditChain().append(db, event, record_id)


def entries(db: Database, limit: int | None = None) -> list[AuditEntry]:
    """Audit rows, oldest first (the newest `limit` rows if a limit is given)."""
    sql = f"SELECT id, at, event, record_id, prev_hash, hash FROM {TABLE}"
    if limit is None:
        rows = db.conn.execute(sql + " ORDER BY id").fetchall()
    else:
        rows = db.conn.execute(sql + " ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        rows.reverse()
    return [AuditEntry(r[0], from_text(r[1]), r[2], r[3], r[4], r[5]) for r in rows]


def verify(conn: Any) -> tuple[bool, int | None]:
    """Recompute the chain: (True, None), or (False, id of the first bad row)."""
    expected_prev = GENESIS
    expected_id: int | None = None
    cursor = conn.execute(
        f"SELECT id, at, event, record_id, prev_hash, hash FROM {TABLE} ORDER BY id"
    )
    for entry_id, at, event, record_id, prev_hash, digest in cursor:
        if not isinstance(entry_id, int) or not all(
            isinstance(v, str) for v in (at, event, record_id, prev_hash, digest)
        ):
            return False, entry_id  # a blob or number written in by hand
        if expected_id is not None and entry_id != expected_id:
            return False, entry_id  # a row before this one was removed
        text = canonical(entry_id, at, event, record_id)
        if prev_hash != expected_prev or chain_hash(prev_hash, text) != digest:
            return False, entry_id
        expected_prev = digest
        expected_id = entry_id + 1
    return True, None


@dataclass(frozen=True)
class ChainCheck:
    """verify() for a worker thread, on a read-only connection of its own.

    About 0.65 s per 200,000 rows (a busy clinic's years): too long for the
    GUI thread, and reading only, so saves carry on meanwhile.
    """

    db_path: Path
    key: bytes | None = field(repr=False)  # never in a log or a traceback

    def run(self) -> tuple[bool, int | None]:
        """The chain's state; any thread."""
        return self._read_only(verify)

    def run_remote(self) -> dict[str, tuple[bool, int | None]]:
        """Other rooms' chains as replicated here: room id → (ok, first bad row)."""
        from companion.store.replication import verify_remote_audit

        return self._read_only(verify_remote_audit)

    def _read_only(self, check: Callable[[Any], T]) -> T:
        # Its own read-only connection, so a check on a worker never shares
        # the window's or holds the write lock.
        try:
            conn = connect(self.db_path, self.key, readonly=True)
            try:
                return check(conn)
            finally:
                conn.close()
        except DB_ERRORS as exc:
            raise_friendly(exc, self.db_path)


def get_secret(db: Database, name: str) -> str | None:
    """A value from security_settings, or None."""
    row = db.conn.execute(
        "SELECT value FROM security_settings WHERE name = ?", (name,)
    ).fetchone()
    return None if row is None else row[0]


def put_secret(db: Database, name: str, value: str) -> None:
    """Set a security_settings value (inside a write transaction)."""
    db.conn.execute(
        "INSERT INTO security_settings (name, value) VALUES (?, ?)"
        " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        (name, value),
    )
