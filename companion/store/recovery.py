"""Detect a damaged database at start, keep it aside, and restore the newest backup."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from companion.store.backup import (
    BackupFile,
    is_intact,
    newest_verified_backup,
    parse_backup_name,
)
from companion.store.cipher import (
    connect,
    fsync_dir,
    make_database_private,
    make_private,
    shred,
)
from companion.store.errors import (
    DB_DATABASE_ERRORS,
    DB_ERRORS,
    SQLITE_CORRUPT,
    SQLITE_NOTADB,
    SQLITE_READONLY,
    StoreError,
    StoreFull,
    is_disk_full,
    primary_code,
    raise_friendly,
)
from companion.store.missing_database import (
    find_start_evidence,
    missing_database_error,
)
from companion.store.salvage import merge_readable
from companion.store.search_index_repair import (
    is_search_index_damage,
    rebuild_search_index,
)
from companion.store.wal_check import WalDamage

_SIDE_FILES = ("-wal", "-shm", "-journal")
_SQLITE_ERROR = 1


@dataclass(frozen=True)
class RecoveryReport:
    """What start-up recovery did, worded for the person at the desk."""

    damaged_path: Path
    moved_aside: tuple[Path, ...]  # the damaged file first, then its -wal/-shm
    problem: str
    restored_from: Path | None
    data_as_of: datetime | None  # when the restored backup was taken (UTC)
    # Only the note search index was damaged: rebuilt from the notes, nothing
    # lost, nothing restored; moved_aside then holds an untouched copy (empty
    # if there was no room for one).
    search_index_rebuilt: bool = False
    # The WAL failed its checksums before saves SQLite would have dropped: a
    # copy is kept (moved_aside[0], if there was room); nothing was restored.
    wal_damage: WalDamage | None = None
    # Rows read out of the damaged file and merged over the backup, by table
    # (only tables with any): saves made after the backup that were kept.
    salvaged: Mapping[str, int] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """A short explanation for a dialog."""
        if self.wal_damage is not None:
            kept = (
                f" A copy of it is kept as {self.moved_aside[0]}."
                if self.moved_aside
                else ""
            )
            if self.salvaged:
                return (
                    "The database's write-ahead log was damaged after "
                    f"{self.wal_damage.first_bad_frame - 1} good frames; "
                    f"{sum(self.salvaged.values())} records saved after the "
                    "damage were recovered from it. Check the latest visits."
                    f"{kept}"
                )
            return (
                "The database's write-ahead log was damaged, so the last "
                f"{self.wal_damage.commits_lost} save(s) in it could not be "
                f"read; earlier work is safe.{kept}"
            )
        if self.search_index_rebuilt:
            rebuilt = (
                "The note search index was damaged and has been rebuilt from your "
                "notes; nothing was lost."
            )
            if not self.moved_aside:
                return rebuilt
            copy = self.moved_aside[0]
            return f"{rebuilt} A copy of the file as it was is kept as {copy}."
        kept = f"The damaged file was kept as {self.moved_aside[0]}."
        if self.restored_from is None or self.data_as_of is None:
            return (
                "The database was damaged and no good backup was found, so a new "
                f"empty database was created. {kept}"
            )
        as_of = self.data_as_of.astimezone().strftime("%Y-%m-%d %H:%M")
        if self.salvaged:
            return (
                "The database was damaged and has been restored from the backup "
                f"{self.restored_from.name} ({as_of}), together with "
                f"{sum(self.salvaged.values())} records still readable in the "
                f"damaged file. Check the latest visits. {kept}"
            )
        return (
            "The database was damaged and has been restored from the backup "
            f"{self.restored_from.name}: your data is as of {as_of}. "
            f"Anything entered after that was not recovered. {kept}"
        )


def find_damage(path: Path, key: bytes | None = None) -> str | None:
    """Why the database file is damaged, or None if it is absent or healthy."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    # Read-only, so this look never checkpoints or deletes a -wal file and never
    # changes a byte of a damaged database before it is set aside.
    try:
        rows = _quick_check(path, key, readonly=True)
    except MemoryError:
        # SQLCipher reports some pages that fail their HMAC as out of memory.
        return "a page failed its integrity check (reported as out of memory)"
    except DB_DATABASE_ERRORS as exc:
        if primary_code(exc) != SQLITE_READONLY:
            return _damage_or_raise(exc, path, key)
        # A WAL left by a process killed at the wrong moment needs SQLite's
        # recovery, which a read-only connection may not run: look the way the
        # open that follows will anyway.
        try:
            rows = _quick_check(path, key, readonly=False)
        except DB_DATABASE_ERRORS as again:
            return _damage_or_raise(again, path, key)
    if rows == [("ok",)]:
        return None
    return "; ".join(str(row[0]) for row in rows[:5])


