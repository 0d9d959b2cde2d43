"""The decrypted-copy tool: a clinic reads its own data with ordinary SQLite tools."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from companion import plain_copy
from companion.paths import paths_under
from companion.store import open_store
from companion.store.keys import database_key


def test_plain_copy_is_readable_private_and_audited(tmp_path: Path, capsys) -> None:
    """The copy opens with stdlib sqlite3, has the patient, is 0600, and is logged."""
    paths = paths_under(tmp_path / "home").ensure()
    key = database_key(paths.database)  # the keychain key, as the app makes it
    with open_store(paths.database, backup_dir=paths.backup_dir, key=key) as store:
        store.create_patient(chart_number="PLAIN-42", initials="ZQ")
    out = tmp_path / "copy.db"

    assert plain_copy.main(["--data-dir", str(paths.data_dir), str(out)]) == 0
    assert "not encrypted" in capsys.readouterr().out

    with sqlite3.connect(out) as conn:
        charts = [row[0] for row in conn.execute("SELECT chart_number FROM patients")]
    conn.close()
    assert charts == ["PLAIN-42"]
    if os.name != "nt":
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with open_store(paths.database, backup_dir=paths.backup_dir, key=key) as store:
        events = [(e.event, e.record_id) for e in store.audit_log()]
    assert ("export", "plain-copy") in events


def test_plain_copy_refuses_to_overwrite(tmp_path: Path) -> None:
    """An existing output file is never overwritten."""
    out = tmp_path / "copy.db"
    out.write_bytes(b"keep me")
    assert plain_copy.main(["--data-dir", str(tmp_path), str(out)]) == 2
    assert out.read_bytes() == b"keep me"
