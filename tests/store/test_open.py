"""Opening the store: safety pragmas, the instance lock, closing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from companion.store import Store, StoreError, StoreLocked, open_store
from companion.store.database import apply_pragmas
from companion.store.lock import lock_path_for


def test_pragmas_are_set_after_open(store: Store) -> None:
    """WAL, synchronous=FULL and foreign keys are in force on the open connection."""
    conn = store.conn
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert conn.execute("PRAGMA synchronous").fetchone() == (2,)
    assert conn.execute("PRAGMA foreign_keys").fetchone() == (1,)


def test_pragma_check_refuses_a_connection_that_cannot_do_wal() -> None:
    """apply_pragmas raises StoreError when a pragma does not read back as set."""
    conn = sqlite3.connect(":memory:")  # in-memory databases cannot use WAL
    try:
        with pytest.raises(StoreError, match="journal_mode"):
            apply_pragmas(conn)
    finally:
        conn.close()


def test_foreign_keys_are_enforced(store: Store) -> None:
    """A visit for a patient that does not exist is refused by the database too."""
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute(
            "INSERT INTO visits (id, patient_id, visit_date, created, updated)"
            " VALUES ('v', 'nobody', '2024-01-01', 'x', 'x')"
        )


def test_second_open_in_same_process_is_locked(store: Store, db_path: Path) -> None:
    """A second open on the same file is refused with the clear message."""
    with pytest.raises(StoreLocked) as caught:
        open_store(db_path)
    message = str(caught.value)
    assert "already open on this database" in message
    assert str(db_path) in message
    assert "Close the other window first." in message


def test_close_releases_the_lock(db_path: Path) -> None:
    """After close() the same database opens again."""
    db_path.parent.mkdir(parents=True)
    first = open_store(db_path)
    first.close()
    first.close()  # closing twice is harmless
    second = open_store(db_path)
    try:
        assert lock_path_for(db_path).exists()
    finally:
        second.close()


def test_closed_store_refuses_saves(db_path: Path) -> None:
    """Saving through a closed store is a StoreError, not a crash."""
    db_path.parent.mkdir(parents=True)
    opened = open_store(db_path)
    opened.close()
    with pytest.raises(StoreError, match="closed"):
        opened.create_patient(initials="ZZ")


def test_context_manager_closes(db_path: Path) -> None:
    """Using the store in a with-block closes it at the end."""
    db_path.parent.mkdir(parents=True)
    with open_store(db_path) as opened:
        opened.create_patient(initials="QQ")
    assert opened.closed
    with open_store(db_path) as again:
        assert [p.initials for p in again.find_patients("qq")] == ["QQ"]
