"""When the daily and weekly backups are due, read from the backups already on disk."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from companion.store.backup import list_backups

PERIODS: dict[str, timedelta] = {
    "daily": timedelta(days=1),
    "weekly": timedelta(days=7),
}


def periodic_backups_due(backup_dir: Path, now: datetime) -> list[str]:
    """The kinds ("daily", "weekly") whose newest backup is missing or too old."""
    due = []
    for kind, period in PERIODS.items():
        newest = list_backups(backup_dir, kind)
        if not newest or now - newest[0].taken >= period:
            due.append(kind)
    return due
