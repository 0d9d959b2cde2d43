"""Push this room's new rows to the clinic hub and apply everyone's rows from it.

The hub is anything with push(rows) / pull(after, limit) / tip() (the psycopg
client in companion.hub.client); this module never touches the network itself.
Every replicated row is append-only and UUID-keyed, so sending one twice, or
receiving one twice, changes nothing.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from companion.store.patients import search_keys
from companion.store.sync_schema import HEAD_ORDER, KINDS, NOW_SQL, TRACKED
from companion.store.transaction import new_id, write_transaction

BATCH = 500
_AUDIT_NAMESPACE = uuid.UUID("5b4f6a0e-18c1-4c3e-9a57-0c1e2f18a018")


class Pulled(Protocol):
    """One row as the hub gives it back."""

    seq: int
    room_id: str
    kind: str
    row_id: str
    payload: dict[str, Any]


class Hub(Protocol):
    """What replication needs of the clinic server."""

    def push(self, rows: list[dict[str, Any]]) -> int: ...

    def pull(self, after: int, limit: int) -> Sequence[Pulled]: ...

    def tip(self) -> int: ...


@dataclass(frozen=True)
class SyncReport:
    """One round: rows sent and received, and what is left on each side."""

    pushed: int
    pulled: int
    waiting: int  # made here, not yet confirmed by the hub
    behind: int  # on the hub, not yet here


def room_id(conn: sqlite3.Connection) -> str:
    """This room's id (made by m0009, sent with every row it makes)."""
    return conn.execute("SELECT room_id FROM sync_state").fetchone()[0]


def last_seq(conn: sqlite3.Connection) -> int:
    """The newest hub sequence number this room has applied."""
    return conn.execute("SELECT last_seq FROM sync_state").fetchone()[0]


def waiting(conn: sqlite3.Connection) -> int:
    """How many rows made here the hub has not confirmed yet."""
    return conn.execute("SELECT count(*) FROM sync_outbox").fetchone()[0]


def hub_key(room: str, kind: str, row_id: str, digest: str = "") -> str:
    """The row's key on the hub: its UUID, or for an audit row one made from it.

    An audit row's key includes its hash: after a restore from backup the room
    writes new rows under ids the hub already holds, and both are kept.
    """
    if kind == "audit":
        return uuid.uuid5(_AUDIT_NAMESPACE, f"{room}:{row_id}:{digest}").hex
    return row_id


def _row_payload(
    conn: sqlite3.Connection, kind: str, row_id: str
) -> dict[str, Any] | None:
    table, key = KINDS[kind]
    cursor = conn.execute(f"SELECT * FROM {table} WHERE {key} = ?", (row_id,))
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    return None if row is None else dict(zip(names, row, strict=True))


def push_batch(
    conn: sqlite3.Connection, path: Path | str, hub: Hub, batch: int = BATCH
) -> int:
    """Send the oldest outbox rows; drop them from the outbox once the hub has them.

    If the room dies between the hub's commit and ours, the rows go again
    next time and the hub ignores them (ON CONFLICT DO NOTHING).
    """
    room = room_id(conn)
    queued = conn.execute(
        "SELECT n, kind, row_id FROM sync_outbox ORDER BY n LIMIT ?", (batch,)
    ).fetchall()
    if not queued:
        return 0
    rows = []
    for _, kind, row_id in queued:
        payload = _row_payload(conn, kind, row_id)
        if payload is None:
            continue  # rows are never deleted; only a hand-edited file lacks one
        key = hub_key(room, kind, row_id, payload.get("hash", ""))
        rows.append({"kind": kind, "row_id": key, "payload": payload})
    if rows:
        hub.push(rows)
    with write_transaction(conn, path):
        conn.execute("DELETE FROM sync_outbox WHERE n <= ?", (queued[-1][0],))
    return len(queued)


