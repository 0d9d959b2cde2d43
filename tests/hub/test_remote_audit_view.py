"""Help → Audit log shows every other room's chain: intact, or the first altered row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from companion.hub.join import client_for, join
from companion.store import replication
from companion.ui.audit_log_view import AuditLogDialog
from tests.hub.conftest import Hub


def _open(window: Any, qtbot: Any) -> tuple[AuditLogDialog, Any]:
    dialog = AuditLogDialog(window.context)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.remote_checked, timeout=30000) as done:
        pass
    return dialog, done.args[0]


def test_the_audit_log_lists_other_rooms_chains_and_an_altered_row(
    launch: Any, qtbot: Any, hub: Hub, tmp_path: Path
) -> None:
    """Two other rooms' chains arrive intact; one altered here is named by row."""
    window = launch(tmp_path / "room")
    store = window.ops.store
    role, password = hub.add_login("ui")
    join(store.path, hub.url(role), password, replication.room_id(store.conn))
    client = client_for(store.path)
    dialog, result = _open(window, qtbot)
    assert result == {}
    assert dialog.remote.text() == "No other room's audit log has arrived yet."
    dialog.close()
    b, c = hub.room("b"), hub.room("c")
    for room in (b, c):
        patient = room.store.create_patient(chart_number=room.name, initials="RR")
        for _ in range(3):
            room.store.audit("open_patient", patient.id)
        room.sync()
    replication.sync(store.conn, store.path, client)
    client.close()

    dialog, result = _open(window, qtbot)
    assert set(result) == {b.room_id, c.room_id}
    assert dialog.remote.isVisibleTo(dialog)
    assert dialog.remote.text().splitlines() == sorted(
        [f"Room {b.room_id[:6]}: intact", f"Room {c.room_id[:6]}: intact"]
    )
    dialog.close()

    # Someone edits C's second row in this room's copy (past the trigger).
    conn = store.conn
    conn.execute("DROP TRIGGER remote_audit_log_refuse_update")
    conn.execute(
        "UPDATE remote_audit_log SET event = 'export' WHERE room_id = ? AND id = 2",
        (c.room_id,),
    )
    dialog, result = _open(window, qtbot)
    assert result[c.room_id] == (False, 2) and result[b.room_id] == (True, None)
    assert (
        f"Room {c.room_id[:6]}: altered — row 2 is the first that does not check out"
        in dialog.remote.text().splitlines()
    )
    dialog.close()


def test_a_single_room_clinic_sees_no_line_about_other_rooms(
    launch: Any, qtbot: Any, tmp_path: Path
) -> None:
    """Never joined: the dialog says nothing about rooms."""
    window = launch(tmp_path / "room")
    dialog, result = _open(window, qtbot)
    assert result == {}
    assert not dialog.remote.isVisibleTo(dialog)
