"""Another program holding the write lock: typing is kept, saved once it lets go."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from companion.store.cipher import connect
from companion.ui.main_window import MainWindow

Launch = Callable[..., MainWindow]

TYPED = {
    "S": "Typed while the file was locked",
    "O": "Tender over L4",
    "A": "Facet irritation",
    "P": "Review in a week",
}


def test_a_foreign_write_lock_neither_freezes_nor_loses_the_note(
    launch: Launch, qtbot: QtBot
):
    """While another connection holds BEGIN IMMEDIATE, a flush of four typed
    sections is one attempt: one statement meets the lock (waiting out the
    short busy timeout once), the rest give up without touching the file. The
    text stays, the status says why, and the retry saves every section."""
    window = launch()
    window.ops.create_patient(chart_number="BUSY-1")
    window.state.select("L4")
    window.clinic.new_visit()
    editor = window.clinic.editor
    store = window.ops.store
    statements: list[str] = []
    other = connect(store.path, store.key)
    try:
        other.execute("BEGIN IMMEDIATE")
        for section, text in TYPED.items():
            editor.notes[section].setPlainText(text)
        store.conn.set_trace_callback(statements.append)
        assert not editor.autosave.flush()
        store.conn.set_trace_callback(None)
        # The old path ran BEGIN IMMEDIATE per draft and per revision (8 here),
        # each waiting out the busy timeout on the GUI thread.
        begins = [s for s in statements if s.startswith("BEGIN")]
        assert begins == ["BEGIN IMMEDIATE"]
        assert "Another program" in editor.error_banner.text()
        assert editor.save_status.text() == window.state.strings.t("visit.not_saved")
        for section, text in TYPED.items():
            assert editor.notes[section].toPlainText() == text
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert editor.autosave.commit_timer.isActive()  # it tries again by itself
    editor.autosave.commit_timer.timeout.emit()
    notes = window.ops.current_notes()
    assert {s: n.text for s, n in notes.items()} == TYPED
    assert editor.error_banner.isHidden()


def test_each_attempt_meets_the_lock_afresh(launch: Launch, qtbot: QtBot):
    """The give-up lasts one attempt only: a save after the lock is released
    goes through at once, without waiting for a timer."""
    window = launch()
    window.ops.create_patient(chart_number="BUSY-2")
    store = window.ops.store
    other = connect(store.path, store.key)
    try:
        other.execute("BEGIN IMMEDIATE")
        assert not window.ops.create_patient(chart_number="BUSY-3")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert window.ops.create_patient(chart_number="BUSY-3")
    assert window.ops.patient is not None
    assert window.ops.patient.chart_number == "BUSY-3"