def pull_batch(
    conn: sqlite3.Connection, path: Path | str, hub: Hub, batch: int = BATCH
) -> int:
    """Apply the next rows after the last hub sequence seen, in one transaction."""
    rows = list(hub.pull(last_seq(conn), batch))
    if rows:
        with write_transaction(conn, path):
            _apply(conn, rows)
    return len(rows)


def sync(conn: sqlite3.Connection, path: Path | str, hub: Hub) -> SyncReport:
    """Push everything waiting, then pull until in step; resumable at any point."""
    pushed = pulled = 0
    while sent := push_batch(conn, path, hub):
        pushed += sent
    while got := pull_batch(conn, path, hub):
        pulled += got
    behind = max(0, hub.tip() - last_seq(conn))
    return SyncReport(pushed, pulled, waiting(conn), behind)


def _apply(conn: sqlite3.Connection, rows: Iterable[Pulled]) -> None:
    """Insert others' rows (ignoring ones already here) and refresh their records."""
    own = room_id(conn)
    # A visit may arrive in the batch before a row it points to is applied.
    conn.execute("PRAGMA defer_foreign_keys = ON")
    # The triggers write revisions and outbox rows for local changes only.
    conn.execute("UPDATE sync_state SET applying = 1")
    touched: dict[tuple[str, str], None] = {}
    newest = None
    for row in rows:
        p = row.payload
        if row.kind == "revision":
            touched[(p["record_table"], p["record_id"])] = None
        if row.room_id != own:
            _insert(conn, row.kind, row.room_id, p)
        local_id = str(p["id"])
        conn.execute(
            "INSERT OR REPLACE INTO sync_rows (row_id, kind, hub_seq, room_id)"
            " VALUES (?, ?, ?, ?)",
            (
                row.row_id if row.kind == "audit" else local_id,
                row.kind,
                row.seq,
                row.room_id,
            ),
        )
        newest = row.seq
    for table, record_id in touched:
        _materialize(conn, table, record_id)
    conn.execute("UPDATE sync_state SET applying = 0, last_seq = ?", (newest,))


_INSERTS = {
    "revision": (
        "INSERT OR IGNORE INTO record_revisions"
        " (id, record_table, record_id, parents, payload, room_id, created)"
        " VALUES (:id, :record_table, :record_id, :parents, :payload, :room_id,"
        " :created)"
    ),
    "note": (
        "INSERT OR IGNORE INTO note_revisions"
        " (id, visit_id, section, text, revision, created, resolves)"
        " VALUES (:id, :visit_id, :section, :text, :revision, :created, :resolves)"
    ),
    "programme": (
        "INSERT OR IGNORE INTO exercise_programmes"
        " (id, visit_id, revision, items, copied_from, created, resolves)"
        " VALUES (:id, :visit_id, :revision, :items, :copied_from, :created,"
        " :resolves)"
    ),
    "audit": (
        "INSERT OR IGNORE INTO remote_audit_log"
        " (room_id, id, at, event, record_id, prev_hash, hash)"
        " VALUES (:room, :id, :at, :event, :record_id, :prev_hash, :hash)"
    ),
}


def _insert(conn: sqlite3.Connection, kind: str, room: str, p: dict[str, Any]) -> None:
    values = {"resolves": None, **p, "room": room}
    conn.execute(_INSERTS[kind], values)


def _materialize(conn: sqlite3.Connection, table: str, record_id: str) -> None:
    """Write the record's newest revision into its table (with applying set)."""
    row = conn.execute(
        "SELECT r.payload FROM record_revisions AS r"
        " LEFT JOIN sync_rows AS s ON s.row_id = r.id"
        f" WHERE r.record_table = ? AND r.record_id = ? ORDER BY {HEAD_ORDER} LIMIT 1",
        (table, record_id),
    ).fetchone()
    if row is None:
        return
    data = json.loads(row[0])
    columns = TRACKED[table]
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "id")
    conn.execute(
        f"INSERT INTO {table} ({', '.join(columns)})"
        f" VALUES ({', '.join('?' * len(columns))})"
        f" ON CONFLICT (id) DO UPDATE SET {updates}",
        [data.get(c) for c in columns],
    )
    if table == "patients":
        conn.execute("DELETE FROM patient_search WHERE patient_id = ?", (record_id,))
        keys = search_keys(data["chart_number"], data["initials"], data["display_name"])
        conn.executemany(
            "INSERT INTO patient_search (key, field, patient_id) VALUES (?, ?, ?)",
            [(key, field, record_id) for field, key in keys],
        )


