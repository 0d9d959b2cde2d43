"""Tests for when the daily and weekly backups fall due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from companion.store import open_store
from companion.store.backup_schedule import periodic_backups_due


def test_both_due_with_no_backups(tmp_path: Path) -> None:
    """An empty backup folder needs a daily and a weekly backup."""
    assert periodic_backups_due(tmp_path, datetime.now(UTC)) == ["daily", "weekly"]


def test_fresh_backups_are_not_due_until_their_period_passes(tmp_path: Path) -> None:
    """After real daily and weekly backups, each is due again only after its period."""
    backups = tmp_path / "backups"
    with open_store(tmp_path / "c.db", backup_dir=backups) as store:
        store.create_patient(chart_number="X1")
        store.backup("daily")
        store.backup("weekly")
    now = datetime.now(UTC)
    assert periodic_backups_due(backups, now) == []
    assert periodic_backups_due(backups, now + timedelta(days=1, seconds=1)) == [
        "daily"
    ]
    later = now + timedelta(days=7, seconds=1)
    assert periodic_backups_due(backups, later) == ["daily", "weekly"]
