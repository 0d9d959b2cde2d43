"""Note search runs on a worker, on its own read connection; stale results drop."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from companion.ui.main_window import MainWindow
from companion.ui.notes_search import NotesSearchDialog

Launch = Callable[..., MainWindow]


def _note(window: MainWindow, chart: str, text: str) -> str:
    window.ops.create_patient(chart_number=chart)
    window.clinic.new_visit()
    window.clinic.editor.notes["S"].setPlainText(text)
    window.clinic.editor.autosave.flush()
    return window.ops.visit.id


def _dialog(window: MainWindow) -> NotesSearchDialog:
    dialog = NotesSearchDialog(window.ops, window.state.strings, window)
    dialog._timer.stop()
    return dialog


def test_search_returns_at_once_and_the_hits_follow(launch: Launch, qtbot: QtBot):
    """run_search hands the query to a worker: the GUI thread does not wait for it."""
    window = launch()
    wanted = _note(window, "G-1", "pain after gardening weekend")
    dialog = _dialog(window)
    dialog.query.setText("garden")
    dialog._timer.stop()
    dialog.run_search()
    assert dialog.searching and dialog.results.count() == 0  # not done here
    qtbot.waitUntil(lambda: not dialog.searching, timeout=5000)
    assert dialog.results.count() == 1
    item = dialog.results.item(0)
    assert item.data(0x0100) == wanted and "[gardening]" in item.text()


def test_results_of_an_older_query_never_show(launch: Launch, qtbot: QtBot):
    """Typing on cancels the older search; only the newest query's hits appear."""
    window = launch()
    _note(window, "A-1", "alpha spasm")
    beta = _note(window, "B-1", "beta spasm")
    dialog = _dialog(window)
    for text in ("alpha", "alp", "spasm", "beta"):  # as the clinician types
        dialog.query.setText(text)
        dialog._timer.stop()
        dialog.run_search()
    qtbot.waitUntil(lambda: not dialog.searching, timeout=5000)
    qtbot.wait(300)  # time for any older worker's late answer to arrive
    shown = [dialog.results.item(i).data(0x0100) for i in range(dialog.results.count())]
    assert shown == [beta]


def test_enter_before_the_hits_opens_the_first(launch: Launch, qtbot: QtBot):
    """Enter pressed while the search runs opens the first hit once it arrives."""
    window = launch()
    wanted = _note(window, "J-1", "lumbago after lifting")
    _note(window, "K-1", "neck stiffness")
    dialog = _dialog(window)
    dialog.query.setText("lumbago")
    dialog.open_current()  # the timer had not fired: searches, then opens
    qtbot.waitUntil(lambda: window.ops.visit.id == wanted, timeout=5000)
    assert window.ops.patient.chart_number == "J-1"