# Conflicts: "two versions — review"


@dataclass(frozen=True)
class Version:
    """One side of a conflict: a revision's id, its room, when, and its content."""

    revision_id: str
    room_id: str
    created: str
    content: dict[str, Any]


@dataclass(frozen=True)
class Conflict:
    """A record, note section or programme with two versions made apart."""

    # 'patients', 'episodes', 'visits', 'note', 'programme', or 'chart_number'
    # (two patients registered apart under one chart number: each version is
    # one patient, its revision_id the patient's id).
    kind: str
    record_id: str  # the record's id, the visit's for a note or programme,
    # or the shared chart number
    section: str  # the SOAP section of a note, else ''
    versions: tuple[Version, ...]


def _heads(conn: sqlite3.Connection, table: str, record_id: str) -> list[Version]:
    rows = conn.execute(
        f"""
        SELECT r.id, r.room_id, r.created, r.payload FROM record_revisions AS r
        LEFT JOIN sync_rows AS s ON s.row_id = r.id
        WHERE r.record_table = :t AND r.record_id = :id AND NOT EXISTS (
            SELECT 1 FROM record_revisions AS c, json_each(c.parents) AS p
            WHERE c.record_id = :id AND c.record_table = :t AND p.value = r.id
        )
        ORDER BY {HEAD_ORDER}
        """,
        {"t": table, "id": record_id},
    ).fetchall()
    return [Version(i, room, created, json.loads(p)) for i, room, created, p in rows]


def _forks(conn: sqlite3.Connection, table: str, group: str) -> list[tuple[Any, ...]]:
    # Two rows with one revision number, not settled by a later review pick.
    return conn.execute(
        f"""
        SELECT {group}, revision FROM {table} AS t
        GROUP BY {group}, revision HAVING count(*) > 1
        AND NOT EXISTS (
            SELECT 1 FROM {table} AS pick
            WHERE {" AND ".join(f"pick.{g} = t.{g}" for g in group.split(", "))}
              AND pick.resolves >= t.revision
        )
        """
    ).fetchall()


def conflicts(conn: sqlite3.Connection) -> list[Conflict]:
    """Every record, note section and programme with versions to review."""
    found: list[Conflict] = []
    # One pass over the record index; heads only for records edited again.
    records = conn.execute(
        "SELECT record_table, record_id FROM record_revisions"
        " GROUP BY record_id, record_table HAVING count(*) > 1"
    ).fetchall()
    for table, record_id in records:
        heads = _heads(conn, table, record_id)
        if len(heads) > 1:
            found.append(Conflict(table, record_id, "", tuple(heads)))
    for visit_id, section, revision in _forks(
        conn, "note_revisions", "visit_id, section"
    ):
        rows = conn.execute(
            "SELECT id, created, text FROM note_revisions"
            " WHERE visit_id = ? AND section = ? AND revision = ? ORDER BY id DESC",
            (visit_id, section, revision),
        ).fetchall()
        versions = tuple(
            Version(i, _room_of(conn, i), c, {"text": t}) for i, c, t in rows
        )
        found.append(Conflict("note", visit_id, section, versions))
    for visit_id, revision in _forks(conn, "exercise_programmes", "visit_id"):
        rows = conn.execute(
            "SELECT id, created, items FROM exercise_programmes"
            " WHERE visit_id = ? AND revision = ? ORDER BY id DESC",
            (visit_id, revision),
        ).fetchall()
        versions = tuple(
            Version(i, _room_of(conn, i), c, {"items": json.loads(t)})
            for i, c, t in rows
        )
        found.append(Conflict("programme", visit_id, "", versions))
    found.extend(chart_clashes(conn))
    return found