def _quick_check(path: Path, key: bytes | None, readonly: bool) -> list[tuple]:
    conn = connect(path, key, readonly=readonly)
    try:
        return conn.execute("PRAGMA quick_check").fetchall()
    finally:
        conn.close()


def _damage_or_raise(exc: Exception, path: Path, key: bytes | None) -> str:
    """Why a failed check means damage; raises the friendly error if it does not."""
    if primary_code(exc) in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return str(exc)
    if key is not None and primary_code(exc) == _SQLITE_ERROR:
        # SQLCipher reports a page that fails its HMAC as a generic error.
        return f"a page failed its integrity code ({exc})"
    # Busy, read-only and the like are not damage: never move a good file.
    raise_friendly(exc, path)


def _aside_names(path: Path, stamp: datetime) -> list[tuple[Path, Path]]:
    """(file, its name aside) for the database and each side file it has.

    The names are <name>.damaged-<stamp>[-n] plus the side file's suffix, the
    first n that is free.
    """
    base = path.with_name(f"{path.name}.damaged-{stamp:%Y%m%d-%H%M%S}")
    n = 1
    while base.exists():
        n += 1
        base = base.with_name(f"{path.name}.damaged-{stamp:%Y%m%d-%H%M%S}-{n}")
    pairs = [(path, base)]
    for suffix in _SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            pairs.append((side, base.with_name(base.name + suffix)))
    return pairs


def set_aside(path: Path, stamp: datetime) -> tuple[Path, ...]:
    """Rename the database and its side files to <name>.damaged-<stamp>; no deletes."""
    pairs = _aside_names(path, stamp)
    for source, target in pairs:
        os.replace(source, target)
    return tuple(target for _, target in pairs)


def keep_copy(path: Path, stamp: datetime) -> list[tuple[Path, Path]]:
    """Copy the database and its side files to <name>.damaged-<stamp>, untouched.

    For a repair in place: the copy is the file as it was, for whoever looks
    into why, and what put_back restores if the repair does not hold. Private
    (0600) like the database, and on disk before the repair. Returns (file, its
    copy) pairs; if any copy fails, none is left behind and OSError is raised.
    """
    pairs = _aside_names(path, stamp)
    try:
        for source, target in pairs:
            shutil.copyfile(source, target)
        copies = [target for _, target in pairs]
        make_private(*copies)
        for copy in copies:
            with open(copy, "rb+") as handle:
                os.fsync(handle.fileno())
    except OSError:
        for _, target in pairs:
            target.unlink(missing_ok=True)
        raise
    return pairs


def put_back(path: Path, pairs: list[tuple[Path, Path]]) -> None:
    """Undo a repair: the untouched copies replace the files they were made from."""
    copied = {source for source, _ in pairs}
    for suffix in _SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side not in copied:
            side.unlink(missing_ok=True)  # the repair's own, e.g. a new -wal
    for source, copy in pairs:
        os.replace(copy, source)


def restoring_path(dest: Path) -> Path:
    """Where a restore copies the backup before it takes the database's place."""
    return dest.with_name(f".{dest.name}.restoring")


def journal_path(dest: Path) -> Path:
    """The restore journal: present from a complete copy until it is in place."""
    return dest.with_name(f"{dest.name}.restore-journal")


