"""Encryption at rest: database, WAL and backups are SQLCipher files; keys apart."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from keyring.backends import fail
from sqlcipher3 import dbapi2 as sqlcipher

from companion.store import open_store
from companion.store._lean_sqlite_utils import sqlite_utils_database
from companion.store.backup import is_intact, list_backups
from companion.store.cipher import (
    WrongKey,
    connect,
    encrypt_in_place,
    is_plain_database,
)
from companion.store.keys import (
    KEY_INDEX,
    KeyUnavailable,
    PassphraseNeeded,
    database_key,
    keyinfo_path,
    read_keyinfo,
    set_keychain,
)
from tests.reliability.full_check import open_after_full_check
from tests.security.conftest import Sentinels, files_containing


def _fill(db_path: Path, key: bytes | None, s: Sentinels) -> tuple[str, str]:
    with open_store(db_path, key=key) as store:
        patient = store.create_patient(chart_number=s.chart, display_name=s.name)
        visit = store.start_visit(patient.id, pain=6)
        store.save_note(visit.id, "S", s.note)
        store.backup("auto")
        return patient.id, visit.id


def test_database_wal_and_backups_hold_no_plain_patient_text(
    tmp_path: Path, key: bytes, sentinels: Sentinels
) -> None:
    """Raw bytes of the db, its WAL and its backups contain no sentinel string."""
    db_path = tmp_path / "companion.db"
    with open_store(db_path, key=key) as store:
        patient = store.create_patient(
            chart_number=sentinels.chart, display_name=sentinels.name
        )
        visit = store.start_visit(patient.id)
        store.save_note(visit.id, "S", sentinels.note)
        wal = db_path.with_name("companion.db-wal")
        assert wal.exists() and wal.stat().st_size > 0  # checked while it is live
        assert files_containing(tmp_path, sentinels.all()) == []
        backup = store.backup("daily")
    assert is_intact(backup, key)
    assert files_containing(tmp_path, sentinels.all()) == []
    assert not is_plain_database(db_path) and not is_plain_database(backup)


def test_stdlib_sqlite_and_a_wrong_key_cannot_open_it(
    tmp_path: Path, key: bytes, sentinels: Sentinels
) -> None:
    """sqlite3 without a key and SQLCipher with a wrong key both fail to read it."""
    db_path = tmp_path / "companion.db"
    _fill(db_path, key, sentinels)
    backup = list_backups(tmp_path / "backups")[0].path
    for path in (db_path, backup):
        plain = sqlite3.connect(path)
        with pytest.raises(sqlite3.DatabaseError, match="not a database"):
            plain.execute("SELECT * FROM patients").fetchall()
        plain.close()
        wrong = connect(path, b"\x01" * 32)
        with pytest.raises(sqlcipher.DatabaseError, match="not a database"):
            wrong.execute("SELECT * FROM patients").fetchall()
        wrong.close()
        right = connect(path, key)
        assert right.execute("SELECT chart_number FROM patients").fetchall() == [
            (sentinels.chart,)
        ]
        right.close()


def test_wrong_key_is_refused_and_never_treated_as_damage(
    tmp_path: Path, key: bytes, sentinels: Sentinels
) -> None:
    """open_store with a wrong key raises WrongKey and leaves the file in place."""
    db_path = tmp_path / "companion.db"
    _fill(db_path, key, sentinels)
    before = db_path.read_bytes()
    with pytest.raises(WrongKey):
        open_store(db_path, key=b"\x02" * 32)
    assert db_path.read_bytes() == before
    assert not list(tmp_path.glob("*.damaged-*"))
    with open_store(db_path, key=key) as store:
        assert store.find_patients(sentinels.chart)[0].display_name == sentinels.name


def test_plain_database_and_backups_are_encrypted_without_loss(
    tmp_path: Path, key: bytes, sentinels: Sentinels
) -> None:
    """Opening a plain database with a key encrypts it and its backups, same data."""
    db_path = tmp_path / "companion.db"
    patient_id, visit_id = _fill(db_path, None, sentinels)
    assert is_plain_database(db_path)
    assert files_containing(tmp_path, (sentinels.chart,))  # the problem being fixed
    with open_store(db_path, key=key) as store:
        assert store.encrypted
        assert store.get_patient(patient_id).chart_number == sentinels.chart
        assert store.current_notes(visit_id)["S"].text == sentinels.note
        assert [h.visit_id for h in store.search_notes("crates")] == [visit_id]
        assert store.check_integrity() == (True, [])
    assert not is_plain_database(db_path)
    backups = list_backups(tmp_path / "backups")
    assert backups and all(is_intact(b.path, key) for b in backups)
    assert files_containing(tmp_path, sentinels.all()) == []
    # The plain original was removed once the encrypted file reopened.
    assert sorted(p.name for p in tmp_path.iterdir() if "plain" in p.name) == []


def test_encrypt_in_place_keeps_every_row(tmp_path: Path, key: bytes) -> None:
    """encrypt_in_place copies every table's rows, including full-text and WAL data."""
    db_path = tmp_path / "plain.db"
    with open_store(db_path) as store:
        patient = store.create_patient(initials="EP")
        for n in range(50):
            visit = store.start_visit(patient.id, pain=n % 11)
            store.save_note(visit.id, "P", f"plan {n}")
        # No checkpoint: part of the data is still only in the WAL.
        encrypt_in_place(db_path, key)
    conn = connect(db_path, key)
    try:
        assert conn.execute("SELECT count(*) FROM visits").fetchone() == (50,)
        assert conn.execute("SELECT count(*) FROM note_revisions").fetchone() == (50,)
        hits = conn.execute(
            "SELECT count(*) FROM notes_fts WHERE notes_fts MATCH 'plan'"
        ).fetchone()
        assert hits == (50,)
    finally:
        conn.close()


