"""Opening the store: safety pragmas, the instance lock, closing."""

from __future__ import annotations

import secrets
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from companion.store import Store, StoreError, StoreLocked, open_store, startup_check
from companion.store.database import apply_pragmas
from companion.store.lock import lock_path_for
from tests.deep_damage import scribble_deep_leaf
from tests.probe import run_python
from tests.store.damage import run_behind_the_store


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


def _fill_notes(store: Store, count: int) -> None:
    patient = store.create_patient(chart_number="deep")
    for n in range(count):
        visit = store.start_visit(patient.id)
        store.save_note(visit.id, "S", f"note {n} " + "lumbar spasm " * 40)


def test_open_leaves_the_full_check_to_the_worker(db_path: Path) -> None:
    """Damage deep in the file is not read at open (constant time); the
    background full check finds it, and the reopen restores the backup."""
    db_path.parent.mkdir(parents=True)
    with open_store(db_path) as opened:
        _fill_notes(opened, 120)
        backup = opened.backup("daily")
    scribble_deep_leaf(db_path)
    with open_store(db_path) as opened:
        assert opened.recovery is None  # no page-by-page check at open
        outcome = opened.full_check_job().run()
        assert not outcome.sound and outcome.problem
    assert startup_check.damage_marker(db_path).exists()
    with open_store(db_path) as reopened:
        assert reopened.recovery is not None
        assert reopened.recovery.restored_from == backup
        assert reopened.check_integrity() == (True, [])
    assert not startup_check.damage_marker(db_path).exists()


def test_a_file_cut_short_is_caught_at_open(db_path: Path) -> None:
    """A file that is not whole pages (a torn copy) goes to recovery at open."""
    db_path.parent.mkdir(parents=True)
    with open_store(db_path) as opened:
        _fill_notes(opened, 20)
        opened.backup("daily")  # with none, the clinician is asked (MissingDatabase)
    with open(db_path, "r+b") as handle:
        handle.truncate(db_path.stat().st_size - 1000)
    problem = startup_check.constant_time_damage(db_path)
    assert problem is not None and "not a whole number" in problem
    with open_store(db_path) as opened:
        assert opened.recovery is not None  # recovery's full check then confirms


def test_a_crash_makes_the_full_check_due(db_path: Path) -> None:
    """A process killed with the records open leaves its marker: the next open
    reports an unclean shutdown and the full check is due, even if it ran today."""
    db_path.parent.mkdir(parents=True)
    with open_store(db_path) as opened:
        assert opened.full_check_job().run().sound
        assert not opened.full_check_due()
    with open_store(db_path) as opened:
        assert not opened.unclean_shutdown and not opened.full_check_due()
    crashed = run_python(
        "import os\n"
        "from pathlib import Path\n"
        "from companion.store import open_store\n"
        f"store = open_store(Path({str(db_path)!r}))\n"
        "store.create_patient(initials='KI')\n"
        "os._exit(0)\n"
    )
    assert crashed.returncode == 0, crashed.stderr
    with open_store(db_path) as opened:
        assert opened.unclean_shutdown
        assert opened.full_check_due()
        assert [p.initials for p in opened.find_patients("KI")] == ["KI"]


def test_the_full_check_is_due_once_a_day(db_path: Path) -> None:
    """Never checked: due; checked sound: not due for a day, due after it."""
    db_path.parent.mkdir(parents=True)
    with open_store(db_path) as opened:
        now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        assert opened.full_check_due(now)
        opened.full_check_job().run(now)
        assert not opened.full_check_due(now + timedelta(hours=23))
        assert opened.full_check_due(now + timedelta(hours=25))
        assert opened.full_check_due(now - timedelta(hours=1))  # clock set back


def test_a_scribbled_search_index_is_caught_at_open(db_path: Path) -> None:
    """Index blocks overwritten in SQL (pages sound, FTS5 data not): the probe
    lookup at open fails, and recovery rebuilds the index with nothing lost."""
    db_path.parent.mkdir(parents=True)
    key = secrets.token_bytes(32)  # encrypted as the app keeps it
    with open_store(db_path, key=key) as opened:
        _fill_notes(opened, 20)
    run_behind_the_store(
        db_path, key, "UPDATE notes_fts_data SET block = randomblob(length(block))"
    )
    assert startup_check.constant_time_damage(db_path, key) is not None
    with open_store(db_path, key=key) as opened:
        assert opened.recovery is not None and opened.recovery.search_index_rebuilt
        assert len(opened.search_notes("lumbar", limit=100)) == 20
