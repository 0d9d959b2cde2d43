"""Another program holding the write lock: typing is kept, saved once it lets go."""

from __future__ import annotations

import time
from collections.abc import Callable

from pytestqt.qtbot import QtBot

from companion.app import GUI_BUSY_TIMEOUT_S
from companion.store.cipher import connect
from companion.ui.main_window import MainWindow

Launch = Callable[..., MainWindow]


def test_a_foreign_write_lock_neither_freezes_nor_loses_the_note(
    launch: Launch, qtbot: QtBot
):
    """While another connection holds BEGIN IMMEDIATE, a save gives up at once
    with a message naming the cause; the text stays, and the retry saves it."""
    window = launch()
    window.ops.create_patient(chart_number="BUSY-1")
    window.state.select("L4")
    window.clinic.new_visit()
    editor = window.clinic.editor
    store = window.ops.store
    other = connect(store.path, store.key)
    try:
        other.execute("BEGIN IMMEDIATE")
        editor.notes["S"].setPlainText("Typed while the file was locked")
        began = time.perf_counter()
        assert not editor.autosave.flush()
        waited = time.perf_counter() - began
        assert "Another program" in editor.error_banner.text()
        assert editor.notes["S"].toPlainText() == "Typed while the file was locked"
        # Several statements, each within the short timeout, never SQLite's 5 s.
        assert waited < 50 * GUI_BUSY_TIMEOUT_S
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert editor.autosave.commit_timer.isActive()  # it tries again by itself
    editor.autosave.commit_timer.timeout.emit()
    notes = window.ops.current_notes()
    assert notes["S"].text == "Typed while the file was locked"
    print(f"\nsave attempt under a foreign lock returned in {waited * 1000:.0f} ms")
