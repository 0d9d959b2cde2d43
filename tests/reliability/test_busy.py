"""Another program holding the write lock gives StoreBusy, and saving resumes after."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.store import StoreBusy, open_store
from companion.store.cipher import connect


def test_foreign_writer_makes_store_busy_then_free(
    db_path: Path, key: bytes | None
) -> None:
    """While a viewer holds a write transaction, saves fail cleanly; then succeed."""
    with open_store(db_path, busy_timeout=0.1, key=key) as store:
        patient = store.create_patient(initials="BZ")
        other = connect(db_path, key, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            with pytest.raises(StoreBusy, match="Another program"):
                store.start_visit(patient.id, pain=3)
            assert not store.conn.in_transaction
            other.execute("ROLLBACK")
        finally:
            other.close()
        visit = store.start_visit(patient.id, pain=3)
        assert store.visits_for(patient.id) == [visit]
