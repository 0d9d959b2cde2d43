"""After the lock clears the search boxes, Ctrl+Z brings no query back."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from companion.ui.main_window import MainWindow

Launch = Callable[..., MainWindow]
PIN = "4821"
QUERY = "zygapophyseal"


def _undo(qtbot: QtBot, box: QLineEdit) -> None:
    """One Ctrl+Z, as the clinician would press it (once: a second undo would
    also undo the typing and hide a restored query)."""
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def test_note_search_undo_history_is_cleared_by_the_lock(
    launch: Launch, qtbot: QtBot
) -> None:
    window = launch()
    window.app_lock.set_pin(PIN)
    window.ops.create_patient(chart_number="UNDO-1")
    window.search_notes()
    dialog = window.notes_search_dialog
    qtbot.keyClicks(dialog.query, QUERY)
    dialog._timer.stop()
    assert dialog.query.text() == QUERY
    assert window.app_lock.lock()
    assert dialog.query.text() == ""
    assert window.app_lock.try_unlock(PIN)
    _undo(qtbot, dialog.query)
    assert dialog.query.text() == ""
    assert not dialog.query.isUndoAvailable()


def test_patient_search_undo_history_is_cleared_by_the_lock(
    launch: Launch, qtbot: QtBot
) -> None:
    window = launch()
    window.app_lock.set_pin(PIN)
    search = window.clinic.picker.search
    qtbot.keyClicks(search, QUERY)
    assert window.app_lock.lock()
    assert search.text() == ""
    assert window.app_lock.try_unlock(PIN)
    _undo(qtbot, search)
    assert search.text() == ""
    assert not search.isUndoAvailable()
