"""Two rooms and a hub end with the same record: every row, every revision."""

from __future__ import annotations

from companion.hub import admin
from companion.store import replication
from tests.hub.conftest import Hub
from tests.hub.helpers import PROGRAMME, assert_converged, hub_counts, local_rows


def test_patient_in_a_visit_in_b_notes_in_both_converge(hub: Hub) -> None:
    """A patient made in room A, a visit in room B, notes in both: one record."""
    a, b = hub.room("a"), hub.room("b")
    patient = a.store.create_patient(chart_number="C-100", initials="JR")
    a.store.audit("open_patient", patient.id)
    a.sync()
    b.sync()
    visit = b.store.start_visit(patient.id, pain=6, regions=("lumbar",))
    b.store.save_note(visit.id, "S", "Low back pain since Monday.")
    b.store.save_programme(visit.id, PROGRAMME)
    b.store.audit("create_visit", visit.id)
    b.sync()
    a.sync()
    a.store.save_note(visit.id, "O", "Tender L4-L5, SLR negative.")
    a.store.save_note(visit.id, "S", "Low back pain since Monday, worse sitting.")
    a.store.update_patient(patient.id, display_name="Jo Ruiz")
    for room in (a, b, a):
        room.sync()

    assert_converged(a.conn, b.conn)
    assert b.store.get_patient(patient.id).display_name == "Jo Ruiz"
    assert [p.id for p in b.store.find_patients("ruiz")] == [patient.id]
    notes = b.store.current_notes(visit.id)
    assert notes["S"].text.endswith("worse sitting.") and notes["S"].revision == 2
    assert a.store.get_visit(visit.id).pain == 6
    assert a.store.current_programme(visit.id).items == PROGRAMME
    total, distinct = hub_counts(hub.server.admin_dsn, hub.database)
    assert total == distinct == local_rows(a.conn) == local_rows(b.conn)
    # The audit chains are checked on the hub too (and by its trigger on entry).
    chains = admin.verify_audit(hub.server.admin_dsn, hub.database)
    assert chains == {a.room_id: (True, None), b.room_id: (True, None)}
    assert replication.conflicts(a.conn) == replication.conflicts(b.conn) == []