def restore(
    backup: Path,
    dest: Path,
    key: bytes | None = None,
    *,
    now: datetime | None = None,
    problem: str = "",
    merge_from: Path | None = None,
) -> tuple[tuple[Path, ...], dict[str, int]]:
    """Put a backup in the database's place; (where the old files went, salvage).

    With merge_from (the damaged database itself), its readable rows are first
    merged into the copy by id (salvage.merge_readable), so the saves made
    since the backup survive damage to a few pages; the counts of rows so
    recovered are returned. If the merge fails, or its result fails the
    integrity check, the plain backup is put in place instead.

    Journaled, so a kill at any point leaves, for the next start, either the
    database as it was or the restored copy, never neither: the backup is
    copied and synced first (the database untouched; a full disk stops here),
    then a journal naming the copy and the names the old files go to is
    synced, then the old files move aside and the copy takes their place,
    then the journal goes. resume_restore finishes a journaled restore.
    With a key, both the backup and the restored file are encrypted with it.
    """
    stamp = datetime.now(UTC) if now is None else now
    salvaged: dict[str, int] = {}
    temp = restoring_path(dest)
    _copy_backup(backup, temp, key)
    if merge_from is not None:
        salvaged = _merge_into(merge_from, backup, temp, key)
    pairs = _aside_names(dest, stamp) if dest.exists() else []
    taken = parse_backup_name(backup)
    _write_journal(
        dest,
        {
            "backup": str(backup),
            "taken": None if taken is None else taken.taken.isoformat(),
            "problem": problem,
            "aside": [[str(a), str(b)] for a, b in pairs],
            "salvaged": salvaged,
        },
    )
    return _finish_restore(dest, pairs), salvaged


def _merge_into(
    damaged: Path, backup: Path, temp: Path, key: bytes | None
) -> dict[str, int]:
    """Merge what can be read of damaged into temp; {} (and a clean copy) if not."""
    try:
        report = merge_readable(damaged, temp, key)
        if is_intact(temp, key) and _foreign_keys_hold(temp, key):
            return {table: n for table, n in report.copied.items() if n}
    except (*DB_ERRORS, MemoryError):
        pass
    _copy_backup(backup, temp, key)
    return {}


def _foreign_keys_hold(path: Path, key: bytes | None) -> bool:
    conn = connect(path, key, readonly=True)
    try:
        return conn.execute("PRAGMA foreign_key_check").fetchone() is None
    finally:
        conn.close()


def _copy_backup(backup: Path, temp: Path, key: bytes | None) -> None:
    for leftover in (temp, temp.with_name(temp.name + "-journal")):
        leftover.unlink(missing_ok=True)
    try:
        source = connect(backup, key, readonly=True)
        try:
            target = connect(temp, key)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
    except (*DB_ERRORS, OSError) as exc:
        temp.unlink(missing_ok=True)
        temp.with_name(temp.name + "-journal").unlink(missing_ok=True)
        if is_disk_full(exc):
            raise StoreFull(
                key="restore_disk_full", backup=backup.name, folder=temp.parent
            ) from exc
        raise StoreError(
            key="restore_failed", backup=backup.name, reason=_reason(exc)
        ) from exc


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)


def _write_journal(dest: Path, entry: dict[str, object]) -> None:
    journal = journal_path(dest)
    temp = journal.with_name(f".{journal.name}.partial")
    with open(temp, "w", encoding="utf-8") as out:
        json.dump(entry, out)
        out.flush()
        os.fsync(out.fileno())
    make_private(temp)
    os.replace(temp, journal)
    fsync_dir(dest.parent)


def _finish_restore(dest: Path, pairs: list[tuple[Path, Path]]) -> tuple[Path, ...]:
    """The journaled steps after the copy; each is safe to run twice."""
    temp = restoring_path(dest)
    moved = []
    for source, target in pairs:
        if source.exists() and not target.exists():
            os.replace(source, target)
        if target.exists():
            moved.append(target)
    if temp.exists():
        for suffix in _SIDE_FILES:  # anything left would be replayed onto it
            side = dest.with_name(dest.name + suffix)
            if side.exists():
                os.replace(side, side.with_name(f"{side.name}.stale"))
        os.replace(temp, dest)
        fsync_dir(dest.parent)
    make_database_private(dest)
    journal_path(dest).unlink(missing_ok=True)
    fsync_dir(dest.parent)
    return tuple(moved)


