"""A damaged database is kept aside untouched and the newest good backup restored."""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
from pathlib import Path

import pytest

from companion.store import Store, open_store
from companion.store.key_check import key_check
from companion.store.keys import KeyInfo, write_keyinfo
from companion.store.missing_database import MissingDatabase
from companion.store.start_choices import start_empty_confirmed
from tests.reliability.full_check import open_after_full_check


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fill(store: Store, count: int, tag: str) -> list[str]:
    patient = store.create_patient(chart_number=f"chart-{tag}")
    ids = []
    for n in range(count):
        visit = store.start_visit(patient.id, pain=n % 11)
        store.save_note(visit.id, "S", f"{tag} note {n} " + "lumbar spasm " * 40)
        ids.append(visit.id)
    return ids


def _quick_check_fails(path: Path) -> bool:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA quick_check").fetchall() != [("ok",)]
    except sqlite3.DatabaseError:
        return True
    finally:
        conn.close()


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_garbage_pages_restore_the_backup_and_keep_what_is_readable(
    tmp_path: Path, encrypted: bool
) -> None:
    """Overwritten pages: file set aside byte for byte, backup restored, and the
    visits saved since that are still readable merged back by id, exactly."""
    key = secrets.token_bytes(32) if encrypted else None
    db = tmp_path / "companion.db"
    backups = tmp_path / "backups"
    with open_store(db, backup_dir=backups, key=key) as store:
        kept = _fill(store, 150, "before")
        backup = store.backup("auto")
        after = _fill(store, 150, "after")

    page_size = 4096
    pages = db.stat().st_size // page_size
    assert pages > 40
    garbage = os.urandom(page_size * 6)
    with open(db, "r+b") as handle:
        handle.seek(page_size * (pages // 2))
        handle.write(garbage)
        handle.flush()
        os.fsync(handle.fileno())
    assert _quick_check_fails(db)  # the damage is real before the app sees it
    damaged_hash = _sha256(db)

    store = open_after_full_check(db, backup_dir=backups, key=key)
    try:
        report = store.recovery
        assert report is not None
        aside = report.moved_aside[0]
        assert aside.name.startswith("companion.db.damaged-")
        assert aside.parent == tmp_path
        assert _sha256(aside) == damaged_hash
        assert report.restored_from == backup
        assert report.data_as_of is not None
        assert backup.name in report.message
        ids = {row[0] for row in store.conn.execute("SELECT id FROM visits")}
        assert set(kept) <= ids
        recovered = set(after) & ids
        print(f"\n6 garbage pages: {len(recovered)} of 150 later visits recovered")
        assert recovered  # before: every visit since the backup was gone
        assert report.salvaged["visits"] >= len(recovered)
        assert "records still readable" in report.message
        for visit_id in recovered:  # what came back is exactly what was saved
            note = store.current_notes(visit_id).get("S")
            assert note is None or note.text.startswith("after note ")
        assert store.check_integrity() == (True, [])
        assert store.verify_audit_chain()[0]
        store.create_patient(initials="OK")  # and saving works again
    finally:
        store.close()
    # The next start finds a healthy file and does nothing.
    with open_store(db, backup_dir=backups, key=key) as again:
        assert again.recovery is None


def test_not_a_database_without_backup_is_kept_and_asks(
    tmp_path: Path, key: bytes | None
) -> None:
    """A file that is not SQLite, with no backup: kept aside, then a question.

    Nothing is emptied on the program's own say: MissingDatabase lists the
    damaged copy, and an empty database is made only after the typed word.
    Encrypted, the keyinfo's check value tells the damage from a wrong key.
    """
    db = tmp_path / "companion.db"
    if key is not None:
        write_keyinfo(db, KeyInfo("keychain", key_id="k1", check=key_check(key)))
    junk = b"This is a spreadsheet, not a database.\n" * 500
    db.write_bytes(junk)
    (tmp_path / "companion.db-wal").write_bytes(b"stale wal")
    with pytest.raises(MissingDatabase) as caught:
        open_store(db, backup_dir=tmp_path / "backups", key=key)
    found = caught.value.findings
    assert found.newest_backup is None
    assert [p.read_bytes() for p in found.damaged] == [junk]
    assert (tmp_path / (found.damaged[0].name + "-wal")).read_bytes() == b"stale wal"
    with pytest.raises(MissingDatabase):  # asked again until someone chooses
        open_store(db, backup_dir=tmp_path / "backups", key=key)
    start_empty_confirmed(db, "EMPTY", key)
    with open_store(db, backup_dir=tmp_path / "backups", key=key) as store:
        assert store.find_patients("") == []
        store.create_patient(initials="NW")
    assert found.damaged[0].read_bytes() == junk


def test_damaged_backups_are_skipped(tmp_path: Path, key: bytes | None) -> None:
    """Recovery restores the newest backup that passes integrity_check."""
    db = tmp_path / "companion.db"
    backups = tmp_path / "backups"
    with open_store(db, backup_dir=backups, key=key) as store:
        store.create_patient(chart_number="in-good-backup")
        good = store.backup("daily")
        store.create_patient(chart_number="in-bad-backup")
        bad = store.backup("auto")
    bad.write_bytes(b"\0" * 8192)
    db.write_bytes(b"garbage" * 1000)
    with open_store(db, backup_dir=backups, key=key) as store:
        assert store.recovery is not None and store.recovery.restored_from == good
        assert [p.chart_number for p in store.find_patients("in-")] == [
            "in-good-backup"
        ]
