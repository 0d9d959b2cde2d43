"""One visit edited in two rooms apart: both kept, a review, the pick replicates."""

from __future__ import annotations

from companion.store import replication
from tests.hub.conftest import Hub
from tests.hub.helpers import assert_converged


def test_edits_made_apart_are_both_kept_until_a_pick_settles_them(hub: Hub) -> None:
    """Pain and the S note changed in both rooms while apart; A picks B's."""
    a, b = hub.room("a"), hub.room("b")
    patient = a.store.create_patient(chart_number="K-7", initials="KS")
    visit = a.store.start_visit(patient.id, pain=5)
    a.store.save_note(visit.id, "S", "Neck stiff.")
    a.sync()
    b.sync()
    # Apart: neither room syncs while both edit.
    a.store.update_visit(visit.id, pain=3)
    a.store.save_note(visit.id, "S", "Neck stiff, better today.")
    b.store.update_visit(visit.id, pain=8)
    b.store.save_note(visit.id, "S", "Neck stiff, worse after work.")
    for room in (a, b, a):
        room.sync()

    for room in (a, b):
        found = {(c.kind, c.section): c for c in replication.conflicts(room.conn)}
        assert set(found) == {("visits", ""), ("note", "S")}
        pains = sorted(v.content["pain"] for v in found[("visits", "")].versions)
        assert pains == [3, 8]
        texts = {v.content["text"] for v in found[("note", "S")].versions}
        assert texts == {"Neck stiff, better today.", "Neck stiff, worse after work."}
        # Both note revisions 2 are kept: no UNIQUE failure, full history.
        assert [r.revision for r in room.store.note_history(visit.id, "S")] == [1, 2, 2]
    # Until the pick, every room shows the same current value.
    assert a.store.get_visit(visit.id).pain == b.store.get_visit(visit.id).pain
    assert a.store.current_notes(visit.id) == b.store.current_notes(visit.id)

    conflict = next(c for c in replication.conflicts(a.conn) if c.kind == "visits")
    theirs = next(v for v in conflict.versions if v.content["pain"] == 8)
    replication.resolve_record(a.conn, a.path, "visits", visit.id, theirs.revision_id)
    replication.resolve_note(
        a.conn, a.path, visit.id, "S", "Neck stiff, worse after work."
    )
    assert a.store.get_visit(visit.id).pain == 8
    assert replication.conflicts(a.conn) == []
    a.sync()
    b.sync()
    assert replication.conflicts(b.conn) == []
    assert b.store.get_visit(visit.id).pain == 8
    assert b.store.current_notes(visit.id)["S"].text == "Neck stiff, worse after work."
    # A later ordinary edit in B builds on the pick: no new conflict.
    b.store.update_visit(visit.id, pain=7)
    b.sync()
    a.sync()
    assert a.store.get_visit(visit.id).pain == 7
    assert replication.conflicts(a.conn) == []
    assert_converged(a.conn, b.conn)


def test_two_patients_with_one_chart_number_made_apart_both_arrive(hub: Hub) -> None:
    """Rooms apart both register chart 100: no UNIQUE failure, both patients kept."""
    a, b = hub.room("a"), hub.room("b")
    first = a.store.create_patient(chart_number="100", initials="AA")
    second = b.store.create_patient(chart_number="100", initials="BB")
    for room in (a, b, a):
        room.sync()
    for room in (a, b):
        found = {p.id for p in room.store.find_patients("100")}
        assert found == {first.id, second.id}
    assert_converged(a.conn, b.conn)
