"""SQLite store for patients, visits and notes; no Qt here."""

from __future__ import annotations

from companion.core.records import Draft, InvalidInput, NoteRevision, Patient, Visit
from companion.store.backup import (
    BackupFile,
    backup_due,
    list_backups,
    make_backup,
    newest_verified_backup,
)
from companion.store.database import Store, default_backup_dir, open_store
from companion.store.errors import (
    StoreBusy,
    StoreCorrupt,
    StoreError,
    StoreFull,
    StoreLocked,
    StoreReadOnly,
)
from companion.store.migrations import MIGRATIONS, Migrations
from companion.store.recovery import RecoveryReport
from companion.store.search import SearchHit

__all__ = [
    "MIGRATIONS",
    "BackupFile",
    "Draft",
    "InvalidInput",
    "Migrations",
    "NoteRevision",
    "Patient",
    "RecoveryReport",
    "SearchHit",
    "Store",
    "StoreBusy",
    "StoreCorrupt",
    "StoreError",
    "StoreFull",
    "StoreLocked",
    "StoreReadOnly",
    "Visit",
    "backup_due",
    "default_backup_dir",
    "list_backups",
    "make_backup",
    "newest_verified_backup",
    "open_store",
]
