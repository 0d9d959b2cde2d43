"""Migrations: recorded, applied once, and preceded by a backup on upgrade."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from companion.store import MIGRATIONS, list_backups, open_store
from companion.store.backup import is_intact


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
