"""A backup copy is checked page by page once, and a damaged copy is still refused."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest

from companion.store import StoreError, backup, open_store
from companion.store.backup_verify import copy_is_sound, copy_problems
from companion.store.cipher import connect


def _clinic(db: Path, key: bytes | None) -> None:
    with open_store(db, key=key) as store:
        patient = store.create_patient(chart_number="bk")
        for n in range(150):
            visit = store.start_visit(patient.id)
            store.save_note(visit.id, "S", f"note {n} " + "lumbar spasm " * 40)


def _scribble(path: Path) -> None:
    pages = path.stat().st_size // 4096
    with open(path, "r+b") as handle:
        handle.seek(4096 * (pages // 2))
        handle.write(os.urandom(4096 * 3))


@pytest.mark.parametrize("encrypted", [False, True])
def test_a_sound_copy_passes_and_a_damaged_one_does_not(
    tmp_path: Path, encrypted: bool
) -> None:
    """Random bytes over pages in the middle of a copy are found (a bad b-tree
    plainly, a failed HMAC when encrypted)."""
    key = secrets.token_bytes(32) if encrypted else None
    db = tmp_path / "companion.db"
    _clinic(db, key)
    made = backup.backup_file(db, tmp_path / "backups", "daily", key)
    assert copy_problems(made, key) == []
    _scribble(made)
    assert not copy_is_sound(made, key)


def test_damage_in_the_search_index_pages_is_found(tmp_path: Path) -> None:
    """Skipping FTS5's rebuild-and-compare still reads the index's own pages."""
    key = secrets.token_bytes(32)
    db = tmp_path / "companion.db"
    _clinic(db, key)
    made = backup.backup_file(db, tmp_path / "backups", "daily", key)
    conn = connect(made, key)
    try:
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'notes_fts_data'"
        ).fetchone()
    finally:
        conn.close()
    with open(made, "r+b") as handle:  # the index table's root page
        handle.seek(4096 * (root - 1) + 100)
        handle.write(os.urandom(200))
    assert not copy_is_sound(made, key)


def test_a_backup_whose_copy_comes_out_damaged_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store's backup raises and leaves no file when the copy is damaged."""
    db = tmp_path / "companion.db"
    _clinic(db, None)
    real_copy = backup._copy

    def copy_then_damage(conn: object, dest: Path, key: bytes | None) -> None:
        real_copy(conn, dest, key)  # type: ignore[arg-type]
        _scribble(dest)

    monkeypatch.setattr(backup, "_copy", copy_then_damage)
    folder = tmp_path / "backups"
    with open_store(db, backup_dir=folder) as store, pytest.raises(StoreError):
        store.backup("daily")
    assert list(folder.glob("*.db")) == []