def chart_clashes(conn: sqlite3.Connection) -> list[Conflict]:
    """Chart numbers two patients share (registered in two rooms apart).

    Neither is a version of the other, so no pick settles it: one patient
    gets a new chart number (an ordinary edit, which replicates).
    """
    found = []
    # The column is COLLATE NOCASE, like the store's own duplicate check.
    for (chart,) in conn.execute(
        "SELECT chart_number FROM patients WHERE chart_number <> ''"
        " GROUP BY chart_number HAVING count(*) > 1 ORDER BY chart_number"
    ).fetchall():
        cursor = conn.execute(
            "SELECT * FROM patients WHERE chart_number = ? ORDER BY created, id",
            (chart,),
        )
        names = [d[0] for d in cursor.description]
        versions = []
        for row in cursor.fetchall():
            patient = dict(zip(names, row, strict=True))
            origin = conn.execute(
                "SELECT room_id FROM record_revisions"
                " WHERE record_table = 'patients' AND record_id = ?"
                " ORDER BY rowid LIMIT 1",
                (patient["id"],),
            ).fetchone()
            room = origin[0] if origin else room_id(conn)
            content = {c: patient[c] for c in TRACKED["patients"]}
            # What tells two people apart at a glance: their visits.
            content["visits"], content["last_visit"] = conn.execute(
                "SELECT count(*), coalesce(max(visit_date), '') FROM visits"
                " WHERE patient_id = ?",
                (patient["id"],),
            ).fetchone()
            versions.append(Version(patient["id"], room, patient["created"], content))
        found.append(Conflict("chart_number", chart, "", tuple(versions)))
    return found


def _room_of(conn: sqlite3.Connection, row_id: str) -> str:
    row = conn.execute("SELECT room_id FROM sync_rows WHERE row_id = ?", (row_id,))
    found = row.fetchone()
    return room_id(conn) if found is None else found[0]


def resolve_record(
    conn: sqlite3.Connection,
    path: Path | str,
    table: str,
    record_id: str,
    pick: str,
    also: Callable[[], None] = lambda: None,
) -> str:
    """Settle a record's conflict with the version `pick`; the new revision's id.

    The new revision names every current version as its parent, so it
    supersedes them all, here and in every room it replicates to.
    """
    with write_transaction(conn, path):
        heads = _heads(conn, table, record_id)
        chosen = next(v for v in heads if v.revision_id == pick)
        revision = new_id()
        conn.execute(
            "INSERT INTO record_revisions"
            " (id, record_table, record_id, parents, payload, room_id, created)"
            f" VALUES (?, ?, ?, ?, ?, (SELECT room_id FROM sync_state), {NOW_SQL})",
            (
                revision,
                table,
                record_id,
                json.dumps([v.revision_id for v in heads]),
                json.dumps(chosen.content),
            ),
        )
        conn.execute("UPDATE sync_state SET applying = 1")
        _materialize(conn, table, record_id)
        conn.execute("UPDATE sync_state SET applying = 0")
        also()
    return revision


def resolve_note(
    conn: sqlite3.Connection,
    path: Path | str,
    visit_id: str,
    section: str,
    text: str,
    also: Callable[[], None] = lambda: None,
) -> str:
    """Settle a note section's versions with `text` (picked or merged); its id."""
    revision = new_id()
    with write_transaction(conn, path):
        (top,) = conn.execute(
            "SELECT max(revision) FROM note_revisions"
            " WHERE visit_id = ? AND section = ?",
            (visit_id, section),
        ).fetchone()
        conn.execute(
            "INSERT INTO note_revisions"
            " (id, visit_id, section, text, revision, created, resolves)"
            f" VALUES (?, ?, ?, ?, ?, {NOW_SQL}, ?)",
            (revision, visit_id, section, text, (top or 0) + 1, top or 0),
        )
        also()
    return revision


