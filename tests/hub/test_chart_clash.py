"""Two patients registered apart with one chart number: listed, renumbered, synced."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from companion.store import replication
from companion.ui.clinic_server_review import ReviewDialog
from tests.hub.conftest import Hub
from tests.hub.helpers import assert_converged


def test_one_chart_number_twice_is_listed_for_review_in_every_room(hub: Hub) -> None:
    """Both patients are a "two patients with chart number" item, each editable."""
    a, b = hub.room("a"), hub.room("b")
    first = a.store.create_patient(chart_number="100", initials="AA")
    a.store.start_visit(first.id, pain=4)
    second = b.store.create_patient(chart_number="100", initials="BB")
    for room in (a, b, a):
        room.sync()
    for room in (a, b):
        (clash,) = replication.conflicts(room.conn)
        assert (clash.kind, clash.record_id) == ("chart_number", "100")
        by_id = {v.revision_id: v for v in clash.versions}
        assert set(by_id) == {first.id, second.id}
        assert by_id[first.id].room_id == a.room_id
        assert by_id[second.id].room_id == b.room_id
        assert by_id[first.id].content["visits"] == 1
        assert by_id[second.id].content["initials"] == "BB"
    # Meanwhile either can be edited without touching its chart number.
    b.store.update_patient(first.id, display_name="Ana Alba")
    b.sync()
    a.sync()
    assert a.store.get_patient(first.id).display_name == "Ana Alba"
    # A new number for one settles it, everywhere.
    b.store.update_patient(second.id, chart_number="100-B")
    b.sync()
    a.sync()
    for room in (a, b):
        assert replication.conflicts(room.conn) == []
        assert room.store.get_patient(second.id).chart_number == "100-B"
        assert [p.id for p in room.store.find_patients("100-B")] == [second.id]
    assert_converged(a.conn, b.conn)


def test_the_review_shows_both_patients_and_gives_one_a_new_number(
    launch: Any, qtbot: Any, hub: Hub, tmp_path: Path
) -> None:
    """The window lists the clash, both side by side; a new number replicates."""
    window = launch(tmp_path / "room")
    store = window.ops.store
    role, password = hub.add_login("ui")
    from companion.hub.join import client_for, join

    join(store.path, hub.url(role), password, replication.room_id(store.conn))
    client = client_for(store.path)
    other = hub.room("other")
    mine = store.create_patient(chart_number="7", initials="MM")
    theirs = other.store.create_patient(chart_number="7", initials="TT")
    other.sync()
    replication.sync(store.conn, store.path, client)
    dialog = ReviewDialog(window.context)
    qtbot.addWidget(dialog)
    assert [dialog.items.item(i).text() for i in range(dialog.items.count())] == [
        "Two patients with chart number 7"
    ]
    assert dialog.hint.isVisibleTo(dialog)
    texts = [box.toPlainText() for box in dialog.texts]
    assert len(texts) == 2 and dialog.keep_buttons == []
    assert any("initials: MM" in t for t in texts)
    assert any("initials: TT" in t for t in texts)
    column = next(i for i, t in enumerate(texts) if "initials: TT" in t)
    assert not dialog.renumber_buttons[column].isEnabled()
    # The shared number, or one a third patient has: refused in words.
    dialog.chart_edits[column].setText(" 7 ")
    dialog.renumber_buttons[column].click()
    assert dialog.message.text() == (
        "Both patients have chart number 7; type another one."
    )
    store.create_patient(chart_number="8", initials="EE")
    dialog.chart_edits[column].setText("8")
    dialog.renumber_buttons[column].click()
    assert "already belongs to another patient" in dialog.message.text()
    assert dialog.items.count() == 1
    dialog.chart_edits[column].setText("7-T")
    dialog.renumber_buttons[column].click()
    assert dialog.message.text() == (
        "Chart number 7-T given. The other rooms get the change when they next connect."
    )
    assert dialog.items.count() == 0
    assert store.get_patient(theirs.id).chart_number == "7-T"
    assert store.get_patient(mine.id).chart_number == "7"
    replication.sync(store.conn, store.path, client)
    other.sync()
    assert other.store.get_patient(theirs.id).chart_number == "7-T"
    assert replication.conflicts(other.conn) == []
    client.close()
