"""Lone surrogates ("\ud800") through the store API: InvalidInput, nothing written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from companion.store import InvalidInput, Store, open_store

LONE = "pain \ud800 here"


def _counts(store: Store) -> dict[str, int]:
    tables = ("patients", "visits", "note_revisions", "drafts", "audit_log")
    return {
        t: store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables
    }


@pytest.fixture
def encrypted(tmp_path: Path) -> Any:
    with open_store(tmp_path / "companion.db", key=b"\x07" * 32) as store:
        patient = store.create_patient(chart_number="SUR-1")
        visit = store.start_visit(patient.id, pain=2)
        yield store, patient, visit


CALLS: dict[str, Callable[[Store, Any, Any], object]] = {
    "chart number": lambda s, p, v: s.create_patient(chart_number=LONE),
    "initials": lambda s, p, v: s.create_patient(initials=LONE),
    "display name": lambda s, p, v: s.create_patient(
        chart_number="X", display_name=LONE
    ),
    "update name": lambda s, p, v: s.update_patient(p.id, display_name=LONE),
    "patient plan": lambda s, p, v: s.start_visit(p.id, patient_plan=LONE),
    "thrust reason": lambda s, p, v: s.update_visit(v.id, thrust_reason=LONE),
    "psfs activity": lambda s, p, v: s.update_visit(
        v.id, psfs=((LONE, 3), ("walking", 4), ("lifting", 5))
    ),
    "note": lambda s, p, v: s.save_note(v.id, "S", LONE),
    "draft payload": lambda s, p, v: s.save_draft("note:x:S", LONE),
    "draft key": lambda s, p, v: s.save_draft(LONE, "text"),
}


@pytest.mark.parametrize("name", CALLS)
def test_a_lone_surrogate_is_invalid_input(encrypted: Any, name: str) -> None:
    """Refused at record validation with a clear message; no row written."""
    store, patient, visit = encrypted
    before = _counts(store)
    with pytest.raises(InvalidInput) as raised:
        CALLS[name](store, patient, visit)
    assert "cannot be saved" in str(raised.value)
    assert "surrogate" in str(raised.value)
    assert _counts(store) == before
    assert not store.conn.in_transaction
    assert store.get_visit(visit.id) == visit
