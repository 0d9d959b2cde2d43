"""Start-up's recovery steps, and the choices offered when the database is missing.

prepare_start runs at every open, under the instance lock, before anything
reads the database: it finishes a restore or an upgrade a kill interrupted,
removes our half-made copies, and refuses to start empty beside earlier data
(MissingDatabase). The interface then calls one of restore_from_backup,
salvage or start_empty_confirmed, and opens the store again.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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
from companion.store.search_index_repair import rebuild_search_index
from companion.store.wal_check import check_wal

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
        return RecoveryReport(path, copies, problem, None, None, wal_damage=wal)
    return resumed


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
        return restore(backup, path, key, problem="missing database")


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


@dataclass(frozen=True)
class SalvageReport:
    """What a salvage copied out of a damaged file, table by table."""

    source: Path
    copied: dict[str, int] = field(default_factory=dict)  # table → rows saved
    unreadable: dict[str, int] = field(default_factory=dict)  # table → bad spots

    @property
    def total(self) -> int:
        """Rows copied across every table."""
        return sum(self.copied.values())


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
            report = _copy_readable(damaged, temp, key)
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


def _copy_readable(damaged: Path, dest: Path, key: bytes | None) -> SalvageReport:
    source = connect(damaged, key, readonly=True, isolation_level=None)
    target = connect(dest, key, isolation_level=None)
    report = SalvageReport(damaged)
    try:
        schema = source.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master"
            " WHERE sql IS NOT NULL ORDER BY rowid"
        ).fetchall()
        (version,) = source.execute("PRAGMA user_version").fetchone()
        virtual = [n for t, n, _, sql in schema if "VIRTUAL TABLE" in sql.upper()]
        target.execute("BEGIN")
        tables = []
        for kind, name, _, sql in schema:
            if kind != "table" or name.startswith("sqlite_"):
                continue
            if any(name.startswith(f"{v}_") for v in virtual):
                continue  # FTS5's own tables: made by its CREATE VIRTUAL TABLE
            target.execute(sql)
            if name not in virtual:
                tables.append((name, "WITHOUT ROWID" in sql.upper()))
        for name, without_rowid in tables:
            copied, bad = _copy_table(source, target, name, without_rowid)
            report.copied[name] = copied
            if bad:
                report.unreadable[name] = bad
        for kind, _name, _, sql in schema:
            if kind in ("index", "trigger"):
                target.execute(sql)
        target.execute(f"PRAGMA user_version = {int(version)}")
        target.execute("COMMIT")
    finally:
        target.close()
        source.close()
    return report


_MAX_SKIPS = 62  # unreadable spots per table: jumps past 2**62 leave SQLite range


def _copy_table(
    source: object, target: object, name: str, without_rowid: bool
) -> tuple[int, int]:
    """Copy the readable rows of one table; (rows copied, unreadable spots).

    After an error the read resumes past the last rowid read, jumping twice as
    far each time it fails again, so one bad page costs a few rows, not the
    rest of the table. A WITHOUT ROWID table is read once, as far as it goes.
    """
    quoted = _quote(name)
    columns = [row[1] for row in target.execute(f"PRAGMA table_info({quoted})")]  # type: ignore[attr-defined]
    insert = (
        f"INSERT OR IGNORE INTO {quoted} ({', '.join(map(_quote, columns))})"
        f" VALUES ({', '.join('?' * len(columns))})"
    )
    listed = ", ".join(map(_quote, columns))
    copied = bad = 0
    after: int | None = None  # the rowid to read past; None: from the start
    jump = 1
    while True:
        if without_rowid:
            query, args = f"SELECT {listed} FROM {quoted}", ()
        elif after is None:
            query, args = f"SELECT rowid, {listed} FROM {quoted} ORDER BY rowid", ()
        else:
            query = (
                f"SELECT rowid, {listed} FROM {quoted} WHERE rowid > ? ORDER BY rowid"
            )
            args = (after,)
        try:
            for row in source.execute(query, args):  # type: ignore[attr-defined]
                target.execute(insert, row if without_rowid else row[1:])  # type: ignore[attr-defined]
                copied += 1
                if not without_rowid:
                    after, jump = row[0], 1
            return copied, bad
        # SQLCipher reports some pages that fail their HMAC as out of memory.
        except (*DB_ERRORS, MemoryError):
            bad += 1
            if without_rowid or bad > _MAX_SKIPS:
                return copied, bad
            after = (after or 0) + jump
            jump *= 2


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
