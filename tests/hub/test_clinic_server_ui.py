"""The window's clinic-server status item and the "two versions — review" pick."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from companion.hub.join import join
from companion.store import replication
from companion.ui.clinic_server_review import ReviewDialog
from tests.hub.conftest import Hub


def _join_window(window: Any, hub: Hub, name: str) -> None:
    store = window.ops.store
    role, password = hub.add_login(name)
    join(store.path, hub.url(role), password, replication.room_id(store.conn))
    window.clinic_server.sync.rejoined()
    window.clinic_server.sync.start()


def test_the_status_item_says_in_step_then_unreachable_with_the_count(
    launch: Any, qtbot: Any, hub: Hub, tmp_path: Path
) -> None:
    """Joined: "in step"; hub off and a save: "unreachable — … N waiting"."""
    window = launch(tmp_path / "room")
    label = window.clinic_server.label
    assert not label.isVisibleTo(window) and label.text() == ""  # never joined
    _join_window(window, hub, "ui")
    qtbot.waitUntil(lambda: label.text() == "Clinic server: in step", timeout=20000)
    assert label.isVisibleTo(window)
    hub.server.stop()
    try:
        ops = window.ops
        patient = ops.store.create_patient(chart_number="S-1", initials="SS")
        assert ops.open_patient(patient.id)
        waiting = replication.waiting(ops.store.conn)
        assert waiting > 0
        window.clinic_server.sync.poke()
        qtbot.waitUntil(lambda: "unreachable" in label.text(), timeout=20000)
        assert label.text() == (
            "Clinic server: unreachable — saved in this room, "
            f"{replication.waiting(ops.store.conn)} waiting"
        )
    finally:
        hub.server.start()
    qtbot.waitUntil(lambda: label.text() == "Clinic server: in step", timeout=30000)
    assert replication.waiting(window.ops.store.conn) == 0


def test_the_review_shows_both_versions_and_the_pick_replicates(
    launch: Any, qtbot: Any, hub: Hub, tmp_path: Path
) -> None:
    """Both rooms changed the visit apart; the window keeps the other's version."""
    window = launch(tmp_path / "room")
    store = window.ops.store
    other = hub.room("other")
    patient = store.create_patient(chart_number="V-1", initials="VV")
    visit = store.start_visit(patient.id, pain=5)
    _join_window(window, hub, "ui")
    sync = window.clinic_server.sync
    qtbot.waitUntil(lambda: sync.status.state == "in_step", timeout=20000)
    sync.stop()
    qtbot.waitUntil(lambda: not sync.running, timeout=20000)
    other.sync()
    store.update_visit(visit.id, pain=2)
    other.store.update_visit(visit.id, pain=9)
    other.sync()
    # The window's own round, run here so the test knows when it is done.
    replication.sync(store.conn, store.path, sync._client)
    label = window.clinic_server.label
    sync.recount()
    qtbot.waitUntil(
        lambda: label.text() == "Clinic server: in step · 1 with two versions — review",
        timeout=20000,
    )
    assert window.clinic_server.review_action.isEnabled()
    qtbot.waitUntil(lambda: not sync.running, timeout=20000)
    dialog = ReviewDialog(window.context)
    qtbot.addWidget(dialog)
    assert dialog.items.count() == 1
    assert dialog.items.item(0).text() == "Visit findings"
    texts = [box.toPlainText() for box in dialog.texts]
    assert len(texts) == 2 and any("pain: 9" in t for t in texts)
    assert any("pain: 2" in t for t in texts)
    ninth = next(i for i, t in enumerate(texts) if "pain: 9" in t)
    dialog.keep_buttons[ninth].click()
    assert dialog.message.text() == (
        "Kept. The other rooms get your choice when they next connect."
    )
    assert dialog.items.count() == 0
    assert store.get_visit(visit.id).pain == 9
    # The pick is a clinical decision: audited with the record's id, no PHI.
    picked = [e for e in store.audit_log() if e.event == "resolve_conflict"]
    assert [e.record_id for e in picked] == [visit.id]
    dialog.close()
    qtbot.waitUntil(lambda: label.text() == "Clinic server: in step", timeout=20000)
    sync.start()
    qtbot.waitUntil(lambda: replication.waiting(store.conn) == 0, timeout=20000)
    other.sync()
    assert replication.conflicts(other.conn) == []
    assert other.store.get_visit(visit.id).pain == 9
