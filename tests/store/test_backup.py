"""Backups: verified copies, rotation, newest good one, and when one is due."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from companion.store import (
    Store,
    backup_due,
    list_backups,
    make_backup,
    newest_verified_backup,
)
from companion.store.backup import KEEP, is_intact, parse_backup_name


def test_backup_is_a_verified_copy(store: Store, tmp_path: Path) -> None:
    """A backup is a complete database that passes integrity_check."""
    patient = store.create_patient(initials="BK")
    path = make_backup(store, tmp_path / "b", "daily")
    assert parse_backup_name(path) is not None
    assert path.name.startswith("companion-daily-")
    assert is_intact(path)
    copy = sqlite3.connect(path)
    try:
        assert copy.execute("SELECT id FROM patients").fetchall() == [(patient.id,)]
        # A standalone file: no WAL that would need to travel with it.
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    finally:
        copy.close()
    assert not list((tmp_path / "b").glob(".*"))


def test_rotation_keeps_the_newest(store: Store, tmp_path: Path) -> None:
    """Only the newest KEEP['auto'] auto backups remain, other kinds untouched."""
    folder = tmp_path / "b"
    weekly = make_backup(store, folder, "weekly")
    made = [make_backup(store, folder, "auto") for _ in range(KEEP["auto"] + 3)]
    kept = [b.path for b in list_backups(folder, "auto")]
    assert kept == list(reversed(made))[: KEEP["auto"]]
    assert weekly.exists()


def test_newest_verified_skips_damaged(store: Store, tmp_path: Path) -> None:
    """A damaged newest backup is passed over for an older good one."""
    folder = tmp_path / "b"
    good = make_backup(store, folder, "auto")
    bad = make_backup(store, folder, "auto")
    bad.write_bytes(b"not a database at all" * 100)
    chosen = newest_verified_backup(folder)
    assert chosen is not None and chosen.path == good
    assert newest_verified_backup(tmp_path / "nowhere") is None


def test_store_backup_clears_change_flag(store: Store) -> None:
    """Store.backup() resets changed_since_backup and records the time."""
    store.create_patient(initials="CF")
    assert store.changed_since_backup
    path = store.backup()
    assert path.parent == store.backup_dir
    assert not store.changed_since_backup and store.last_backup is not None


def test_unknown_kind_is_refused(store: Store, tmp_path: Path) -> None:
    """Backup kinds are a fixed list."""
    with pytest.raises(ValueError):
        make_backup(store, tmp_path, "hourly")


def test_backup_due_policy() -> None:
    """A backup is due only after changes, and at most every 30 minutes."""
    now = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    assert backup_due(None, True, now)
    assert not backup_due(None, False, now)
    assert not backup_due(now - timedelta(minutes=29), True, now)
    assert backup_due(now - timedelta(minutes=30), True, now)
    assert not backup_due(now - timedelta(hours=5), False, now)
