"""Quitting backs up only when no backup is recent; the next start catches up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from companion.store import open_store
from companion.store.quit_backup import (
    QUIT_MIN_GAP,
    note_unbacked_changes,
    quit_backup_due,
)


def test_a_recent_backup_spares_the_quit_backup(tmp_path: Path) -> None:
    """Changes with a backup minutes old: no quit backup; past the gap: one."""
    db = tmp_path / "companion.db"
    backups = tmp_path / "backups"
    with open_store(db, backup_dir=backups) as store:
        store.create_patient(initials="QB")
        now = datetime.now(UTC)
        assert quit_backup_due(backups, True, now)  # no backup at all yet
        store.backup("auto")
        assert not quit_backup_due(backups, False, now)  # nothing changed
        assert not quit_backup_due(backups, True, now + timedelta(minutes=2))
        assert quit_backup_due(backups, True, now + QUIT_MIN_GAP + timedelta(0, 1))


def test_the_next_start_counts_saves_no_backup_holds(tmp_path: Path) -> None:
    """A quit that skipped its backup leaves the saves due at the next start,
    until a backup holds them."""
    db = tmp_path / "companion.db"
    backups = tmp_path / "backups"
    with open_store(db, backup_dir=backups) as store:
        store.create_patient(initials="B1")
        assert store.changed_since_backup
        note_unbacked_changes(db)  # what the window does when skipping it
    with open_store(db, backup_dir=backups) as store:
        assert store.changed_since_backup
        store.backup("auto")
        assert not store.changed_since_backup
    with open_store(db, backup_dir=backups) as store:
        assert not store.changed_since_backup
