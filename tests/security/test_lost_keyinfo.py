"""A deleted <db>.keyinfo never orphans the key: the real key is found, or asked for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from keyring.backends import fail

from companion.store import open_store
from companion.store.keys import (
    KEY_INDEX,
    KeyUnavailable,
    backup_keyinfo_path,
    database_key,
    keyinfo_path,
    read_keyinfo,
    set_keychain,
)


def _clinic(db: Path, key: bytes, backup: bool = True) -> str:
    with open_store(db, key=key) as store:
        patient = store.create_patient(chart_number="KEY-1")
        if backup:
            store.backup("auto")
        return patient.id


def _app_keys(keychain: Any) -> list[str]:
    return [v for (_, user), v in keychain.entries.items() if user != KEY_INDEX]


def test_deleted_keyinfo_finds_the_keychain_key_again(
    tmp_path: Path, fake_keychain: Any
) -> None:
    """No keyinfo, no backup copy: the keychain's own key opens the db; none is made."""
    db = tmp_path / "companion.db"
    key = database_key(db)
    patient_id = _clinic(db, key, backup=False)
    written = read_keyinfo(db)
    keyinfo_path(db).unlink()
    assert database_key(db) == key
    assert _app_keys(fake_keychain) == [key.hex()]  # no second key
    assert read_keyinfo(db) == written  # written back
    with open_store(db, key=database_key(db)) as store:
        assert store.get_patient(patient_id) is not None


def test_keyinfo_copy_in_the_backup_folder_brings_back_a_passphrase_key(
    tmp_path: Path,
) -> None:
    """Passphrase mode: the backup folder's keyinfo copy (its salt) restores the key."""
    set_keychain(fail.Keyring())
    db = tmp_path / "companion.db"
    key = database_key(db, lambda new: "correct horse battery")
    patient_id = _clinic(db, key)
    assert backup_keyinfo_path(db).exists()
    keyinfo_path(db).unlink()
    again = database_key(db, lambda new: "correct horse battery")
    assert again == key and keyinfo_path(db).exists()
    with open_store(db, key=again) as store:
        assert store.get_patient(patient_id) is not None


def test_no_key_that_opens_it_means_a_clear_message_and_no_new_key(
    tmp_path: Path, fake_keychain: Any
) -> None:
    """Keychain emptied and keyinfo gone: KeyUnavailable says how; nothing is made."""
    db = tmp_path / "companion.db"
    key = database_key(db)
    _clinic(db, key, backup=False)
    keyinfo_path(db).unlink()
    fake_keychain.entries.clear()
    with pytest.raises(KeyUnavailable) as caught:
        database_key(db)
    assert caught.value.key == "keyinfo_missing"
    assert "no new key was made" in str(caught.value)
    assert str(backup_keyinfo_path(db)) in str(caught.value)
    assert fake_keychain.entries == {} and not keyinfo_path(db).exists()