def verify_chains(
    rows: Iterable[tuple[str, int, str, str, str, str, str]],
) -> dict[str, tuple[bool, int | None]]:
    """Each room's audit chain: room id → (ok, first bad row id).

    rows are (room, id, at, event, record_id, prev_hash, hash) in room and id
    order. Every row must hash to what it says and link to a row before it
    (id - 1 with that hash, or the genesis); a restore from backup forks a
    chain, which is fine, but a row whose link is missing or altered is not.
    """
    from companion.store.audit import GENESIS, canonical, chain_hash

    result: dict[str, tuple[bool, int | None]] = {}
    seen: set[tuple[str, int, str]] = set()
    for room, entry_id, at, event, record_id, prev_hash, digest in rows:
        if room in result and not result[room][0]:
            continue
        text = canonical(entry_id, at, event, record_id)
        linked = (
            prev_hash == GENESIS if entry_id == 1
            else (room, entry_id - 1, prev_hash) in seen
        )  # fmt: skip
        ok = linked and chain_hash(prev_hash, text) == digest
        result[room] = (True, None) if ok else (False, entry_id)
        seen.add((room, entry_id, digest))
    return result


def verify_remote_audit(conn: sqlite3.Connection) -> dict[str, tuple[bool, int | None]]:
    """Recompute every other room's audit chain: room id → (ok, first bad row id)."""
    return verify_chains(
        conn.execute(
            "SELECT room_id, id, at, event, record_id, prev_hash, hash"
            " FROM remote_audit_log ORDER BY room_id, id"
        )
    )


def resolve_programme(
    conn: sqlite3.Connection,
    path: Path | str,
    visit_id: str,
    items: list[Any],
    also: Callable[[], None] = lambda: None,
) -> str:
    """Settle a programme's versions with `items` (one version's, as JSON); its id."""
    revision = new_id()
    with write_transaction(conn, path):
        (top,) = conn.execute(
            "SELECT max(revision) FROM exercise_programmes WHERE visit_id = ?",
            (visit_id,),
        ).fetchone()
        conn.execute(
            "INSERT INTO exercise_programmes"
            " (id, visit_id, revision, items, created, resolves)"
            f" VALUES (?, ?, ?, ?, {NOW_SQL}, ?)",
            (revision, visit_id, (top or 0) + 1, json.dumps(items), top or 0),
        )
        also()
    return revision


def resolve(
    conn: sqlite3.Connection,
    path: Path | str,
    conflict: Conflict,
    pick: Version,
    also: Callable[[], None] = lambda: None,
) -> str:
    """Settle any conflict with the version the clinician picked; the new row's id.

    `also` runs inside the same transaction (the store records the pick in
    the audit log there, so a pick and its audit row land together or not at
    all).
    """
    if conflict.kind == "note":
        return resolve_note(
            conn, path, conflict.record_id, conflict.section, pick.content["text"], also
        )
    if conflict.kind == "programme":
        return resolve_programme(
            conn, path, conflict.record_id, pick.content["items"], also
        )
    return resolve_record(
        conn, path, conflict.kind, conflict.record_id, pick.revision_id, also
    )


def open_worker_connection(path: Path, key: bytes | None) -> sqlite3.Connection:
    """A connection of the replication worker's own, set up like the store's."""
    from companion.store.cipher import connect
    from companion.store.database import BUSY_TIMEOUT_SECONDS, apply_pragmas

    conn = connect(path, key, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    try:
        apply_pragmas(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def sync_some(
    conn: sqlite3.Connection, path: Path | str, hub: Hub, batches: int = 20
) -> SyncReport:
    """Push all waiting, pull at most `batches` batches: a round that stays short.

    behind > 0 afterwards means "catching up": the worker runs another round.
    """
    pushed = pulled = 0
    while sent := push_batch(conn, path, hub):
        pushed += sent
    for _ in range(batches):
        got = pull_batch(conn, path, hub)
        pulled += got
        if got < BATCH:
            break
    behind = max(0, hub.tip() - last_seq(conn))
    return SyncReport(pushed, pulled, waiting(conn), behind)
