"""The PSFS column: migrated onto visits, saved, read back and refused when invalid."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from companion.core.records import InvalidInput
from companion.store import MIGRATIONS, Patient, Store, open_store
from companion.store.migrations import Migrations, m0001_initial_schema

ANSWERS = (("Sitting 30 minutes", 4), ("Lifting my child", 2), ("Sleeping", 6))


def test_psfs_round_trips(store: Store, patient: Patient) -> None:
    """PSFS answers saved on a visit come back equal, in order."""
    visit = store.start_visit(patient.id, pain=6)
    assert visit.psfs == ()
    saved = store.update_visit(visit.id, psfs=ANSWERS)
    assert saved.psfs == ANSWERS
    again = store.get_visit(visit.id)
    assert again is not None and again.psfs == ANSWERS
    assert store.visits_for(patient.id)[0].psfs == ANSWERS


def test_psfs_can_be_given_when_the_visit_starts(
    store: Store, patient: Patient
) -> None:
    """start_visit accepts psfs like any other finding."""
    visit = store.start_visit(patient.id, psfs=ANSWERS)
    assert store.get_visit(visit.id).psfs == ANSWERS  # type: ignore[union-attr]


def test_no_psfs_is_stored_as_null(store: Store, patient: Patient) -> None:
    """A visit without PSFS has NULL in the column; clearing writes NULL again."""
    visit = store.start_visit(patient.id)
    store.update_visit(visit.id, psfs=ANSWERS)
    store.update_visit(visit.id, psfs=())
    (raw,) = store.conn.execute(
        "SELECT psfs FROM visits WHERE id = ?", (visit.id,)
    ).fetchone()
    assert raw is None
    assert store.get_visit(visit.id).psfs == ()  # type: ignore[union-attr]


def test_invalid_psfs_is_refused_and_nothing_changes(
    store: Store, patient: Patient
) -> None:
    """Two activities are refused with a clear message; the saved PSFS stays."""
    visit = store.start_visit(patient.id, psfs=ANSWERS)
    with pytest.raises(InvalidInput, match="3 to 5 activities"):
        store.update_visit(visit.id, psfs=(("Sitting", 4), ("Walking", 3)))
    assert store.get_visit(visit.id).psfs == ANSWERS  # type: ignore[union-attr]


def test_column_refuses_malformed_json(store: Store, patient: Patient) -> None:
    """The database itself refuses text in psfs that is not JSON."""
    visit = store.start_visit(patient.id)
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute(
            "UPDATE visits SET psfs = 'not json' WHERE id = ?", (visit.id,)
        )


def test_migration_adds_the_column_to_an_old_database(db_path: Path) -> None:
    """A database made before the PSFS migration gains the column, visits intact."""
    db_path.parent.mkdir(parents=True)
    names = MIGRATIONS.names
    assert "m0002_visit_psfs" in names
    before = Migrations()  # the schema as first released
    before(m0001_initial_schema)
    db = Database(db_path)
    before.apply_pending(db, db_path)
    db.conn.execute(
        "INSERT INTO patients (id, chart_number, created) VALUES ('p', 'C-1', 'x')"
    )
    db.conn.execute(
        "INSERT INTO visits (id, patient_id, visit_date, pain, created, updated)"
        " VALUES ('v', 'p', '2024-01-02', 5, '2024-01-02T00:00:00+00:00',"
        " '2024-01-02T00:00:00+00:00')"
    )
    db.conn.commit()
    assert "psfs" not in {c.name for c in db["visits"].columns}
    db.close()
    with open_store(db_path) as store:
        assert "psfs" in {c.name for c in store.db["visits"].columns}
        visit = store.get_visit("v")
        assert visit is not None and visit.pain == 5 and visit.psfs == ()
