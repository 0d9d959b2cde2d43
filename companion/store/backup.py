"""Verified, rotated backups made with SQLite's online backup API."""

from __future__ import annotations

import contextlib
import os
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from companion.store.backup_derive import derived_backup
from companion.store.backup_verify import copy_is_sound
from companion.store.cipher import Connection, connect, fsync_dir, make_private
from companion.store.errors import DB_ERRORS, StoreError, raise_friendly

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
# One backup at a time in this process, whichever thread asks: two at once would
# race for the same file name and for rotation, and double the disk load.
_ONE_AT_A_TIME = threading.Lock()
SOURCE_BUSY_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class BackupJob:
    """A backup for a worker thread: everything it needs, nothing of the GUI's.

    Made by Store.backup_job on the store's own thread; run() opens a connection
    of its own, so it is safe on any thread; Store.record_backup takes the result.
    """

    db_path: Path
    backup_dir: Path
    kind: str
    key: bytes | None = field(repr=False)  # never in a log or a traceback
    # The store connection's total_changes when the job was made: a different
    # count when the backup is recorded means a save may be missing from it.
    changes_at_start: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown backup kind {self.kind!r}")

    def run(self) -> Path:
        """Make the verified backup; on any thread, blocking it for a while."""
        derived = derived_backup(self.db_path, self.backup_dir, self.kind)
        if derived is not None:
            return derived  # the weekly copy of a daily one with the same data
        return backup_file(self.db_path, self.backup_dir, self.kind, self.key)


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


def backup_file(
    db_path: Path, backup_dir: Path, kind: str, key: bytes | None = None
) -> Path:
    """Back up the database file through a read-only connection of its own.

    For worker threads: an SQLite connection must stay on the thread that uses
    it, so the app's connection is never touched here. The copy is one
    sqlite3_backup_step(-1), which holds a single read transaction for the whole
    copy: in WAL mode that is a consistent snapshot of the last commit, and the
    app's writes carry on meanwhile (they go to the WAL; only checkpoints wait).
    Copying in steps of N pages with sleeps between would instead restart from
    page one after every save made on another connection, so a clinician typing
    steadily could keep a large backup from ever finishing. VACUUM INTO would
    also read one snapshot (and SQLCipher encrypts its output), but it rebuilds
    every table and index instead of copying pages: about 1.6× slower on the
    100,000-visit clinic.
    """
    try:
        source = connect(
            db_path, key, readonly=True, timeout=SOURCE_BUSY_TIMEOUT_SECONDS
        )
    except DB_ERRORS as exc:
        raise_friendly(exc, db_path)
    try:
        return backup_connection(source, backup_dir, kind, key)
    finally:
        source.close()


def backup_connection(
    conn: Connection, backup_dir: Path, kind: str, key: bytes | None = None
) -> Path:
    """Back up an open connection: temp file, integrity check, atomic rename.

    With a key the backup is encrypted with it, like the database. Backups in
    this process run one at a time; a second caller waits for the first.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown backup kind {kind!r}")
    with _ONE_AT_A_TIME:
        return _backup_locked(conn, backup_dir, kind, key)


def _backup_locked(
    conn: Connection, backup_dir: Path, kind: str, key: bytes | None
) -> Path:
    try:
        backup_dir.mkdir(parents=True, exist_ok=True)
        make_private(backup_dir)
        final = _free_name(backup_dir, kind, datetime.now(UTC))
        temp = final.with_name(f".{final.name}.partial")
        try:
            _copy(conn, temp, key)
            if not copy_is_sound(temp, key):
                raise StoreError(key="backup_check_failed", path=temp)
            os.replace(temp, final)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
        fsync_dir(backup_dir)
    except DB_ERRORS as exc:
        raise_friendly(exc, backup_dir)
    except OSError as exc:
        raise StoreError(
            key="backup_write_failed", folder=backup_dir, reason=exc.strerror or exc
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


def _copy(conn: Connection, dest: Path, key: bytes | None) -> None:
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
