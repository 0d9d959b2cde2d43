"""Start-up's recovery steps, and the choices offered when the database is missing.

prepare_start runs at every open, under the instance lock, before anything
reads the database: it finishes a restore or an upgrade a kill interrupted,
removes our half-made copies, and refuses to start empty beside earlier data
(MissingDatabase). The interface then calls one of restore_from_backup,
salvage or start_empty_confirmed, and opens the store again.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from companion.store.backup import (
    finish_backup_encryption,
    is_intact,
    remove_partial_backups,
)
from companion.store.cipher import (
    connect,
    finish_encryption,
    fsync_dir,
    make_database_private,
    shred,
)
from companion.store.errors import DB_ERRORS, StoreError
from companion.store.lock import InstanceLock
from companion.store.missing_database import refuse_to_start_empty
from companion.store.recovery import RecoveryReport, restore, resume_restore
from companion.store.salvage import SalvageReport, copy_readable, merge_readable
from companion.store.search_index_repair import rebuild_search_index
from companion.store.wal_check import check_wal, repaired_wal

# Typed to start an empty clinic beside earlier data (any case, either language).
EMPTY_CONFIRMATIONS: frozenset[str] = frozenset({"EMPTY", "VACÍA", "VACIA"})
_SIDE_FILES = ("-wal", "-shm", "-journal")


def prepare_start(
    path: Path, backup_dir: Path, key: bytes | None
) -> RecoveryReport | None:
    """Finish interrupted recovery steps, then refuse an unexplained empty start.

    Returns the report of a restore a kill interrupted and this call finished
    (the person at the desk must still hear of it), else None. Raises
    MissingDatabase when the database is missing or 0 bytes beside backups,
    damaged copies or leftovers of ours.
    """
    if path.is_dir():
        raise StoreError(key="database_is_folder", path=path)
    remove_partial_backups(backup_dir)
    resumed = resume_restore(path)
    if key is not None:
        finish_encryption(path, key)
        finish_backup_encryption(backup_dir, key)
    refuse_to_start_empty(path, backup_dir, key)
    # Before anything opens the database: SQLite's replay would drop the frames.
    wal = check_wal(path, datetime.now(UTC))
    if resumed is None and wal is not None:
        copies = () if wal.copy is None else (wal.copy,)
        problem = f"WAL frame {wal.first_bad_frame} fails its checksum"
        saved = _rows_after_wal_damage(path, key)
        return RecoveryReport(
            path, copies, problem, None, None, wal_damage=wal, salvaged=saved
        )
    return resumed


def _rows_after_wal_damage(path: Path, key: bytes | None) -> dict[str, int]:
    """Merge into the database the rows the WAL's sound later transactions hold.

    A copy of the database gets the WAL without its damaged transactions
    (wal_check.repaired_wal); SQLite replays that, and every row it can read
    is merged into the real database by id, as after page damage. The real
    file only ever receives whole rows, in one checked transaction. Counts of
    rows recovered, by table; {} when the copy does not hold together.
    """
    work = path.with_name(f".{path.name}.walrepair")
    copy = work / path.name
    try:
        work.mkdir(exist_ok=True)
        repaired = repaired_wal(path.with_name(path.name + "-wal"))
        if repaired is None:
            return {}
        shutil.copyfile(path, copy)
        copy.with_name(copy.name + "-wal").write_bytes(repaired)
        if not is_intact(copy, key):
            return {}
        report = merge_readable(copy, path, key)
        return {table: n for table, n in report.copied.items() if n}
    except (*DB_ERRORS, MemoryError, OSError):
        return {}
    finally:
        for leftover in work.glob("*") if work.is_dir() else ():
            shred(leftover)
        with contextlib.suppress(OSError):
            work.rmdir()


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    lock = InstanceLock(path)
    lock.acquire()
    try:
        yield
    finally:
        lock.release()


def restore_from_backup(
    path: Path, backup: Path, key: bytes | None = None
) -> tuple[Path, ...]:
    """The default choice: put a verified backup in place (journaled, see restore).

    Returns where the old files went (a 0-byte database and the like).
    """
    with _locked(path):
        if not is_intact(backup, key):
            raise StoreError(
                key="restore_failed", backup=backup.name, reason="integrity check"
            )
        moved, _ = restore(backup, path, key, problem="missing database")
        return moved


def _set_side_files_aside(path: Path, stamp: datetime) -> list[Path]:
    """Keep a lone -wal/-shm/-journal out of the way of a new database file.

    SQLite would replay a WAL left beside a new file onto it; it may hold saves,
    so it is kept under another name, never deleted.
    """
    kept = []
    for suffix in _SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            target = side.with_name(f"{side.name}.kept-{stamp:%Y%m%d-%H%M%S}")
            os.replace(side, target)
            kept.append(target)
    return kept


def start_empty_confirmed(path: Path, typed: str, key: bytes | None = None) -> None:
    """Make a new, empty database after the person typed the confirmation word.

    Backups, damaged copies and leftovers stay where they are: starting empty
    deletes nothing, and rotation keeps the last backup with more records.
    """
    if typed.strip().upper() not in EMPTY_CONFIRMATIONS:
        raise StoreError(key="empty_not_confirmed")
    with _locked(path):
        if path.exists() and path.stat().st_size:
            return  # a database appeared meanwhile: nothing to start
        path.unlink(missing_ok=True)
        _set_side_files_aside(path, datetime.now(UTC))
        conn = connect(path, key, isolation_level=None)
        try:
            # A schema change writes page 1, so the file is no longer 0 bytes:
            # the next open sees a database and the migrations fill it in.
            conn.execute("CREATE TABLE started_empty (at TEXT)")
            conn.execute("DROP TABLE started_empty")
        finally:
            conn.close()
        with open(path, "rb+") as handle:
            os.fsync(handle.fileno())
        fsync_dir(path.parent)
        make_database_private(path)


def salvage(damaged: Path, path: Path, key: bytes | None = None) -> SalvageReport:
    """Copy every readable row of a damaged file into a new database at path.

    For the choice "open the damaged copy's salvage": the damaged file is only
    read. Tables are read row by row in rowid order; at an unreadable spot the
    read starts again past it. The schema is made first, the rows copied, then
    the indexes and triggers, and the note search index rebuilt from the notes.
    """
    with _locked(path):
        if path.exists() and path.stat().st_size:
            raise StoreError(key="salvage_failed", path=damaged, reason="in use")
        temp = path.with_name(f".{path.name}.salvaging")
        for leftover in (temp, temp.with_name(temp.name + "-journal")):
            shred(leftover)
        try:
            report = copy_readable(damaged, temp, key)
        except DB_ERRORS as exc:
            shred(temp)
            raise StoreError(
                key="salvage_failed", path=damaged, reason=str(exc)
            ) from exc
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        path.unlink(missing_ok=True)
        _set_side_files_aside(path, datetime.now(UTC))
        os.replace(temp, path)
        fsync_dir(path.parent)
        make_database_private(path)
        rebuild_search_index(path, key)
        return report
