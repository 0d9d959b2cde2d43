"""A weekly backup taken from the verified daily one, when no save came between.

The daily and the weekly backups fall due in the same check (one minute
apart at most), so the weekly one used to be a second full copy and check of
the same data: 9 s at 100,000 visits, 156 s at a million. When the database
has not been written since the daily copy began, that copy already holds
exactly the current data, and a plain file copy of it is the weekly backup.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from companion.store.cipher import fsync_dir, make_private

# Which kind may stand in for which: the verified copy it is taken from.
DERIVED_FROM = {"weekly": "daily"}


def last_write(db_path: Path) -> float:
    """When the database or its WAL was last written (seconds since the epoch).

    A checkpoint also writes the file without changing the data: that only
    makes a derived copy less often possible, never wrong.
    """
    times = [db_path.stat().st_mtime]
    with contextlib.suppress(FileNotFoundError):
        times.append(db_path.with_name(db_path.name + "-wal").stat().st_mtime)
    return max(times)


def derived_backup(db_path: Path, backup_dir: Path, kind: str) -> Path | None:
    """Copy the newest verified backup that holds the current data; None if none.

    A backup's name gives the second its copy began; every write to the
    database must be older than that second, so every commit was in the copy.
    """
    from companion.store import backup as backups  # backup.py calls this module

    source_kind = DERIVED_FROM.get(kind)
    if source_kind is None:
        return None
    # backup.py's own lock and naming, so this copy queues behind any other
    # backup and can never take a name one of them is about to use.
    with backups._ONE_AT_A_TIME:
        newest = backups.list_backups(backup_dir, source_kind)[:1]
        if not newest or last_write(db_path) >= newest[0].taken.timestamp():
            return None
        source = newest[0].path
        final = backups._free_name(backup_dir, kind, datetime.now(UTC))
        temp = final.with_name(f".{final.name}.partial")
        try:
            shutil.copyfile(source, temp)
            make_private(temp)
            with open(temp, "rb+") as handle:
                os.fsync(handle.fileno())
            if temp.stat().st_size != source.stat().st_size:
                return None  # a short copy: make a full backup instead
            os.replace(temp, final)
        except OSError:
            return None  # the full backup then tries, and reports what fails
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
        fsync_dir(backup_dir)
    backups.rotate(backup_dir, kind)
    return final
