"""Verified, rotated backups made with SQLite's online backup API."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from companion.store.cipher import connect, fsync_dir, make_private
from companion.store.errors import DB_ERRORS, StoreError, translate

if TYPE_CHECKING:
    from companion.store.database import Store

KINDS: tuple[str, ...] = ("auto", "daily", "weekly", "quit", "pre-migration")
# How many of each kind to keep; older ones go only after a newer one verified.
KEEP: dict[str, int] = {
    "auto": 10,
    "daily": 7,
    "weekly": 4,
    "quit": 5,
    "pre-migration": 5,
}
AUTO_INTERVAL = timedelta(minutes=30)
_NAME = re.compile(
    r"^companion-(?P<kind>[a-z-]+?)-(?P<stamp>\d{8}-\d{6})(?:-(?P<seq>\d+))?\.db$"
)
_STAMP = "%Y%m%d-%H%M%S"


@dataclass(frozen=True)
class BackupFile:
    """A backup on disk, with what its name says about it."""

    path: Path
    kind: str
    taken: datetime  # UTC, to the second
    seq: int  # tells apart backups taken within the same second

    @property
    def sort_key(self) -> tuple[datetime, int]:
        """Orders backups oldest to newest."""
        return (self.taken, self.seq)


def parse_backup_name(path: Path) -> BackupFile | None:
    """The BackupFile a path names, or None if it is not one of our backups."""
    match = _NAME.match(path.name)
    if match is None or match["kind"] not in KINDS:
        return None
    taken = datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=UTC)
    return BackupFile(path, match["kind"], taken, int(match["seq"] or 0))


def list_backups(backup_dir: Path, kind: str | None = None) -> list[BackupFile]:
    """Backups in a folder, newest first, optionally of one kind."""
    if not backup_dir.is_dir():
        return []
    found = [parse_backup_name(p) for p in backup_dir.iterdir() if p.is_file()]
    backups = [b for b in found if b is not None and kind in (None, b.kind)]
    return sorted(backups, key=lambda b: b.sort_key, reverse=True)


def is_intact(path: Path, key: bytes | None = None) -> bool:
    """True when the file (encrypted with key, if given) passes integrity_check."""
    try:
        conn = connect(path, key, readonly=True)
    except DB_ERRORS:
        return False
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
        return rows == [("ok",)]
    except DB_ERRORS:
        return False
    finally:
        conn.close()


def newest_verified_backup(
    backup_dir: Path, key: bytes | None = None
) -> BackupFile | None:
    """The newest backup in the folder that passes integrity_check, if any."""
    for backup in list_backups(backup_dir):
        if is_intact(backup.path, key):
            return backup
    return None


def backup_due(
    last_backup_time: datetime | None,
    changed_since: bool,
    now: datetime,
    interval: timedelta = AUTO_INTERVAL,
) -> bool:
    """True when there are unsaved-to-backup changes and the interval has passed."""
    if not changed_since:
        return False
    return last_backup_time is None or now - last_backup_time >= interval


def make_backup(store: Store, backup_dir: Path, kind: str = "auto") -> Path:
    """Copy the open database into a verified backup file and rotate old ones."""
    return backup_connection(store.conn, backup_dir, kind, store.key)


def backup_connection(
    conn: sqlite3.Connection, backup_dir: Path, kind: str, key: bytes | None = None
) -> Path:
    """Back up an open connection: temp file, integrity check, atomic rename.

    With a key the backup is encrypted with it, like the database.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown backup kind {kind!r}")
    try:
        backup_dir.mkdir(parents=True, exist_ok=True)
        make_private(backup_dir)
        final = _free_name(backup_dir, kind, datetime.now(UTC))
        temp = final.with_name(f".{final.name}.partial")
        try:
            _copy(conn, temp, key)
            if not is_intact(temp, key):
                raise StoreError(
                    f"A backup copy failed its integrity check ({temp}); the "
                    "database itself was not changed. Check the backup drive."
                )
            os.replace(temp, final)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
        fsync_dir(backup_dir)
    except DB_ERRORS as exc:
        friendly = translate(exc, backup_dir)
        if friendly is None:
            raise
        raise friendly from exc
    except OSError as exc:
        raise StoreError(
            f"Could not write a backup to {backup_dir}: {exc.strerror or exc}."
        ) from exc
    rotate(backup_dir, kind)
    return final


def rotate(backup_dir: Path, kind: str, keep: int | None = None) -> list[Path]:
    """Delete the oldest backups of one kind beyond the keep count; return them."""
    limit = KEEP[kind] if keep is None else keep
    removed = [b.path for b in list_backups(backup_dir, kind)[limit:]]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def _free_name(backup_dir: Path, kind: str, now: datetime) -> Path:
    stem = f"companion-{kind}-{now.strftime(_STAMP)}"
    same_second = [
        b.seq for b in list_backups(backup_dir, kind) if b.taken == _second(now)
    ]
    if not same_second:
        return backup_dir / f"{stem}.db"
    # Always above the highest number: rotation frees the lowest, and reusing it
    # would make the newest backup look like the oldest.
    return backup_dir / f"{stem}-{max(same_second) + 1}.db"


def _second(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


def _copy(conn: sqlite3.Connection, dest: Path, key: bytes | None) -> None:
    dest.unlink(missing_ok=True)
    make_private(dest.parent)
    target = connect(dest, key)
    try:
        conn.backup(target)
        # A rollback-journal copy is one self-contained file, easy to move around.
        target.execute("PRAGMA journal_mode=DELETE")
        target.commit()
    finally:
        target.close()
    with open(dest, "rb+") as handle:
        os.fsync(handle.fileno())
