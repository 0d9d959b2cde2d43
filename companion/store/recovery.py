"""Detect a damaged database at start, keep it aside, and restore the newest backup."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from companion.store.backup import BackupFile, newest_verified_backup
from companion.store.cipher import connect, make_database_private, make_private
from companion.store.errors import (
    DB_DATABASE_ERRORS,
    DB_ERRORS,
    SQLITE_CORRUPT,
    SQLITE_NOTADB,
    primary_code,
    raise_friendly,
)
from companion.store.search_index_repair import (
    is_search_index_damage,
    rebuild_search_index,
)

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

    @property
    def message(self) -> str:
        """A short explanation for a dialog."""
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
    conn = connect(path, key, readonly=True)
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except DB_DATABASE_ERRORS as exc:
        if primary_code(exc) in (SQLITE_CORRUPT, SQLITE_NOTADB):
            return str(exc)
        if key is not None and primary_code(exc) == _SQLITE_ERROR:
            # SQLCipher reports a page that fails its HMAC as a generic error.
            return f"a page failed its integrity code ({exc})"
        # Busy, read-only and the like are not damage: never move a good file.
        raise_friendly(exc, path)
    finally:
        conn.close()
    if rows == [("ok",)]:
        return None
    return "; ".join(str(row[0]) for row in rows[:5])


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


def restore(backup: Path, dest: Path, key: bytes | None = None) -> None:
    """Copy a backup into place with the backup API (the file is never half-written).

    With a key, both the backup and the restored file are encrypted with it.
    """
    temp = dest.with_name(f".{dest.name}.restoring")
    temp.unlink(missing_ok=True)
    source = connect(backup, key, readonly=True)
    target = connect(temp, key)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    with open(temp, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(temp, dest)
    make_database_private(dest)


def recover(
    path: Path, backup_dir: Path, now: datetime, key: bytes | None = None
) -> RecoveryReport | None:
    """If the database is damaged, set it aside and restore; else return None.

    Damage confined to the note search index is repaired in place instead
    (after keeping a copy): restoring a backup would lose the notes saved since.
    """
    problem = find_damage(path, key)
    if problem is None:
        return None
    if is_search_index_damage(problem):
        report = _rebuild_search_index(path, key, now, problem)
        if report is not None:
            return report
    moved = set_aside(path, now)
    chosen: BackupFile | None = newest_verified_backup(backup_dir, key)
    if chosen is not None:
        restore(chosen.path, path, key)
    return RecoveryReport(
        damaged_path=path,
        moved_aside=moved,
        problem=problem,
        restored_from=None if chosen is None else chosen.path,
        data_as_of=None if chosen is None else chosen.taken,
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
