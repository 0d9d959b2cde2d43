"""What the clinic-server tests compare: every replicated row a room holds."""

from __future__ import annotations

import sqlite3
from typing import Any

from companion.core.exercises import Dose, Prescription
from companion.store import replication

PROGRAMME = (
    Prescription("chin_tuck", Dose(reps=10, hold_seconds=3, times_per_day=3)),
    Prescription("walking", Dose(minutes=15, times_per_day=2)),
)

_TABLES = {
    "patients": "*",
    "episodes": "*",
    # `updated` is this room's own "last touched here" (a note saved); the
    # findings themselves are compared.
    "visits": "id, patient_id, visit_date, pain, regions, episode_id, patient_plan",
    "note_revisions": "*",
    "exercise_programmes": "*",
    "record_revisions": "*",
}


def rows(conn: sqlite3.Connection, table: str) -> list[tuple[Any, ...]]:
    """Every row of a table, sorted, so two rooms' copies compare equal."""
    return sorted(conn.execute(f"SELECT {_TABLES[table]} FROM {table}").fetchall())


def snapshot(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every record and revision in the room, table by table."""
    return {table: rows(conn, table) for table in _TABLES}


def audit_chains(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every room's audit chain as this room holds it (its own and others')."""
    chains: dict[str, list[tuple[Any, ...]]] = {
        replication.room_id(conn): conn.execute(
            "SELECT id, at, event, record_id, prev_hash, hash"
            " FROM audit_log ORDER BY id"
        ).fetchall()
    }
    for room, *row in conn.execute(
        "SELECT room_id, id, at, event, record_id, prev_hash, hash"
        " FROM remote_audit_log ORDER BY room_id, id"
    ):
        chains.setdefault(room, []).append(tuple(row))
    return {room: chain for room, chain in chains.items() if chain}


def assert_converged(*conns: sqlite3.Connection) -> None:
    """Every room holds the same records, revisions and audit chains."""
    first = snapshot(conns[0])
    chains = audit_chains(conns[0])
    for other in conns[1:]:
        assert snapshot(other) == first
        assert audit_chains(other) == chains
    for conn in conns:
        assert all(ok for ok, _ in replication.verify_remote_audit(conn).values())
        assert replication.waiting(conn) == 0


def hub_counts(admin_dsn: str, database: str) -> tuple[int, int]:
    """(rows on the hub, distinct row keys): equal when nothing is duplicated."""
    import psycopg

    with psycopg.connect(admin_dsn, dbname=database) as conn:
        ((total, distinct),) = conn.execute(
            "SELECT count(*), count(DISTINCT row_id) FROM hub_rows"
        ).fetchall()
    return total, distinct


def local_rows(conn: sqlite3.Connection) -> int:
    """How many replicated rows a room holds in all (made here or pulled)."""
    total = 0
    for table in ("record_revisions", "note_revisions", "exercise_programmes",
                  "audit_log", "remote_audit_log"):  # fmt: skip
        total += conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return total
