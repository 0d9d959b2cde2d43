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
from companion.store.cipher import (
    Connection,
    connect,
    export_encrypted,
    fsync_dir,
    is_plain_database,
    make_private,
    shred,
)
from companion.store.errors import (
    DB_ERRORS,
    StoreError,
    StoreFull,
    is_disk_full,
    raise_friendly,
)

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
# The tables whose rows are the clinic's records, for "holds more records than".
RECORD_TABLES: tuple[str, ...] = ("patients", "visits", "note_revisions")
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
            # The copy's own rollback journal too: a full disk can leave it.
            for leftover in (temp, temp.with_name(temp.name + "-journal")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
        _copy_keyinfo(conn, backup_dir)
        fsync_dir(backup_dir)
    except (*DB_ERRORS, OSError) as exc:
        if is_disk_full(exc):
            raise StoreFull(key="backup_disk_full", folder=backup_dir) from exc
        if not isinstance(exc, OSError):
            raise_friendly(exc, backup_dir)
        raise StoreError(
            key="backup_write_failed", folder=backup_dir, reason=exc.strerror or exc
        ) from exc
    rotate(backup_dir, kind, current_records=_total(record_counts(conn)), key=key)
    return final


def _copy_keyinfo(conn: Connection, backup_dir: Path) -> None:
    """Keep the database's <name>.keyinfo beside its backups (no key inside).

    Without it an encrypted backup cannot be opened by passphrase (the salt is
    there), and a lost keyinfo beside the database can be found again.
    """
    rows = conn.execute("PRAGMA database_list").fetchall()
    main = next((Path(row[2]) for row in rows if row[1] == "main" and row[2]), None)
    if main is None:
        return
    source = main.with_name(main.name + ".keyinfo")
    if not source.exists():
        return
    target = backup_dir / source.name
    temp = backup_dir / f".{source.name}.partial"
    temp.write_bytes(source.read_bytes())
    make_private(temp)
    os.replace(temp, target)


def record_counts(conn: Connection) -> dict[str, int]:
    """Rows in each record table the database has (patients, visits, notes)."""
    present = {
        name
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
    }
    counts = {}
    for table in RECORD_TABLES:
        if table in present:
            (counts[table],) = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    return counts


def _total(counts: dict[str, int]) -> int:
    return sum(counts.values())


def _records_in(path: Path, key: bytes | None) -> int:
    """Total records of a backup file, or -1 if it cannot be read."""
    try:
        conn = connect(path, key, readonly=True)
    except DB_ERRORS:
        return -1
    try:
        return _total(record_counts(conn))
    except DB_ERRORS:
        return -1
    finally:
        conn.close()


def rotate(
    backup_dir: Path,
    kind: str,
    keep: int | None = None,
    *,
    current_records: int | None = None,
    key: bytes | None = None,
) -> list[Path]:
    """Delete the oldest backups of one kind beyond the keep count; return them.

    With current_records (the database's total records), the newest verified
    backup holding more records than that is never deleted: after the
    database went missing or was emptied, rotation must not erase the last
    good copy of the clinic.
    """
    limit = KEEP[kind] if keep is None else keep
    removed = [b.path for b in list_backups(backup_dir, kind)[limit:]]
    if removed and current_records is not None:
        keeper = _last_fuller_backup(backup_dir, removed, current_records, key)
        removed = [path for path in removed if path != keeper]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def _last_fuller_backup(
    backup_dir: Path, removable: list[Path], current: int, key: bytes | None
) -> Path | None:
    """The newest verified backup with more records than current, if removable.

    Counted only when a backup about to go holds more than the database: in
    the usual case (the database has the most) that is one count per rotation.
    """
    if not any(_records_in(path, key) > current for path in removable):
        return None
    for backup in list_backups(backup_dir):
        if _records_in(backup.path, key) > current and is_intact(backup.path, key):
            return backup.path if backup.path in removable else None
    return None


def encrypt_plain_backups(backup_dir: Path, key: bytes) -> list[Path]:
    """Encrypt every plain backup in the folder in place (same name); return them.

    Each step is a rename, so a kill leaves either the plain backup under its
    name or the encrypted one; finish_backup_encryption picks up after a kill.
    """
    done: list[Path] = []
    for backup in list_backups(backup_dir):
        if not is_plain_database(backup.path):
            continue
        temp = backup.path.with_name(f".{backup.path.name}.encrypting")
        export_encrypted(backup.path, temp, key)
        plain_aside = backup.path.with_name(f".{backup.path.name}.plain")
        os.replace(backup.path, plain_aside)
        os.replace(temp, backup.path)
        fsync_dir(backup_dir)
        shred(plain_aside)
        done.append(backup.path)
    return done


def finish_backup_encryption(backup_dir: Path, key: bytes) -> list[Path]:
    """Resume an upgrade a kill cut short, then encrypt any plain backup left.

    A hidden .<name>.plain whose backup is gone goes back under its name (it
    is complete: it was renamed whole) and is encrypted again; one whose
    encrypted backup exists is shredded. A half-written .<name>.encrypting is
    only ever encrypted data, removed all the same.
    """
    if not backup_dir.is_dir():
        return []
    for leftover in sorted(backup_dir.glob(".companion-*.db.plain")):
        backup = leftover.with_name(leftover.name[1 : -len(".plain")])
        if backup.exists():
            shred(leftover)
        else:
            os.replace(leftover, backup)
    for leftover in sorted(backup_dir.glob(".companion-*.db.encrypting*")):
        shred(leftover)
    fsync_dir(backup_dir)
    return encrypt_plain_backups(backup_dir, key)


def remove_partial_backups(backup_dir: Path) -> list[Path]:
    """Shred the half-made copies a killed backup leaves (.<name>.partial[-journal]).

    Only at start, under the instance lock: no backup of ours is running then.
    """
    if not backup_dir.is_dir():
        return []
    found = sorted(backup_dir.glob(".companion-*.db.partial*"))
    for leftover in found:
        shred(leftover)
    return found


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
