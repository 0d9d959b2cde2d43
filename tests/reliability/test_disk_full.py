"""A full database refuses the save cleanly and accepts it once there is room."""

from __future__ import annotations

import pytest

from companion.store import Patient, Store, StoreFull


def test_full_disk_then_room_again(store: Store, patient: Patient) -> None:
    """StoreFull, no partial visit or note, and the same save works after."""
    visit = store.start_visit(patient.id)
    store.save_note(visit.id, "S", "short note")
    visit_before = store.get_visit(visit.id)
    (pages,) = store.conn.execute("PRAGMA page_count").fetchone()
    # The size cap acts exactly like a disk with no free space left.
    store.conn.execute(f"PRAGMA max_page_count = {pages}")
    big = "a long dictated note " * 20_000
    with pytest.raises(StoreFull, match="disk is full"):
        store.save_note(visit.id, "S", big)
    with pytest.raises(StoreFull):
        store.save_draft("dictation", big)
    assert store.get_draft("dictation") is None
    assert [r.text for r in store.note_history(visit.id, "S")] == ["short note"]
    assert store.visits_for(patient.id) == [visit_before]
    assert not store.conn.in_transaction
    assert store.check_integrity() == (True, [])

    store.conn.execute("PRAGMA max_page_count = 1073741823")
    saved = store.save_note(visit.id, "S", big)
    assert saved.revision == 2
    assert store.current_notes(visit.id)["S"].text == big
    assert store.search_notes("dictated")[0].visit_id == visit.id
