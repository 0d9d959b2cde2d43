"""When quitting makes a backup: not after every save, only when one is overdue.

Every quit after a save used to make a full backup (9 s at 100,000 visits,
about 100 s at a million), so a clinician who opens and closes the app
between patients paid for a full copy each time. A save is durable in the
database the moment it returns (WAL, synchronous=FULL), and unsaved typing
is kept as a draft; a backup is the copy for when the file itself is lost.
So a quit backup is made only when the newest backup is older than
QUIT_MIN_GAP; otherwise <name>.unbacked is left beside the database and the
next start counts those saves as not yet backed up, so its first due check
(30 minutes of changes, as for any session) makes the backup.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

from companion.store.backup import list_backups

QUIT_MIN_GAP = timedelta(minutes=10)


def quit_backup_due(
    backup_dir: Path, changed_since_backup: bool, now: datetime
) -> bool:
    """True when closing should make a backup: changes, and none made lately."""
    if not changed_since_backup:
        return False
    newest = list_backups(backup_dir)[:1]
    return not newest or now - newest[0].taken >= QUIT_MIN_GAP


def unbacked_marker(db_path: Path) -> Path:
    """<name>.unbacked: saves were made that no backup holds yet."""
    return db_path.with_name(db_path.name + ".unbacked")


def note_unbacked_changes(db_path: Path) -> None:
    """At a quit without a backup: tell the next start that one is due."""
    fd = os.open(unbacked_marker(db_path), os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)


def had_unbacked_changes(db_path: Path) -> bool:
    """True when the last session quit with saves no backup holds."""
    return unbacked_marker(db_path).exists()


def forget_unbacked_changes(db_path: Path) -> None:
    """A backup now holds every save: drop the marker."""
    unbacked_marker(db_path).unlink(missing_ok=True)
