"""SQLCipher connections: open encrypted files, encrypt plain ones, shred leftovers."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2 as sqlcipher

from companion.store.errors import DB_ERRORS, StoreError

KEY_BYTES = 32  # AES-256: SQLCipher 4's default page cipher
PLAIN_HEADER = b"SQLite format 3\x00"
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
_SIDE_FILES = ("-wal", "-shm", "-journal")

# Either driver's connection; both follow the DB-API and sqlite3's method names.
Connection = Any


class WrongKey(StoreError):
    """The key (or passphrase) does not open this encrypted database."""


def key_pragma(key: bytes) -> str:
    """The PRAGMA value for a raw 256-bit key (no key derivation: it is random)."""
    if len(key) != KEY_BYTES:
        raise ValueError("a database key is exactly 32 bytes")
    return f"\"x'{key.hex()}'\""


def connect(
    path: Path | str,
    key: bytes | None,
    *,
    readonly: bool = False,
    immutable: bool = False,
    timeout: float = 5.0,
    isolation_level: str | None = "",
    check_same_thread: bool = True,
) -> Connection:
    """A connection to path: SQLCipher with the key, or stdlib sqlite3 without one.

    check_same_thread=False lets a connection opened on one thread be handed to
    another; the caller must still never use it from two threads at once.
    immutable (with readonly) tells SQLite the file cannot change: no lock,
    no -shm, for a file on read-only media with no WAL to replay.
    """
    target = Path(path)
    if readonly:
        name: str = f"{target.resolve().as_uri()}?mode=ro"
        if immutable:
            name += "&immutable=1"
    else:
        name = str(target)
    if not readonly:
        ensure_private_file(target)
    if key is None:
        return sqlite3.connect(
            name,
            uri=readonly,
            timeout=timeout,
            isolation_level=isolation_level,
            check_same_thread=check_same_thread,
        )
    conn = sqlcipher.connect(
        name,
        uri=readonly,
        timeout=timeout,
        isolation_level=isolation_level,
        check_same_thread=check_same_thread,
    )
    try:
        # SQLCipher logs decrypt failures to stderr by default; nothing to tell there.
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = {key_pragma(key)}")
    except BaseException:
        conn.close()
        raise
    return conn


def check_key(conn: Connection, path: Path | str) -> None:
    """Read the schema once: a wrong key fails here, not halfway through a save."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except DB_ERRORS as exc:
        if "not a database" in str(exc):
            raise WrongKey(key="wrong_key", path=path) from exc
        raise


def is_plain_database(path: Path) -> bool:
    """True when the file exists and starts with SQLite's unencrypted header."""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(PLAIN_HEADER)) == PLAIN_HEADER
    except FileNotFoundError:
        return False


def ensure_private_file(path: Path) -> None:
    """Create the file readable by this user only, or narrow an existing one."""
    if os.name == "nt":
        return
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    except OSError:
        return  # a read-only folder is reported by the open that follows
    os.close(fd)
    with contextlib.suppress(OSError):
        os.chmod(path, PRIVATE_FILE)


def make_private(*paths: Path) -> None:
    """chmod 0600 each existing file (0700 for folders) on POSIX."""
    if os.name == "nt":
        return
    for path in paths:
        with contextlib.suppress(OSError):
            os.chmod(path, PRIVATE_DIR if path.is_dir() else PRIVATE_FILE)


def make_database_private(path: Path) -> None:
    """chmod 0600 the database and its -wal/-shm/-journal files."""
    make_private(
        *(p for p in [path, *(_side(path, s) for s in _SIDE_FILES)] if p.exists())
    )


