"""Errors a user can cause in the store, each with a message fit to show them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlcipher3 import dbapi2 as _sqlcipher

from companion.core.records import InvalidInput

__all__ = [
    "InvalidInput",
    "StoreBusy",
    "StoreCorrupt",
    "StoreError",
    "StoreFull",
    "StoreLocked",
    "StoreReadOnly",
    "translate",
]

# The stdlib driver opens plain files, SQLCipher's encrypted ones; catch both.
DB_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, _sqlcipher.Error)
DB_DATABASE_ERRORS: tuple[type[Exception], ...] = (
    sqlite3.DatabaseError,
    _sqlcipher.DatabaseError,
)
DB_INTEGRITY_ERRORS: tuple[type[Exception], ...] = (
    sqlite3.IntegrityError,
    _sqlcipher.IntegrityError,
)

# Primary result codes (the low byte of an extended code), from sqlite3.h.
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26


class StoreError(Exception):
    """Something outside the program stopped the store; the message says what."""


class StoreLocked(StoreError):
    """Another Spine Companion window already has this database open."""


class StoreReadOnly(StoreError):
    """The database file or its folder cannot be written."""


class StoreFull(StoreError):
    """The disk (or the database's size limit) is full."""


class StoreBusy(StoreError):
    """Another program holds a lock on the database file."""


class StoreCorrupt(StoreError):
    """The database file is damaged; reopening recovers from the newest backup."""


def primary_code(exc: Exception) -> int | None:
    """The primary SQLite result code of an error, or None if it carries none."""
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def translate(exc: Exception, path: Path | str) -> StoreError | None:
    """The user-facing error for an SQLite failure, or None for a programming error."""
    code = primary_code(exc)
    if code == SQLITE_FULL:
        return StoreFull(
            "The disk is full, so the last change was not saved. Free some space "
            f"on the drive holding {path}, then save again; earlier work is safe."
        )
    if code == SQLITE_READONLY:
        return StoreReadOnly(
            f"The database folder is read-only ({path}), so changes cannot be "
            "saved. Ask for write permission or move the database, then try again."
        )
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return StoreBusy(
            f"Another program is using the database ({path}). Close it (a backup "
            "or sync tool, or a database viewer), then save again."
        )
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return StoreCorrupt(
            f"The database file is damaged ({path}). Restart Spine Companion to "
            "restore it from the newest backup."
        )
    if code == SQLITE_CANTOPEN:
        return StoreReadOnly(
            f"The database cannot be opened for writing ({path}). Check that the "
            "folder exists and can be written, then try again."
        )
    if code == SQLITE_IOERR:
        return StoreError(
            f"The disk reported an error while saving to {path}. Check the drive, "
            "then save again; earlier work is safe."
        )
    return None