def test_damaged_encrypted_database_is_restored_from_an_encrypted_backup(
    tmp_path: Path, key: bytes, sentinels: Sentinels
) -> None:
    """Recovery opens encrypted backups with the key and restores an encrypted file."""
    db_path = tmp_path / "companion.db"
    patient_id, _visit = _fill(db_path, key, sentinels)
    with open(db_path, "r+b") as handle:  # scribble over a page past the header
        handle.seek(4096 * 2)
        handle.write(b"\xff" * 4096)
    with open_after_full_check(db_path, key=key) as store:
        assert store.recovery is not None and store.recovery.restored_from is not None
        assert store.get_patient(patient_id).chart_number == sentinels.chart
        assert store.encrypted
        assert [e.event for e in store.audit_log()][-1] == "restore"
    assert not is_plain_database(db_path)


def test_sqlite_utils_alter_and_transform_work_on_sqlcipher(
    tmp_path: Path, key: bytes
) -> None:
    """insert(alter=True), transform and full-text search work on an encrypted file."""
    conn = connect(tmp_path / "x.db", key, isolation_level=None)
    db = sqlite_utils_database(conn)  # what the store falls back to
    try:
        db["t"].insert({"id": 1, "name": "a"}, pk="id")
        db["t"].insert({"id": 2, "name": "b", "extra": 3}, alter=True)
        db["t"].transform(types={"extra": str})
        db["t"].enable_fts(["name"])
        assert db["t"].columns_dict["extra"] is str
        assert [r["id"] for r in db["t"].search("b")] == [2]
        assert db.supports_strict
    finally:
        db.close()


def test_keychain_key_is_random_and_never_written_beside_the_database(
    tmp_path: Path, fake_keychain
) -> None:
    """The keychain holds the key; <db>.keyinfo holds only the entry's name."""
    db_path = tmp_path / "companion.db"
    key = database_key(db_path)
    assert len(key) == 32
    info = read_keyinfo(db_path)
    assert info is not None and info.method == "keychain"
    assert key.hex() not in keyinfo_path(db_path).read_text()
    keys = [v for (_, user), v in fake_keychain.entries.items() if user != KEY_INDEX]
    assert keys == [key.hex()]
    assert database_key(db_path) == key  # the same key next time
    fake_keychain.entries.clear()
    with pytest.raises(KeyUnavailable):
        database_key(db_path)


def test_without_a_keychain_the_key_comes_from_an_argon2id_passphrase(
    tmp_path: Path,
) -> None:
    """With keyring's fail backend a passphrase is asked; only its salt is stored."""
    set_keychain(fail.Keyring())
    db_path = tmp_path / "companion.db"
    with pytest.raises(PassphraseNeeded) as needed:
        database_key(db_path)
    assert needed.value.new
    key = database_key(db_path, lambda new: "correct horse battery")
    info = json.loads(keyinfo_path(db_path).read_text())
    assert info["method"] == "passphrase" and len(bytes.fromhex(info["salt"])) == 16
    assert key.hex() not in keyinfo_path(db_path).read_text()
    with open_store(db_path, key=key) as store:
        store.create_patient(initials="PP")
    again = database_key(db_path, lambda new: "correct horse battery")
    assert again == key
    wrong = database_key(db_path, lambda new: "wrong horse battery")
    with pytest.raises(WrongKey):
        open_store(db_path, key=wrong)