def shred(path: Path) -> None:
    """Overwrite a file with random bytes, flush it, then delete it.

    On SSDs and journaling or copy-on-write filesystems the old blocks may
    survive elsewhere; this still keeps the plain text out of the file system's
    normal view and out of casual undelete tools.
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    with open(path, "r+b") as handle:
        remaining = size
        while remaining > 0:
            chunk = min(remaining, 1 << 20)
            handle.write(os.urandom(chunk))
            remaining -= chunk
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()


def _side(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _table_counts(conn: Connection) -> dict[str, int]:
    names = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    counts = {}
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'
        try:
            (counts[name],) = conn.execute(f"SELECT count(*) FROM {quoted}").fetchone()
        except DB_ERRORS:
            counts[name] = -1  # virtual tables whose module is not loaded
    return counts


def export_encrypted(source: Path, dest: Path, key: bytes) -> None:
    """Write an encrypted copy of the plain database source to dest and verify it."""
    dest.unlink(missing_ok=True)
    ensure_private_file(dest)
    plain = sqlcipher.connect(str(source), isolation_level=None)
    try:
        plain.execute("PRAGMA cipher_log_level = NONE")
        before = _table_counts(plain)
        key_pragma(key)  # checks the length
        plain.execute(
            "ATTACH DATABASE ? AS encrypted KEY ?", (str(dest), f"x'{key.hex()}'")
        )
        plain.execute("SELECT sqlcipher_export('encrypted')")
        (version,) = plain.execute("PRAGMA main.user_version").fetchone()
        plain.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        plain.execute("DETACH DATABASE encrypted")
    finally:
        plain.close()
    check = connect(dest, key, isolation_level=None)
    try:
        check.execute("PRAGMA journal_mode=DELETE")
        rows = check.execute("PRAGMA integrity_check").fetchall()
        after = _table_counts(check)
    finally:
        check.close()
    if rows != [("ok",)] or after != before:
        dest.unlink(missing_ok=True)
        raise StoreError(key="encrypt_mismatch", name=source.name)
    with open(dest, "rb+") as handle:
        os.fsync(handle.fileno())


def _encrypting(path: Path) -> Path:
    return path.with_name(f".{path.name}.encrypting")


def _plain_aside(path: Path) -> Path:
    return path.with_name(f"{path.name}.plain-before-encryption")


def encrypt_in_place(path: Path, key: bytes) -> None:
    """Replace a plain database file with an encrypted copy, losing nothing.

    The copy is verified (integrity check and every table's row count) before
    the swap; the plain original is moved aside first and shredded only after
    the encrypted file has been reopened with the key. The steps are renames
    in a fixed order, so the files present tell finish_encryption where a
    kill stopped it.
    """
    temp = _encrypting(path)
    export_encrypted(path, temp, key)
    fsync_dir(path.parent)
    # From here .encrypting is complete: the rename of the plain file aside is
    # the journal entry that says so.
    _swap_in_encrypted(path, key)


def _swap_in_encrypted(path: Path, key: bytes) -> None:
    temp, aside = _encrypting(path), _plain_aside(path)
    if path.exists():
        if aside.exists():
            # Resuming: the plain original is aside already, so what is here
            # now was made since (an empty file at most); never cover it.
            if path.stat().st_size:
                raise StoreError(key="upgrade_conflict", path=path)
            path.unlink()
        else:
            os.replace(path, aside)
    # The export read through the WAL, so the -wal/-shm belong to the plain file.
    for suffix in _SIDE_FILES:
        side = _side(path, suffix)
        if side.exists():
            os.replace(side, _side(aside, suffix))
    os.replace(temp, path)
    fsync_dir(path.parent)
    _verify_and_shred_plain(path, key)


def finish_encryption(path: Path, key: bytes) -> bool:
    """Finish a plain→encrypted upgrade a kill interrupted; True if one was found.

    With the plain original aside (.plain-before-encryption), the encrypted
    copy was complete: it is put in place if it is not yet, checked with the
    key, and every plain leftover shredded. Without it, the plain original is
    still the database and a half-made .encrypting copy is simply dropped; the
    upgrade then runs again from the start.
    """
    temp, aside = _encrypting(path), _plain_aside(path)
    plain_left = [aside, *(_side(aside, s) for s in _SIDE_FILES)]
    if not aside.exists():
        if not path.exists() or not path.stat().st_size:
            return False  # no database beside it: keep it for the person to see
        stale = [temp, *(_side(temp, s) for s in _SIDE_FILES)]
        found = [p for p in stale if p.exists()]
        for leftover in found:
            shred(leftover)
        return bool(found)
    if temp.exists():
        _swap_in_encrypted(path, key)
    elif path.exists() and path.stat().st_size and not is_plain_database(path):
        _verify_and_shred_plain(path, key)
    elif not path.exists() or not path.stat().st_size:
        # No encrypted copy and no database: the original goes back, whole,
        # and the upgrade runs again.
        for leftover in plain_left:
            if leftover.exists():
                os.replace(
                    leftover,
                    path.with_name(path.name + leftover.name[len(aside.name) :]),
                )
        fsync_dir(path.parent)
    return True


def _verify_and_shred_plain(path: Path, key: bytes) -> None:
    aside = _plain_aside(path)
    verify = connect(path, key, readonly=True)
    try:
        check_key(verify, path)
    finally:
        verify.close()
    for leftover in (aside, *(_side(aside, s) for s in _SIDE_FILES)):
        shred(leftover)
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename in folder durable; not possible (nor needed) on Windows."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _BothDrivers:
    """Stands in for sqlite3 inside sqlite-utils so it recognises either driver.

    sqlite-utils catches ``sqlite3.OperationalError`` to add columns
    (``alter=True``) and to probe features; SQLCipher raises its own classes.
    A tuple in an ``except`` clause matches either, and everything else is
    the stdlib module.
    """

    OperationalError = (sqlite3.OperationalError, sqlcipher.OperationalError)
    NotSupportedError = (sqlite3.NotSupportedError, sqlcipher.NotSupportedError)

    def __getattr__(self, name: str) -> Any:
        return getattr(sqlite3, name)


def teach_sqlite_utils() -> None:
    """Let sqlite-utils (once imported, see _lean_sqlite_utils) handle SQLCipher."""
    import sqlite_utils.db as _sqlite_utils_db

    if isinstance(_sqlite_utils_db.sqlite3, _BothDrivers):
        return
    _sqlite_utils_db.sqlite3 = _BothDrivers()  # type: ignore[assignment]
    # Bare OperationalError is caught in insert(alter=True) and friends; the one
    # place that raises it (drop_index of a missing index) we never call.
    _sqlite_utils_db.OperationalError = _BothDrivers.OperationalError  # type: ignore[assignment,misc]
