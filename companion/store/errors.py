"""Errors a user can cause in the store, each with a message fit to show them."""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import NoReturn

from sqlcipher3 import dbapi2 as _sqlcipher

from companion.core.records import InvalidInput

__all__ = [
    "MESSAGES",
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


# The English sentence of every user-facing store error, by message key. The
# interface shows the same keys in the user's language from the strings files
# ([store_error] in assets/i18n/<lang>.toml), which the store never reads; a
# test keeps en.toml word for word the same as this table.
MESSAGES: Mapping[str, str] = {
    "closed": "The database is closed.",
    "disk_full": (
        "The disk is full, so the last change was not saved. Free some space "
        "on the drive holding {path}, then save again; earlier work is safe."
    ),
    "read_only": (
        "The database folder is read-only ({path}), so changes cannot be "
        "saved. Ask for write permission or move the database, then try again."
    ),
    "busy": (
        "Another program is using the database ({path}). Close it (a backup "
        "or sync tool, or a database viewer), then save again."
    ),
    "damaged": (
        "The database file is damaged ({path}). Restart Spine Companion to "
        "restore it from the newest backup."
    ),
    "cannot_open": (
        "The database cannot be opened for writing ({path}). Check that the "
        "folder exists and can be written, then try again."
    ),
    "disk_error": (
        "The disk reported an error while saving to {path}. Check the drive, "
        "then save again; earlier work is safe."
    ),
    "already_open": (
        "Spine Companion is already open on this database ({path}). Close the "
        "other window first."
    ),
    "folder_read_only": (
        "The database folder is read-only ({folder}), so Spine Companion "
        "cannot save. Ask for write permission or move the database, then "
        "start again."
    ),
    "folder_not_creatable": (
        "The database folder is read-only ({folder}), so it cannot be created. "
        "Choose a folder you can write to."
    ),
    "unsafe_setting": (
        "The database could not be made safe to write: {name} is {actual} "
        "instead of {wanted}. Move it to a local disk."
    ),
    "key_not_here": (
        "The database ({path}) is encrypted and its key is not available here."
    ),
    "wrong_key": (
        "The database ({path}) could not be unlocked: the key or passphrase "
        "does not match it."
    ),
    "encrypt_mismatch": (
        "Encrypting {name} did not produce an identical copy; the original was "
        "left untouched."
    ),
    "backup_check_failed": (
        "A backup copy failed its integrity check ({path}); the database itself "
        "was not changed. Check the backup drive."
    ),
    "backup_write_failed": "Could not write a backup to {folder}: {reason}.",
    "backup_disk_full": (
        "The drive holding the backups ({folder}) is full, so no backup was "
        "made; the database itself was not changed. Free some space there or "
        "choose another backup folder."
    ),
    "keyinfo_unreadable": "The key description {path} cannot be read.",
    "key_not_in_keychain": (
        "The key of this encrypted database is not in this computer's keychain "
        "(entry {entry}…). Sign in as the user who created it, or restore the "
        "keychain, then start again."
    ),
    "unknown_key_method": "Unknown key method {method} in the key description.",
    "keychain_save_failed": "The key could not be saved in the keychain: {reason}",
    "passphrase_too_short": (
        "The passphrase must be at least {count} characters long."
    ),
    "no_passphrase": "No passphrase was given, so the database stays locked.",
    "missing_database": (
        "The database {path} is missing or empty, but earlier records were "
        "found beside it ({found}). Nothing was deleted. Restore the newest "
        "backup, open what can be saved from a damaged copy, or start empty."
    ),
    "restore_failed": (
        "The backup {backup} could not be put in place ({reason}); the "
        "database was left as it was."
    ),
    "restore_disk_full": (
        "The drive holding {folder} is too full to put the backup {backup} in "
        "place; the database was left as it was. Free some space, then try "
        "again."
    ),
    "upgrade_conflict": (
        "An unfinished encryption of {path} was found next to a new file of "
        "the same name; both were kept. Move the new file away, then start "
        "again."
    ),
    "empty_not_confirmed": (
        "The confirmation word was not typed, so no empty database was made."
    ),
    "salvage_failed": "Nothing could be saved from {path}: {reason}.",
    "database_is_folder": (
        "{path} is a folder, not the database file. Rename or move that "
        "folder, then start again; nothing was changed."
    ),
    "note_too_long": (
        "This note is too long to save ({size} characters; the limit is "
        "{limit}). Split it over several sections or visits; the text is kept "
        "on screen."
    ),
    "keyinfo_missing": (
        "The key description {path} is missing and no key in this computer's "
        "keychain opens the database, so no new key was made. Copy {copy} (or "
        "the file from a backup of the data folder) back to {path}, then start "
        "again."
    ),
}


class StoreError(Exception):
    """Something outside the program stopped the store; the message says what.

    Raised as StoreError(key="disk_full", path=...): key names the sentence in
    MESSAGES and the keyword values fill its {placeholders}, so the interface
    can say it in the user's language (error.key, error.params); str(error) is
    the English sentence, for logs and tools. A plain StoreError("text") has no
    key and reads the same in every language.
    """

    def __init__(
        self, message: str = "", /, *, key: str = "", **params: object
    ) -> None:
        # Text only, so the interface can fill any language's sentence with them.
        texts = {name: str(value) for name, value in params.items()}
        if key:
            # An unknown key or a missing value fails here, loudly, in tests.
            message = MESSAGES[key].format(**texts)
        super().__init__(message)
        self.key = key
        self.params = texts


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


# SQLite's own text for a result code (sqlite3_errstr), for the errors that
# arrive without sqlite_errorcode: the drivers' Connection.backup raises them
# bare, so a backup onto a full disk came out as a raw OperationalError.
_CODE_BY_TEXT: Mapping[str, int] = {
    "database or disk is full": SQLITE_FULL,
    "attempt to write a readonly database": SQLITE_READONLY,
    "database is locked": SQLITE_BUSY,
    "database table is locked": SQLITE_LOCKED,
    "database disk image is malformed": SQLITE_CORRUPT,
    "file is not a database": SQLITE_NOTADB,
    "unable to open database file": SQLITE_CANTOPEN,
    "disk I/O error": SQLITE_IOERR,
}


def primary_code(exc: Exception) -> int | None:
    """The primary SQLite result code of an error, or None if it carries none."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return _CODE_BY_TEXT.get(str(exc))
    return code & 0xFF


def is_disk_full(exc: BaseException) -> bool:
    """An SQLite SQLITE_FULL or an OSError ENOSPC/EDQUOT: no room on the drive."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return isinstance(exc, Exception) and primary_code(exc) == SQLITE_FULL


def translate(exc: Exception, path: Path | str) -> StoreError | None:
    """The user-facing error for an SQLite failure, or None for a programming error."""
    code = primary_code(exc)
    if code == SQLITE_FULL:
        return StoreFull(key="disk_full", path=path)
    if code == SQLITE_READONLY:
        return StoreReadOnly(key="read_only", path=path)
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return StoreBusy(key="busy", path=path)
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return StoreCorrupt(key="damaged", path=path)
    if code == SQLITE_CANTOPEN:
        return StoreReadOnly(key="cannot_open", path=path)
    if code == SQLITE_IOERR:
        return StoreError(key="disk_error", path=path)
    return None


def raise_friendly(exc: Exception, path: Path | str) -> NoReturn:
    """Re-raise an SQLite failure as the StoreError a person can act on.

    Call it in the except block; a programming error (no user-facing meaning)
    is re-raised unchanged.
    """
    friendly = translate(exc, path)
    if friendly is None:
        raise exc
    raise friendly from exc
