"""The audit verifier reads only: deleted rows, dropped triggers, bad values."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from companion import audit_verify
from companion.store import open_store
from companion.store.cipher import connect
from companion.store.keys import database_key


def _clinic(home: Path) -> bytes:
    """An encrypted clinic as the app makes it (keychain key), with one backup."""
    db = home / "companion.db"
    home.mkdir()
    key = database_key(db)
    with open_store(db, key=key, backup_dir=home / "backups") as store:
        store.audit("backup", "one")
        store.audit("backup", "two")
        store.backup("auto")
    return key


def _tamper(home: Path, key: bytes, *statements: str) -> None:
    raw = connect(home / "companion.db", key, isolation_level=None)
    try:
        for statement in statements:
            raw.execute(statement)
    finally:
        raw.close()


def test_every_row_deleted_is_reported_not_ok(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Triggers dropped and every row deleted: the backup's anchor is missing."""
    home = tmp_path / "home"
    key = _clinic(home)
    assert audit_verify.main(["--data-dir", str(home)]) == 0
    assert capsys.readouterr().out.startswith("OK: 3 audit rows")
    _tamper(
        home,
        key,
        "DROP TRIGGER audit_log_refuse_delete",
        "DROP TRIGGER audit_log_refuse_update",
        "DELETE FROM audit_log",
    )
    assert audit_verify.main(["--data-dir", str(home)]) == 1
    out = capsys.readouterr().out
    assert "MISSING: the backup companion-auto-" in out  # before: "OK: 0 audit rows"
    assert "TRIGGER MISSING: audit_log_refuse_delete" in out
    assert "TRIGGER MISSING: audit_log_refuse_update" in out


def test_a_blob_in_a_row_is_tampering_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A value of the wrong type written in by hand: row 2 reported, no traceback."""
    home = tmp_path / "home"
    key = _clinic(home)
    _tamper(
        home,
        key,
        "DROP TRIGGER audit_log_refuse_update",
        "UPDATE audit_log SET event = x'00ff' WHERE id = 2",
    )
    assert audit_verify.main(["--data-dir", str(home)]) == 1
    out = capsys.readouterr().out
    assert "audit row 2 is the first that does not verify" in out


def test_the_verifier_never_repairs_a_damaged_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Damaged pages: it reports and exits; the file stays byte for byte, unmoved."""
    home = tmp_path / "home"
    key = _clinic(home)
    db = home / "companion.db"
    with open_store(db, key=key, backup_dir=home / "backups") as store:
        patient = store.create_patient(initials="DM")
        for _ in range(200):
            store.start_visit(patient.id)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with open(db, "r+b") as handle:
        handle.seek(db.stat().st_size // 2 // 4096 * 4096)
        handle.write(os.urandom(4096 * 3))
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    names = _names(home)
    assert audit_verify.main(["--data-dir", str(home)]) in (1, 2)
    capsys.readouterr()
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert _names(home) == names  # nothing set aside, nothing restored
    wal = home / "companion.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0  # SQLite's own, empty


def _names(home: Path) -> list[str]:
    """The files there, less the -wal/-shm a read-only SQLite reader may create."""
    return sorted(
        p.name for p in home.iterdir() if not p.name.endswith(("-wal", "-shm"))
    )
