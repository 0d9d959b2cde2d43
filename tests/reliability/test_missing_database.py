"""A missing or 0-byte database beside earlier data is never silently a new clinic."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from companion.store import StoreError, open_store
from companion.store.backup import list_backups
from companion.store.missing_database import MissingDatabase
from companion.store.start_choices import (
    restore_from_backup,
    salvage,
    start_empty_confirmed,
)
from tests.reliability.full_check import open_after_full_check


@pytest.fixture
def key() -> bytes:
    """A random 256-bit key: these tests use the encrypted store, as the app does."""
    return secrets.token_bytes(32)


def _clinic(db: Path, key: bytes | None, visits: int = 3) -> str:
    """A clinic with one patient and some visits, and one auto backup; its id."""
    with open_store(db, key=key) as store:
        patient = store.create_patient(chart_number="KEEP-1", display_name="Ada K")
        for n in range(visits):
            visit = store.start_visit(patient.id, pain=n % 11)
            store.save_note(visit.id, "S", f"note {n} " + "lumbar spasm " * 30)
        store.backup("auto")
        return patient.id


def _lose(db: Path, how: str) -> None:
    for side in ("-wal", "-shm"):
        db.with_name(db.name + side).unlink(missing_ok=True)
    if how == "deleted":
        db.unlink()
    else:
        db.write_bytes(b"")


@pytest.mark.parametrize("how", ["deleted", "emptied"])
def test_missing_database_beside_a_backup_is_refused_not_emptied(
    tmp_path: Path, key: bytes, how: str
) -> None:
    """Deleted or 0-byte database + backup: MissingDatabase says what was found."""
    db = tmp_path / "companion.db"
    _clinic(db, key)
    backups = list_backups(tmp_path / "backups")
    _lose(db, how)
    with pytest.raises(MissingDatabase) as caught:
        open_store(db, key=key)
    found = caught.value.findings
    assert found.empty_file == (how == "emptied")
    assert found.newest_backup is not None
    assert found.newest_backup.path == backups[0].path
    assert found.newest_backup.records["patients"] == 1
    assert found.newest_backup.records["visits"] == 3
    assert "1 backup(s)" in str(caught.value)
    # Nothing was made in its place and the backups are untouched.
    assert not db.exists() or db.stat().st_size == 0
    assert list_backups(tmp_path / "backups") == backups


@pytest.mark.parametrize(
    "leftover",
    [
        ".companion.db.restoring",
        ".companion.db.encrypting",
        "companion.db.damaged-20260101-101010",
        "companion.db.restore-journal",
        "companion.db-wal",
    ],
)
def test_our_leftovers_alone_refuse_an_empty_start(
    tmp_path: Path, leftover: str
) -> None:
    """No database and no backup, but a leftover of ours: not a first start."""
    db = tmp_path / "companion.db"
    (tmp_path / leftover).write_bytes(b"x" * 4096)
    with pytest.raises(MissingDatabase) as caught:
        open_store(db)
    assert tmp_path / leftover in caught.value.findings.leftovers + (
        caught.value.findings.damaged
    )
    assert not db.exists() or db.stat().st_size == 0


def test_a_true_first_start_still_opens_empty(tmp_path: Path, key: bytes) -> None:
    """No database, no backup, no leftover: a new clinic opens without a question."""
    with open_store(tmp_path / "companion.db", key=key) as store:
        assert store.find_patients("") == []


def test_restore_choice_brings_the_clinic_back(tmp_path: Path, key: bytes) -> None:
    """The default choice restores the newest verified backup; the records open."""
    db = tmp_path / "companion.db"
    patient_id = _clinic(db, key)
    _lose(db, "emptied")
    with pytest.raises(MissingDatabase) as caught:
        open_store(db, key=key)
    newest = caught.value.findings.newest_backup
    assert newest is not None
    restore_from_backup(db, newest.path, key)
    with open_store(db, key=key) as store:
        patient = store.get_patient(patient_id)
        assert patient is not None and patient.chart_number == "KEEP-1"
        assert len(store.visits_for(patient_id)) == 3


def test_start_empty_needs_the_typed_word_and_keeps_the_backups(
    tmp_path: Path, key: bytes
) -> None:
    """Only the confirmation word starts empty; the fuller backup survives rotation."""
    db = tmp_path / "companion.db"
    _clinic(db, key)
    fuller = list_backups(tmp_path / "backups")[0].path
    _lose(db, "deleted")
    with pytest.raises(StoreError) as refused:
        start_empty_confirmed(db, "yes", key)
    assert refused.value.key == "empty_not_confirmed"
    with pytest.raises(MissingDatabase):
        open_store(db, key=key)
    start_empty_confirmed(db, " empty ", key)
    with open_store(db, key=key) as store:
        assert store.find_patients("") == []
        store.create_patient(initials="NW")
        for _ in range(12):  # more than the 10 auto backups rotation keeps
            store.backup("auto")
    autos = list_backups(tmp_path / "backups", "auto")
    assert fuller in [b.path for b in autos]  # the one backup with the records
    assert len(autos) == 11  # every other old one rotated as before


def test_damage_without_backup_offers_the_salvage(tmp_path: Path, key: bytes) -> None:
    """One bad page and no backup: not emptied; salvage recovers the readable rows."""
    db = tmp_path / "companion.db"
    patient_id = _clinic(db, key, visits=300)
    for backup in list_backups(tmp_path / "backups"):
        backup.path.unlink()
    with open_store(db, key=key) as store:
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = db.stat().st_size // 4096
    with open(db, "r+b") as handle:  # scribble over one page in the middle
        handle.seek(4096 * (pages // 2))
        handle.write(b"\xff" * 4096)
    with pytest.raises(MissingDatabase) as caught:
        # Deep damage is found by the background check; the reopen asks.
        open_after_full_check(db, key=key)
    damaged = caught.value.findings.damaged
    assert len(damaged) == 1
    report = salvage(damaged[0], db, key)
    assert report.copied["patients"] == 1
    assert report.copied["visits"] + report.copied["note_revisions"] > 500
    with open_store(db, key=key) as store:
        assert store.get_patient(patient_id) is not None
        assert [p.id for p in store.find_patients("KEEP")] == [patient_id]
        saved = len(store.visits_for(patient_id))
        assert saved == report.copied["visits"] > 250
        assert store.check_integrity() == (True, [])
        assert store.search_notes("lumbar")  # the index was rebuilt
    assert damaged[0].exists()  # the damaged file itself is kept


def test_a_folder_named_like_the_database_gets_a_clear_message(
    tmp_path: Path, key: bytes
) -> None:
    """A folder called companion.db: database_is_folder, not 'the disk reported'."""
    (tmp_path / "companion.db").mkdir()
    (tmp_path / "companion.db" / "keep.txt").write_text("mine")
    with pytest.raises(StoreError) as caught:
        open_store(tmp_path / "companion.db", key=key)
    assert caught.value.key == "database_is_folder"
    assert (tmp_path / "companion.db" / "keep.txt").read_text() == "mine"
