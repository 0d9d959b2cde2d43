"""The append-only, hash-chained audit log: who-did-what events, never PHI.

Each row stores ``sha256(prev_hash + canonical row)``, so editing or removing
a row in the middle breaks every hash after it. Rows hold an event name, a
time and a record id (a UUID or a backup file name), never names or note text.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from companion.store.transaction import from_text, to_text, utc_now

TABLE = "audit_log"
GENESIS = "0" * 64

OPEN_PATIENT = "open_patient"
CREATE_VISIT = "create_visit"
EDIT_VISIT = "edit_visit"
EDIT_NOTE = "edit_note"
EXPORT = "export"
BACKUP = "backup"
RESTORE = "restore"
LOCK = "lock"
UNLOCK = "unlock"
UNLOCK_FAILED = "unlock_failed"
SET_PIN = "set_pin"
EVENTS = frozenset(
    {
        OPEN_PATIENT,
        CREATE_VISIT,
        EDIT_VISIT,
        EDIT_NOTE,
        EXPORT,
        BACKUP,
        RESTORE,
        LOCK,
        UNLOCK,
        UNLOCK_FAILED,
        SET_PIN,
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


def canonical(entry_id: int, at: str, event: str, record_id: str) -> str:
    """The exact text that is hashed for a row: sorted, compact JSON."""
    return json.dumps(
        {"at": at, "event": event, "id": entry_id, "record_id": record_id},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )


def chain_hash(prev_hash: str, text: str) -> str:
    """sha256(prev_hash + canonical row), as hex."""
    return hashlib.sha256((prev_hash + text).encode("ascii")).hexdigest()


def has_audit_table(db: Database) -> bool:
    """True once the audit migration has run on this database."""
    return TABLE in db.table_names()


def append(db: Database, event: str, record_id: str = "") -> AuditEntry:
    """Add one row; call inside the write transaction of the change it records."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    last = db.conn.execute(
        f"SELECT id, hash FROM {TABLE} ORDER BY id DESC LIMIT 1"
    ).fetchone()
    entry_id, prev_hash = (1, GENESIS) if last is None else (last[0] + 1, last[1])
    at = to_text(utc_now())
    digest = chain_hash(prev_hash, canonical(entry_id, at, event, record_id))
    db.conn.execute(
        f"INSERT INTO {TABLE} (id, at, event, record_id, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (entry_id, at, event, record_id, prev_hash, digest),
    )
    return AuditEntry(entry_id, from_text(at), event, record_id, prev_hash, digest)


def entries(db: Database, limit: int | None = None) -> list[AuditEntry]:
    """Audit rows, oldest first (the newest `limit` rows if a limit is given)."""
    sql = f"SELECT id, at, event, record_id, prev_hash, hash FROM {TABLE}"
    if limit is None:
        rows = db.conn.execute(sql + " ORDER BY id").fetchall()
    else:
        rows = db.conn.execute(sql + " ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        rows.reverse()
    return [AuditEntry(r[0], from_text(r[1]), r[2], r[3], r[4], r[5]) for r in rows]


def verify(db: Database) -> tuple[bool, int | None]:
    """Recompute the chain: (True, None), or (False, id of the first bad row)."""
    expected_prev = GENESIS
    expected_id: int | None = None
    cursor = db.conn.execute(
        f"SELECT id, at, event, record_id, prev_hash, hash FROM {TABLE} ORDER BY id"
    )
    for entry_id, at, event, record_id, prev_hash, digest in cursor:
        if expected_id is not None and entry_id != expected_id:
            return False, entry_id  # a row before this one was removed
        text = canonical(entry_id, at, event, record_id)
        if prev_hash != expected_prev or chain_hash(prev_hash, text) != digest:
            return False, entry_id
        expected_prev = digest
        expected_id = entry_id + 1
    return True, None


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
