"""Refuse to start an empty clinic when backups or our leftovers show earlier data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from companion.store.backup import list_backups, newest_verified_backup, record_counts
from companion.store.cipher import connect
from companion.store.errors import DB_ERRORS, StoreError


@dataclass(frozen=True)
class BackupSummary:
    """A verified backup offered for restoring, with what it holds."""

    path: Path
    taken: datetime  # UTC
    records: Mapping[str, int] = field(default_factory=dict)  # table → rows

    @property
    def total(self) -> int:
        """Patients, visits and note revisions together."""
        return sum(self.records.values())


@dataclass(frozen=True)
class StartFindings:
    """What lies beside a missing or 0-byte database: signs it held data."""

    database: Path
    empty_file: bool  # the database exists but has 0 bytes
    newest_backup: BackupSummary | None  # newest that passes integrity_check
    backups: tuple[Path, ...]  # every backup file, verified or not
    damaged: tuple[Path, ...]  # <name>.damaged-* copies (not their -wal/-shm)
    leftovers: tuple[Path, ...]  # half-finished restores, upgrades, a lone WAL

    @property
    def found_anything(self) -> bool:
        """False only on a true first start."""
        return bool(self.backups or self.damaged or self.leftovers)

    def summary(self) -> str:
        """One line for the English message: counts of what was found."""
        parts = []
        if self.backups:
            parts.append(f"{len(self.backups)} backup(s)")
        if self.damaged:
            parts.append(f"{len(self.damaged)} damaged copy(ies)")
        if self.leftovers:
            parts.append(f"{len(self.leftovers)} unfinished recovery file(s)")
        return ", ".join(parts)


class MissingDatabase(StoreError):
    """The database is missing or empty beside earlier data; nothing was changed.

    .findings says what was found. The interface offers the choices of
    companion.store.start_choices: restore the newest verified backup (the
    default), salvage a damaged copy, or start empty after a typed confirmation.
    """

    findings: StartFindings


def missing_database_error(findings: StartFindings) -> MissingDatabase:
    """The exception for findings, worded for the person at the desk."""
    error = MissingDatabase(
        key="missing_database", path=findings.database, found=findings.summary()
    )
    error.findings = findings
    return error


def _ours_beside(path: Path) -> list[Path]:
    """Leftovers of our own recovery and upgrade steps beside the database."""
    name = path.name
    prefixes = (
        f".{name}.restoring",
        f".{name}.encrypting",
        f".{name}.salvaging",
        f"{name}.plain-before-encryption",
        f"{name}.restore-journal",
    )
    found = [
        p
        for p in sorted(path.parent.iterdir())
        if p.is_file() and p.name.startswith(prefixes)
    ]
    wal = path.with_name(name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        found.append(wal)  # a WAL holds saves even without its database
    return found


def _ours_in_backups(backup_dir: Path) -> list[Path]:
    """Plain or half-encrypted backup copies our upgrade leaves while it runs."""
    if not backup_dir.is_dir():
        return []
    return [
        p
        for p in sorted(backup_dir.iterdir())
        if p.name.startswith(".companion-")
        and p.name.endswith((".db.plain", ".db.encrypting"))
    ]


def _damaged_copies(path: Path) -> list[Path]:
    prefix = f"{path.name}.damaged-"
    return [
        p
        for p in sorted(path.parent.iterdir())
        if p.is_file()
        and p.name.startswith(prefix)
        and not p.name.endswith(("-wal", "-shm", "-journal"))
    ]


def backup_records(path: Path, key: bytes | None) -> dict[str, int]:
    """Row counts of a backup's record tables; empty if it cannot be read."""
    try:
        conn = connect(path, key, readonly=True)
    except DB_ERRORS:
        return {}
    try:
        return record_counts(conn)
    except DB_ERRORS:
        return {}
    finally:
        conn.close()


def find_start_evidence(
    path: Path, backup_dir: Path, key: bytes | None
) -> StartFindings | None:
    """What lies beside the database if it is missing or 0 bytes; None if present."""
    empty_file = path.exists() and path.stat().st_size == 0
    if path.exists() and not empty_file:
        return None
    backups = tuple(b.path for b in list_backups(backup_dir))
    newest = newest_verified_backup(backup_dir, key) if backups else None
    summary = None
    if newest is not None:
        records = backup_records(newest.path, key)
        summary = BackupSummary(newest.path, newest.taken, records)
    leftovers = _ours_beside(path) + _ours_in_backups(backup_dir)
    return StartFindings(
        path,
        empty_file,
        summary,
        backups,
        tuple(_damaged_copies(path)),
        tuple(leftovers),
    )


def refuse_to_start_empty(path: Path, backup_dir: Path, key: bytes | None) -> None:
    """Raise MissingDatabase unless the database is there or this is a first start.

    A first start is one with no database, no backup and no leftover of ours.
    """
    findings = find_start_evidence(path, backup_dir, key)
    if findings is not None and findings.found_anything:
        raise missing_database_error(findings)
