"""Page 1 damaged, no backup, the right key: damage, never "wrong passphrase"."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from companion.core.i18n import strings
from companion.store import StoreError, open_store
from companion.store.cipher import WrongKey
from companion.store.keys import database_key, read_keyinfo
from companion.store.missing_database import MissingDatabase
from companion.store.start_choices import salvage, start_empty_confirmed
from companion.ui.error_text import error_text

PAGE = 4096


def _clinic(db: Path) -> bytes:
    """An encrypted clinic as the app makes it (key from the keychain), no backup."""
    key = database_key(db)
    with open_store(db, key=key, backup_dir=db.parent / "backups") as store:
        patient = store.create_patient(chart_number="P1-1")
        for n in range(30):
            visit = store.start_visit(patient.id, pain=n % 11)
            store.save_note(visit.id, "S", f"note {n} " * 50)
    assert not list((db.parent / "backups").glob("*.db"))
    return key


def _overwrite_page_one(db: Path) -> None:
    with open(db, "r+b") as out:
        out.write(os.urandom(PAGE))


def test_page_one_damage_with_the_right_key_is_damage(
    tmp_path: Path, fake_keychain: object
) -> None:
    """The key matches the keyinfo's check value, so the failing page 1 is
    damage: the file is kept aside unchanged and the missing-database choices
    are offered (salvage of the damaged copy, or start empty)."""
    db = tmp_path / "companion.db"
    key = _clinic(db)
    info = read_keyinfo(db)
    assert info is not None and info.check
    _overwrite_page_one(db)
    damaged_bytes = db.read_bytes()
    with pytest.raises(MissingDatabase) as raised:
        open_store(db, key=key)
    for language in ("en", "es"):
        text = error_text(raised.value, strings(language))
        assert "passphrase" not in text.lower() and "contraseña" not in text.lower()
    findings = raised.value.findings
    assert len(findings.damaged) == 1
    assert findings.damaged[0].read_bytes() == damaged_bytes  # kept, unchanged
    assert not db.exists()
    # The salvage choice either copies what it can or says clearly why not.
    try:
        salvage(findings.damaged[0], db, key)
    except StoreError as error:
        assert error.key == "salvage_failed"
        db.unlink(missing_ok=True)
        start_empty_confirmed(db, "EMPTY", key)
    with open_store(db, key=key) as store:
        assert store.check_integrity() == (True, [])
    assert findings.damaged[0].exists()  # starting empty deletes nothing


def test_a_wrong_key_is_still_a_wrong_key(tmp_path: Path, fake_keychain: object):
    """Another key on an intact file: WrongKey, and nothing is moved."""
    db = tmp_path / "companion.db"
    _clinic(db)
    with pytest.raises(WrongKey):
        open_store(db, key=b"\x01" * 32)
    assert db.exists()
    assert not list(tmp_path.glob("companion.db.damaged-*"))


def test_the_check_value_is_added_to_an_older_keyinfo(
    tmp_path: Path, fake_keychain: object
) -> None:
    """A keyinfo written before check values gets one when the key opens the file."""
    db = tmp_path / "companion.db"
    key = _clinic(db)
    keyinfo = db.with_name(db.name + ".keyinfo")
    text = keyinfo.read_text()
    import json

    data = json.loads(text)
    data.pop("check")
    keyinfo.write_text(json.dumps(data))
    assert not read_keyinfo(db).check  # type: ignore[union-attr]
    open_store(db, key=key).close()
    assert read_keyinfo(db).check  # type: ignore[union-attr]