def resume_restore(dest: Path) -> RecoveryReport | None:
    """Finish a restore a kill interrupted, and say so; None if there was none.

    A copy without a journal was never complete: it is shredded (it may be a
    plain backup's copy) and the database, untouched, is checked as usual.
    """
    journal = journal_path(dest)
    try:
        entry = json.loads(journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if dest.exists() and dest.stat().st_size:
            # The database is there: the copy is a half-made one beside it.
            for leftover in (restoring_path(dest), _journal_of(restoring_path(dest))):
                shred(leftover)
        return None
    except (OSError, ValueError):
        entry = None
    if not restoring_path(dest).exists() and not dest.exists():
        return None  # leave the journal as evidence: nothing to put in place
    if not isinstance(entry, dict):
        journal.unlink(missing_ok=True)  # unreadable: written only in part
        return None
    # The copy waiting, or already in place (killed before the journal went):
    # either way the steps left are done, and the person told of the restore.
    pairs = [(Path(a), Path(b)) for a, b in entry.get("aside", [])]
    moved = _finish_restore(dest, pairs)
    taken = entry.get("taken")
    return RecoveryReport(
        damaged_path=dest,
        moved_aside=moved,
        problem=str(entry.get("problem", "")),
        restored_from=Path(str(entry["backup"])),
        data_as_of=None if taken is None else datetime.fromisoformat(taken),
        salvaged=dict(entry.get("salvaged", {})),
    )


def _journal_of(path: Path) -> Path:
    return path.with_name(path.name + "-journal")


def recover(
    path: Path, backup_dir: Path, now: datetime, key: bytes | None = None
) -> RecoveryReport | None:
    """If the database is damaged, restore the newest backup; else return None.

    Damage confined to the note search index is repaired in place instead
    (after keeping a copy): restoring a backup would lose the notes saved since.
    With no verified backup the damaged file is set aside and MissingDatabase
    raised: the person at the desk chooses between its salvage and an empty
    database, never the program alone.
    """
    problem = find_damage(path, key)
    if problem is None:
        return None
    if is_search_index_damage(problem):
        report = _rebuild_search_index(path, key, now, problem)
        if report is not None:
            return report
    chosen: BackupFile | None = newest_verified_backup(backup_dir, key)
    if chosen is None:
        set_aside(path, now)
        findings = find_start_evidence(path, backup_dir, key)
        assert findings is not None  # the database was just moved aside
        raise missing_database_error(findings)
    moved, salvaged = restore(
        chosen.path, path, key, now=now, problem=problem, merge_from=path
    )
    return RecoveryReport(
        damaged_path=path,
        moved_aside=moved,
        problem=problem,
        restored_from=chosen.path,
        data_as_of=chosen.taken,
        salvaged=salvaged,
    )


def _rebuild_search_index(
    path: Path, key: bytes | None, now: datetime, problem: str
) -> RecoveryReport | None:
    """Repair damage confined to the search index; None if it did not hold.

    The file is copied first. Without room for a copy the index is rebuilt
    anyway: it is derived from the notes, and the alternative, restoring a
    backup, would lose the notes saved since. If the repair fails or the
    check still finds damage, the untouched copy is put back, so the caller
    sets aside exactly the file it found.
    """
    try:
        pairs = keep_copy(path, now)
    except OSError:
        pairs = []
    try:
        rebuild_search_index(path, key)
        repaired = find_damage(path, key) is None
    except DB_ERRORS:
        repaired = False
    if repaired:
        copies = tuple(copy for _, copy in pairs)
        return RecoveryReport(path, copies, problem, None, None, True)
    if pairs:
        put_back(path, pairs)
    return None
