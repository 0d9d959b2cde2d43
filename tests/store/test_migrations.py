"""Migrations: recorded, applied once, and preceded by a backup on upgrade."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from companion.store import MIGRATIONS, Migrations, list_backups, open_store
from companion.store.backup import is_intact
from companion.store.migrations import (
    m0001_initial_schema,
    m0002_visit_psfs,
    m0003_audit_log,
)


def _recorded(path: Path) -> list[str]:
    db = Database(path)
    try:
        return [row["name"] for row in db.query("SELECT name FROM _migrations")]
    finally:
        db.close()


def test_new_database_records_every_migration(db_path: Path) -> None:
    """A fresh database lists each registered migration in _migrations."""
    db_path.parent.mkdir(parents=True)
    open_store(db_path).close()
    assert _recorded(db_path) == list(MIGRATIONS.names)
    assert MIGRATIONS.names  # there is at least the initial schema


def test_reopen_applies_nothing_new(db_path: Path) -> None:
    """Opening again neither re-runs migrations nor makes a pre-migration backup."""
    db_path.parent.mkdir(parents=True)
    open_store(db_path).close()
    first = _recorded(db_path)
    with open_store(db_path) as store:
        assert MIGRATIONS.pending(store.db) == []
    assert _recorded(db_path) == first
    assert list_backups(db_path.parent / "backups") == []


def test_pending_migration_backs_up_then_applies(db_path: Path) -> None:
    """An extra migration on an existing database runs after a verified backup."""
    db_path.parent.mkdir(parents=True)
    with open_store(db_path) as store:
        store.create_patient(chart_number="before-upgrade")

    upgraded = MIGRATIONS.extended()

    @upgraded
    def m9999_add_clinic_column(db: Database) -> None:
        db.conn.execute("ALTER TABLE patients ADD COLUMN clinic TEXT")

    with open_store(db_path, migrations=upgraded) as store:
        columns = {c.name for c in store.db["patients"].columns}
        assert "clinic" in columns
    backups = list_backups(db_path.parent / "backups", "pre-migration")
    assert len(backups) == 1
    assert is_intact(backups[0].path)
    saved = Database(backups[0].path)
    try:
        # The backup is the database as it was before the upgrade.
        assert "clinic" not in {c.name for c in saved["patients"].columns}
        assert saved["patients"].count == 1
    finally:
        saved.close()
    assert _recorded(db_path)[-1] == "m9999_add_clinic_column"
    assert "m9999_add_clinic_column" not in MIGRATIONS.names


def test_failed_migration_is_rolled_back_and_not_recorded(db_path: Path) -> None:
    """A migration that fails halfway leaves neither its changes nor its record."""
    db_path.parent.mkdir(parents=True)
    open_store(db_path).close()
    broken = MIGRATIONS.extended()

    @broken
    def m9998_half_done(db: Database) -> None:
        db.conn.execute("CREATE TABLE half (x)")
        db.conn.execute("THIS IS NOT SQL")

    try:
        open_store(db_path, migrations=broken).close()
    except Exception as exc:  # the syntax error is a programming error
        assert "syntax" in str(exc)
    else:
        raise AssertionError("the broken migration should have failed")
    db = Database(db_path)
    try:
        assert "half" not in db.table_names()
    finally:
        db.close()
    assert "m9998_half_done" not in _recorded(db_path)
    open_store(db_path).close()  # the lock was released by the failure


def test_patients_saved_before_search_keys_get_them(db_path: Path) -> None:
    """m0004 fills search keys for patients already in the database."""
    db_path.parent.mkdir(parents=True)
    before_keys = Migrations()
    for step in (m0001_initial_schema, m0002_visit_psfs, m0003_audit_log):
        before_keys(step)
    with open_store(db_path, migrations=before_keys) as store:
        assert "patient_search" not in store.db.table_names()
        # The columns the app wrote then; there were no keys to write.
        store.conn.executemany(
            "INSERT INTO patients (id, chart_number, initials, display_name, created)"
            " VALUES (?, ?, ?, ?, '2024-01-01T00:00:00.000000+00:00')",
            [
                ("1" * 32, "B-2", "AR", "Ana Ruiz"),
                ("2" * 32, "", "ÑB", "Ñoño Bea"),
                ("3" * 32, "b-20", "", ""),
            ],
        )
    with open_store(db_path) as store:
        assert "m0004_patient_search" in _recorded(db_path)
        assert [p.id for p in store.find_patients("b-2")] == ["1" * 32, "3" * 32]
        assert [p.id for p in store.find_patients("ruiz")] == ["1" * 32]
        assert [p.id for p in store.find_patients("ñ")] == ["2" * 32]
        (count,) = store.conn.execute("SELECT count(*) FROM patient_search").fetchone()
        # B-2, ar, ana ruiz, ruiz; ñb, ñoño bea, bea; b-20.
        assert count == 8
    assert len(list_backups(db_path.parent / "backups", "pre-migration")) == 1
