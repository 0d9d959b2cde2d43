"""The database check finds a damaged search index and never needs the write lock."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from companion.store import open_store
from companion.store.cipher import connect
from companion.store.integrity import pragma_checks_fts
from tests.store.damage import run_behind_the_store

KEYS = pytest.mark.parametrize(
    "key", [None, secrets.token_bytes(32)], ids=["plain", "encrypted"]
)


def _clinic(folder: Path, key: bytes | None) -> Path:
    path = folder / "companion.db"
    with open_store(path, key=key) as store:
        patient = store.create_patient(chart_number="I-1")
        visit = store.start_visit(patient.id)
        store.save_note(visit.id, "P", "home exercise twice daily")
    return path


def _damage_search_index(path: Path, key: bytes | None) -> None:
    """Change an indexed text behind FTS5's back: the index no longer matches."""
    run_behind_the_store(
        path, key, "UPDATE notes_fts_content SET c0 = 'something else entirely'"
    )


@KEYS
def test_a_sound_database_passes_both_ways(tmp_path: Path, key: bytes | None) -> None:
    """The store's own check and the worker's job agree on a sound file."""
    path = _clinic(tmp_path, key)
    with open_store(path, key=key) as store:
        assert store.check_integrity() == (True, [])
        assert store.integrity_job().run() == (True, [])


@KEYS
def test_a_damaged_search_index_is_found(tmp_path: Path, key: bytes | None) -> None:
    """Both checks report the note search index (the pragma's FTS5 check, or the
    'integrity-check' command where the driver's SQLite is older)."""
    path = _clinic(tmp_path, key)
    with open_store(path, key=key) as store:
        _damage_search_index(path, key)  # while open: start-up's own check is past
        ok, messages = store.check_integrity()
        assert not ok and messages
        assert store.integrity_job().run() == (ok, messages)


def test_encrypted_check_runs_while_a_save_holds_the_write_lock(tmp_path: Path) -> None:
    """Every real clinic is encrypted: its check is read-only, so a save in
    progress never makes it wait, and it never makes a save wait."""
    key = secrets.token_bytes(32)
    path = _clinic(tmp_path, key)
    with open_store(path, key=key) as store:
        assert pragma_checks_fts(store.conn)
        writer = connect(path, key, timeout=0.0)
        try:
            writer.execute("BEGIN IMMEDIATE")  # a save, mid-transaction
            writer.execute("UPDATE patients SET chart_number = 'I-2'")
            assert store.integrity_job().run() == (True, [])
            writer.commit()
        finally:
            writer.close()
