"""The audit log: a row per event, append-only, hash-chained, tamper evident."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from companion import audit_verify
from companion.store import open_store
from companion.store.audit import EVENTS, canonical, chain_hash
from companion.store.cipher import connect
from tests.security.conftest import Sentinels


def _events(store) -> list[tuple[str, str]]:
    return [(e.event, e.record_id) for e in store.audit_log()]


def test_store_writes_a_row_for_each_event(
    tmp_path: Path, key: bytes, sentinels: Sentinels
) -> None:
    """Create/edit visit, note edit, export and backup each leave an audit row."""
    with open_store(tmp_path / "companion.db", key=key) as store:
        patient = store.create_patient(
            chart_number=sentinels.chart, display_name=sentinels.name
        )
        visit = store.start_visit(patient.id)
        store.update_visit(visit.id, pain=4)
        store.save_note(visit.id, "S", sentinels.note)
        store.save_note(visit.id, "S", sentinels.note)  # unchanged: no new row
        store.export_patient(patient.id, tmp_path / "exports")
        backup = store.backup("auto")
        store.audit("unlock")
        assert _events(store) == [
            ("create_visit", visit.id),
            ("edit_visit", visit.id),
            ("edit_note", visit.id),
            ("export", patient.id),
            ("backup", backup.name),
            ("unlock", ""),
        ]
        assert not store.changed_since_backup  # the backup's own row is no change
        texts = " ".join(f"{e.event} {e.record_id}" for e in store.audit_log()).lower()
        for needle in sentinels.all():
            assert needle.lower() not in texts
        assert store.verify_audit_chain() == (True, None)


def test_unknown_events_are_refused(tmp_path: Path) -> None:
    """Only the documented event names can be written."""
    with open_store(tmp_path / "companion.db") as store, pytest.raises(ValueError):
        store.audit("looked at the ceiling")
    assert "open_patient" in EVENTS and "unlock_failed" in EVENTS


def test_update_and_delete_of_audit_rows_fail(tmp_path: Path, key: bytes) -> None:
    """Triggers make the audit table append-only, even for raw SQL."""
    with open_store(tmp_path / "companion.db", key=key) as store:
        store.audit("backup", "x")
        for sql in (
            "UPDATE audit_log SET event = 'export'",
            "DELETE FROM audit_log",
        ):
            with pytest.raises(Exception, match="append-only"):
                store.conn.execute(sql)
        assert len(store.audit_log()) == 1


def test_the_chain_verifies_and_detects_a_tampered_row(
    tmp_path: Path, key: bytes
) -> None:
    """Editing a row (after dropping its trigger) breaks the chain at that row."""
    db_path = tmp_path / "companion.db"
    with open_store(db_path, key=key) as store:
        for n in range(5):
            store.audit("open_patient", f"patient-{n}")
        rows = store.audit_log()
        assert store.verify_audit_chain() == (True, None)
        first = rows[0]
        assert first.hash == chain_hash(
            "0" * 64,
            canonical(
                first.id,
                first.at.isoformat(timespec="microseconds"),
                "open_patient",
                "patient-0",
            ),
        )
    raw = connect(db_path, key, isolation_level=None)
    raw.execute("DROP TRIGGER audit_log_refuse_update")
    raw.execute("UPDATE audit_log SET record_id = 'someone-else' WHERE id = 3")
    raw.close()
    with open_store(db_path, key=key) as store:
        assert store.verify_audit_chain() == (False, 3)


def test_removed_middle_row_is_detected(tmp_path: Path) -> None:
    """Deleting a row (trigger dropped) makes the next row the first bad one."""
    db_path = tmp_path / "companion.db"
    with open_store(db_path) as store:
        for n in range(4):
            store.audit("backup", f"b{n}")
    raw = sqlite3.connect(db_path, isolation_level=None)
    raw.execute("DROP TRIGGER audit_log_refuse_delete")
    raw.execute("DELETE FROM audit_log WHERE id = 2")
    raw.close()
    with open_store(db_path) as store:
        assert store.verify_audit_chain() == (False, 3)


def test_verify_command_prints_ok_or_the_first_bad_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """python -m companion.audit_verify --data-dir prints OK, then the bad row."""
    home = tmp_path / "home"
    with open_store(home / "companion.db") as store:
        store.audit("backup", "one")
        store.audit("backup", "two")
    assert audit_verify.main(["--data-dir", str(home)]) == 0
    assert capsys.readouterr().out.startswith("OK: 2 audit rows")
    raw = sqlite3.connect(home / "companion.db", isolation_level=None)
    raw.execute("DROP TRIGGER audit_log_refuse_update")
    raw.execute("UPDATE audit_log SET event = 'export' WHERE id = 2")
    raw.close()
    assert audit_verify.main(["--data-dir", str(home)]) == 1
    assert "row 2" in capsys.readouterr().out
