"""A database that cannot be written gives StoreReadOnly and saves again later."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from companion.store import Patient, Store, StoreReadOnly, open_store

OPEN_ONCE = Path(__file__).with_name("open_once.py")
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def test_query_only_connection_refuses_then_recovers(
    store: Store, patient: Patient
) -> None:
    """With writes blocked, saves raise StoreReadOnly; unblocked, they succeed."""
    visit = store.start_visit(patient.id)
    store.conn.execute("PRAGMA query_only = ON")
    with pytest.raises(StoreReadOnly, match="read-only"):
        store.save_note(visit.id, "S", "typed while blocked")
    with pytest.raises(StoreReadOnly):
        store.save_draft("k", "v")
    assert store.current_notes(visit.id) == {}  # reading still works
    store.conn.execute("PRAGMA query_only = OFF")
    assert store.save_note(visit.id, "S", "typed while blocked").revision == 1


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder an unprivileged user can reach (pytest's tmp_path is private)."""
    folder = Path(tempfile.mkdtemp(prefix="companion-ro-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        _set_writable(folder, True)
        shutil.rmtree(folder)


def _set_writable(folder: Path, writable: bool) -> None:
    file_mode = 0o666 if writable else 0o444
    for child in folder.iterdir():
        child.chmod(file_mode)
    folder.chmod(0o777 if writable else 0o555)


def _open_elsewhere(db: Path, key: bytes | None) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, "-I", str(OPEN_ONCE), str(db)]
    if key:
        args.append(f"--key={key.hex()}")
    if IS_ROOT:
        args.append("--as-nobody")
    return subprocess.run(args, capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_read_only_folder_is_reported_then_recovers(
    shared_folder: Path, key: bytes | None
) -> None:
    """A read-only folder and file give StoreReadOnly; made writable, saving works."""
    db = shared_folder / "companion.db"
    with open_store(db, key=key) as store:
        store.create_patient(initials="RO")
    _set_writable(shared_folder, False)
    if not IS_ROOT and os.access(shared_folder, os.W_OK):
        pytest.skip("this user can write despite chmod")
    result = _open_elsewhere(db, key)
    assert result.returncode == 4, result.stdout + result.stderr
    assert result.stdout.startswith("READONLY: The database folder is read-only")
    assert str(shared_folder) in result.stdout
    # Nothing was moved aside or created in the refused attempt.
    assert sorted(p.name for p in shared_folder.iterdir()) == [
        "companion.db",
        "companion.db.lock",
    ]

    _set_writable(shared_folder, True)
    result = _open_elsewhere(db, key)
    assert (result.returncode, result.stdout.strip()) == (0, "OPENED"), result.stderr
    with open_store(db, key=key) as store:
        assert {p.initials for p in store.find_patients("")} == {"RO", "OK"}
    assert stat.S_IMODE(shared_folder.stat().st_mode) == 0o777
