"""m0009: records edited in place get revisions, no data lost; the outbox fills."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from companion.store import migrations, replication
from companion.store.database import open_store
from companion.store.migrations import MIGRATIONS, Migrations
from tests.hub.helpers import PROGRAMME


def _before_m0009() -> Migrations:
    before = Migrations()
    for step in MIGRATIONS.names:
        if step != "m0009_record_revisions_and_sync":
            before(getattr(migrations, step))
    return before


def _revisions(conn: sqlite3.Connection, record_id: str) -> list[tuple[str, dict]]:
    rows = conn.execute(
        "SELECT parents, payload FROM record_revisions WHERE record_id = ?"
        " ORDER BY rowid",
        (record_id,),
    ).fetchall()
    return [(parents, json.loads(payload)) for parents, payload in rows]


def test_an_old_clinic_keeps_everything_and_gets_first_revisions(
    tmp_path: Path,
) -> None:
    """Every patient, episode and visit gets one revision equal to its row."""
    path = tmp_path / "companion.db"
    with open_store(path, migrations=_before_m0009()) as old:
        patient = old.create_patient(chart_number="M-1", initials="MM")
        visit = old.start_visit(patient.id, pain=6, regions=("cervical",))
        old.save_note(visit.id, "S", "first")
        old.save_note(visit.id, "S", "second")
        old.save_programme(visit.id, PROGRAMME)
        old.audit("open_patient", patient.id)
        before = {
            t: old.conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
            for t in ("patients", "episodes", "visits", "note_revisions",
                      "exercise_programmes", "audit_log")
        }  # fmt: skip
    with open_store(path) as new:
        assert "m0009_record_revisions_and_sync" in migrations.applied(new.db)
        for table, rows in before.items():
            now = new.conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
            # The rebuilt tables gained `resolves` (NULL): the old columns match.
            assert [r[: len(rows[0])] for r in now] == rows
        (episode_id,) = new.conn.execute("SELECT id FROM episodes").fetchone()
        for record_id in (patient.id, visit.id, episode_id):
            [(parents, payload)] = _revisions(new.conn, record_id)
            assert parents == "[]" and payload["id"] == record_id
        assert _revisions(new.conn, visit.id)[0][1]["pain"] == 6
        # All of it waits for the hub, parents before children.
        kinds = [
            k for (k,) in new.conn.execute("SELECT kind FROM sync_outbox ORDER BY n")
        ]
        audits = new.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        assert (
            kinds
            == ["revision"] * 3 + ["note"] * 2 + ["programme"] + ["audit"] * audits
        )
        assert new.search_notes("second")[0].visit_id == visit.id


def test_each_change_is_a_revision_naming_its_parent(tmp_path: Path) -> None:
    """An edit adds a revision whose parent is the one before; a touch adds none."""
    with open_store(tmp_path / "companion.db") as store:
        patient = store.create_patient(chart_number="R-1", initials="RR")
        visit = store.start_visit(patient.id, pain=2)
        store.update_visit(visit.id, pain=3)
        store.save_note(visit.id, "S", "only the visit's `updated` changes")
        store.update_patient(patient.id, display_name="Rosa")
        history = _revisions(store.conn, visit.id)
        assert [p["pain"] for _, p in history] == [2, 3]
        first_id = store.conn.execute(
            "SELECT id FROM record_revisions WHERE record_id = ? ORDER BY rowid",
            (visit.id,),
        ).fetchone()[0]
        assert json.loads(history[1][0]) == [first_id]
        assert _revisions(store.conn, patient.id)[-1][1]["display_name"] == "Rosa"
        assert replication.conflicts(store.conn) == []


def test_two_rooms_may_both_write_revision_n_of_a_note(tmp_path: Path) -> None:
    """The UNIQUE on (visit, section, revision) is gone; the current note is stable."""
    with open_store(tmp_path / "companion.db") as store:
        visit = store.start_visit(store.create_patient(initials="NN").id)
        mine = store.save_note(visit.id, "S", "mine")
        store.conn.execute(
            "INSERT INTO note_revisions"
            " (id, visit_id, section, text, revision, created)"
            " VALUES ('g' || substr(?, 2), ?, 'S', 'theirs', 1, ?)",
            (mine.id, visit.id, "2026-01-01T00:00:00.000000+00:00"),
        )
        assert store.current_notes(visit.id)["S"].text == "theirs"  # higher id
        assert store.search_notes("theirs") and not store.search_notes("mine")
        [conflict] = replication.conflicts(store.conn)
        assert conflict.kind == "note" and len(conflict.versions) == 2
        replication.resolve_note(store.conn, store.path, visit.id, "S", "merged")
        assert store.current_notes(visit.id)["S"].revision == 2
        assert replication.conflicts(store.conn) == []
        with pytest.raises(sqlite3.IntegrityError):
            store.conn.execute("DELETE FROM record_revisions")


def test_every_column_of_a_replicated_table_is_tracked(tmp_path) -> None:
    """TRACKED is m0009's own list (a migration's schema stays as it was); a
    column added later must be added there too, or it would never replicate."""
    from companion.store import open_store
    from companion.store.sync_schema import TRACKED

    with open_store(tmp_path / "companion.db") as store:
        for table, tracked in TRACKED.items():
            columns = [
                row[1] for row in store.conn.execute(f"PRAGMA table_info({table})")
            ]
            assert sorted(columns) == sorted(tracked), table
