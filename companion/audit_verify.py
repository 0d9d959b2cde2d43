"""Command line check of the audit log: chain, triggers, and anchors in the backups.

    python -m companion.audit_verify --data-dir PATH

Read-only: it opens the database and the backups with read-only connections,
never runs recovery, never repairs, and takes no lock (it may run beside the
app). On read-only media (a write-protected stick, a read-only mount) it
creates no file there: a file without a WAL is read as immutable, and one with
a WAL but no -shm is copied, with its WAL, to a temporary folder elsewhere and
read there. It checks that every row's hash chains from the one before, that
the triggers refusing UPDATE and DELETE are there, and that the newest audit
row of every backup (an anchor kept outside the database) is still in the log
with the same hash: deleting the newest rows, or all of them, breaks no link of
the chain but loses an anchor. Exit code 0 when all hold, 1 when any does not,
2 when the database cannot be read. Uses the keychain key, or asks for the
passphrase on the terminal when the database was encrypted with one.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from companion.paths import resolve_paths
from companion.store import StoreError
from companion.store.audit import TABLE, verify
from companion.store.backup import list_backups
from companion.store.cipher import Connection, connect
from companion.store.errors import DB_ERRORS
from companion.store.keys import database_key, install_keyring_from_env, read_keyinfo

TRIGGERS = (f"{TABLE}_refuse_update", f"{TABLE}_refuse_delete")


def _ask(new: bool) -> str | None:
    if new:
        return None  # a tool never creates a key; only the app does
    return getpass.getpass("Database passphrase: ")


def _key(db: Path) -> bytes | None:
    install_keyring_from_env()
    return database_key(db, _ask) if read_keyinfo(db) is not None else None


def on_read_only_media(folder: Path) -> bool:
    """True when nothing can be written in folder (as root too: a ro mount)."""
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return True
    except OSError:
        return False
    return not os.access(folder, os.W_OK)


@contextlib.contextmanager
def reading(path: Path, key: bytes | None) -> Iterator[Connection]:
    """A read-only connection to path that creates no file beside it on
    read-only media (where SQLite would need a -shm it cannot make)."""
    wal = path.with_name(path.name + "-wal")
    shm = path.with_name(path.name + "-shm")
    copy_dir: str | None = None
    if not on_read_only_media(path.parent):
        conn = connect(path, key, readonly=True)
    elif not wal.exists() or wal.stat().st_size == 0:
        conn = connect(path, key, readonly=True, immutable=True)
    elif shm.exists():
        conn = connect(path, key, readonly=True)  # SQLite reads a -shm read-only
    else:
        # A WAL to replay and no -shm: read a private copy, never in place.
        copy_dir = tempfile.mkdtemp(prefix="audit-verify-")
        target = Path(copy_dir) / path.name
        shutil.copyfile(path, target)
        shutil.copyfile(wal, target.with_name(target.name + "-wal"))
        conn = connect(target, key, readonly=True)
    try:
        yield conn
    finally:
        conn.close()
        if copy_dir is not None:
            shutil.rmtree(copy_dir, ignore_errors=True)


def _head(conn: Connection) -> tuple[int, str] | None:
    return conn.execute(
        f"SELECT id, hash FROM {TABLE} ORDER BY id DESC LIMIT 1"
    ).fetchone()


def anchor_problems(conn: Connection, backup_dir: Path, key: bytes | None) -> list[str]:
    """Each backup whose newest audit row the log no longer holds, said plainly."""
    problems = []
    for backup in list_backups(backup_dir):
        try:
            with reading(backup.path, key) as other:
                head = _head(other)
        except DB_ERRORS:
            continue  # unreadable or too old to have a log: no anchor
        if head is None:
            continue
        row = conn.execute(
            f"SELECT hash FROM {TABLE} WHERE id = ?", (head[0],)
        ).fetchone()
        if row is None:
            problems.append(
                f"MISSING: the backup {backup.path.name} holds audit row "
                f"{head[0]}, which the log no longer has (rows were deleted, "
                "or the database was restored from an older backup since)."
            )
        elif row[0] != head[1]:
            problems.append(
                f"TAMPERED: audit row {head[0]} differs from the one in the "
                f"backup {backup.path.name}."
            )
    return problems


def check(db: Path, backup_dir: Path, key: bytes | None) -> tuple[int, list[str]]:
    """(rows in the log, every problem found); reads only."""
    with reading(db, key) as conn:
        names = {
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            )
        }
        problems = [
            f"TRIGGER MISSING: {name} (the log could be edited)."
            for name in TRIGGERS
            if name not in names
        ]
        ok, bad = verify(conn)
        if not ok:
            problems.append(
                f"TAMPERED: audit row {bad} is the first that does not verify."
            )
        problems += anchor_problems(conn, backup_dir, key)
        (count,) = conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()
        # A log read out of a damaged file proves little: say the file is
        # damaged too (read-only; the app's own recovery repairs, never this).
        found = [row[0] for row in conn.execute("PRAGMA quick_check(20)")]
        if found != ["ok"]:
            problems.append("DAMAGED DATABASE: " + "; ".join(found))
    return count, problems


def main(argv: Sequence[str] | None = None) -> int:
    """Verify the audit log of the database under --data-dir; print the result."""
    parser = argparse.ArgumentParser(
        prog="python -m companion.audit_verify",
        description="Check that the audit log has not been altered.",
    )
    parser.add_argument("--data-dir", help="the folder holding companion.db")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    paths = resolve_paths(args.data_dir)
    if not paths.database.exists() or paths.database.stat().st_size == 0:
        print(f"Cannot read the database: none at {paths.database}.", file=sys.stderr)
        return 2
    try:
        count, problems = check(paths.database, paths.backup_dir, _key(paths.database))
    except (StoreError, *DB_ERRORS) as error:
        print(f"Cannot read the database: {error}", file=sys.stderr)
        return 2
    if problems:
        print("\n".join(problems))
        return 1
    print(
        f"OK: {count} audit rows, hash chain intact, triggers in place, "
        "every backup's newest row present."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
