"""pytest-qt tests of the visit workflow on a real database: patients, visits, notes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPlainTextEdit, QRadioButton
from pytestqt.qtbot import QtBot

from companion.app import StartupError, build_ready
from companion.store import list_backups, open_store
from companion.store.quit_backup import unbacked_marker
from companion.ui.main_window import MainWindow
from companion.ui.ops import draft_key
from companion.ui.patient_picker import NewPatientDialog

Launch = Callable[..., MainWindow]


def add_patient(window: MainWindow, qtbot: QtBot, chart: str, initials: str = ""):
    """Create a patient through the real dialog, typing as a user would."""
    dialog = NewPatientDialog(window.ops, window.state.strings, window)
    qtbot.keyClicks(dialog.chart_number, chart)
    qtbot.keyClicks(dialog.initials, initials)
    dialog.save()
    assert dialog.created is not None, dialog.error.text()
    return dialog.created


def test_new_patient_needs_chart_number_or_initials(launch: Launch, qtbot: QtBot):
    """An empty chart number and initials is refused with a message; nothing saved."""
    window = launch()
    dialog = NewPatientDialog(window.ops, window.state.strings, window)
    qtbot.keyClicks(dialog.chart_number, "   ")
    dialog.save()
    assert dialog.created is None
    assert "chart number" in dialog.error.text().lower()
    assert window.ops.store.find_patients("") == []


def test_patient_search_is_keyboard_first(launch: Launch, qtbot: QtBot):
    """Typing part of a chart number and pressing Enter opens that patient."""
    window = launch()
    add_patient(window, qtbot, "A-100", "JD")
    add_patient(window, qtbot, "B-200", "MK")
    window.ops.open_patient(None)
    picker = window.clinic.picker
    picker.search.clear()
    qtbot.keyClicks(picker.search, "b-2")
    assert picker.results.count() == 1
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert window.ops.patient is not None
    assert window.ops.patient.chart_number == "B-200"
    assert "B-200" in window.clinic.patient_label.text()


def test_new_visit_is_prefilled_from_the_selection(launch: Launch, qtbot: QtBot):
    """A visit started with L4 selected records L4/lumbar and names its muscles."""
    window = launch()
    add_patient(window, qtbot, "C-1")
    window.state.select("L4")
    window.clinic.new_visit()
    visit = window.ops.visit
    assert visit is not None
    assert visit.levels == ("L4",) and visit.regions == ("lumbar",)
    assessment = window.clinic.editor.notes["A"].toPlainText()
    assert "L4" in assessment and "Erector spinae" in assessment


def test_typed_note_survives_a_restart(launch: Launch, qtbot: QtBot, tmp_path: Path):
    """Type, see Saved (after COMMIT), close, restart on the folder, see it."""
    home = tmp_path / "clinic"
    window = launch(home)
    add_patient(window, qtbot, "D-1")
    window.clinic.new_visit()
    editor = window.clinic.editor
    note = editor.notes["S"]
    note.setFocus()
    qtbot.keyClicks(note, "Woke with a stiff neck")
    # Pasted text: QTest cannot type characters outside the keyboard's reach.
    note.insertPlainText(" — ñandú 😀 مرحبا")
    qtbot.waitUntil(lambda: editor.save_status.text().startswith("Saved"), timeout=3000)
    visit_id = window.ops.visit.id
    window.close()

    again = launch(home)
    again.ops.open_visit(visit_id)
    text = again.clinic.editor.notes["S"].toPlainText()
    assert text == "Woke with a stiff neck — ñandú 😀 مرحبا"


def test_draft_left_by_a_crash_becomes_a_revision(
    launch: Launch, qtbot: QtBot, tmp_path
):
    """A draft in the database at start (the app died mid-typing) is recovered."""
    home = tmp_path / "clinic"
    window = launch(home)
    add_patient(window, qtbot, "E-1")
    visit = window.ops.start_visit().value
    window.close()
    # What the app would have left if it had been killed after the draft commit.
    with open_store(home / "companion.db", backup_dir=home / "backups") as store:
        store.save_draft(draft_key(visit.id, "P"), "Heat 15 min twice daily")

    again = launch(home)
    assert "Recovered 1" in again.statusBar().currentMessage()
    notes = again.ops.store.current_notes(visit.id)
    assert notes["P"].text == "Heat 15 min twice daily"
    assert again.ops.store.all_drafts() == []


def test_edit_appends_a_revision_and_history_shows_both(launch: Launch, qtbot: QtBot):
    """Saving an edit keeps the old text as an earlier revision."""
    window = launch()
    add_patient(window, qtbot, "F-1")
    window.clinic.new_visit()
    editor = window.clinic.editor
    editor.notes["O"].setPlainText("ROM reduced")
    assert editor.autosave.flush()
    editor.notes["O"].setPlainText("ROM reduced, tender L4–L5")
    assert editor.autosave.flush()
    history = window.ops.note_history("O")
    assert [r.text for r in history] == ["ROM reduced", "ROM reduced, tender L4–L5"]
    editor.show_history("O")
    shown = editor.history_dialog.findChild(QPlainTextEdit, "historyText")
    assert shown.toPlainText() == "ROM reduced, tender L4–L5"


def test_pain_slider_saves_and_refuses_nothing_in_range(launch: Launch, qtbot: QtBot):
    """Moving the pain slider stores the value; the slider cannot leave 0–10."""
    window = launch()
    add_patient(window, qtbot, "G-1")
    window.clinic.new_visit()
    slider = window.clinic.editor.pain
    slider.setValue(7)
    assert window.ops.store.get_visit(window.ops.visit.id).pain == 7
    slider.setValue(42)
    assert slider.value() == 10
    assert window.clinic.editor.pain_value.text() == "10/10"


def test_positive_flag_and_trauma_raise_the_banner(launch: Launch, qtbot: QtBot):
    """A present red flag, or a car accident, shows its action in the banner."""
    window = launch()
    add_patient(window, qtbot, "H-1")
    window.state.select("L3")
    window.clinic.new_visit()
    editor = window.clinic.editor
    assert editor.flag_banner.isHidden()
    button = editor.flags_box.findChild(QRadioButton, "flag_cauda_equina_present")
    qtbot.wait(50)  # let the new rows be laid out, as they are before a person clicks
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    visit = window.ops.store.get_visit(window.ops.visit.id)
    assert visit.red_flags["cauda_equina"] == "present"
    assert not editor.flag_banner.isHidden()
    flag = next(f for f in window.state.content.red_flags if f.id == "cauda_equina")
    assert flag.action[:40] in editor.flag_banner.text()

    editor.mechanism.setCurrentIndex(editor.mechanism.findData("car_accident"))
    trauma = next(f for f in window.state.content.red_flags if f.id == "trauma")
    assert trauma.name in editor.flag_banner.text()


def test_treatment_choices_come_from_the_region(launch: Launch, qtbot: QtBot):
    """The soft collar is offered for the neck, not the low back; ticks save."""
    window = launch()
    add_patient(window, qtbot, "I-1")
    window.state.select("C5")
    window.clinic.new_visit()
    boxes = window.clinic.editor._treatment_boxes
    assert ("soft_collar", "given") in boxes
    boxes[("heat", "recommended")].setChecked(True)
    visit = window.ops.store.get_visit(window.ops.visit.id)
    assert visit.treatments_recommended == ("heat",)

    window.state.select("L2")
    window.clinic.new_visit()
    assert ("soft_collar", "given") not in window.clinic.editor._treatment_boxes


def test_search_opens_the_matching_visit(launch: Launch, qtbot: QtBot):
    """Searching notes finds the visit by a word in its current text and opens it."""
    window = launch()
    add_patient(window, qtbot, "J-1")
    window.clinic.new_visit()
    window.clinic.editor.notes["S"].setPlainText("pain after gardening weekend")
    window.clinic.editor.autosave.flush()
    wanted = window.ops.visit.id
    add_patient(window, qtbot, "K-1")
    window.search_notes()
    dialog = window.notes_search_dialog
    qtbot.keyClicks(dialog.query, "garden")
    qtbot.waitUntil(lambda: dialog.results.count() == 1, timeout=2000)
    qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    assert window.ops.visit.id == wanted
    assert window.ops.patient.chart_number == "J-1"


def test_export_writes_json_and_csv(launch: Launch, qtbot: QtBot, tmp_path: Path):
    """Export writes the open patient's record, notes included."""
    window = launch()
    add_patient(window, qtbot, "L-1")
    window.clinic.new_visit()
    window.clinic.editor.notes["P"].setPlainText("walk daily")
    window.clinic.editor.autosave.flush()
    json_path, csv_path = window.export_to(str(tmp_path))
    record = json.loads(Path(json_path).read_text(encoding="utf-8"))
    assert "walk daily" in json.dumps(record, ensure_ascii=False)
    assert "walk daily" in Path(csv_path).read_text(encoding="utf-8")


def test_check_database_reports_ok(launch: Launch, qtbot: QtBot):
    """Help → Check database runs the integrity check and says it passed."""
    window = launch()
    with qtbot.waitSignal(window.database_checked, timeout=60_000) as done:
        window.check_database()
    assert done.args == [True, []]
    assert "passed" in window.database_check.result_box.text()


def test_second_window_on_same_folder_is_refused(launch: Launch, tmp_path: Path):
    """A second instance on the same data folder gets a clear message."""
    home = tmp_path / "clinic"
    launch(home)
    with pytest.raises(StartupError, match="already open"):
        build_ready(["--data-dir", str(home)])


def test_backups_daily_weekly_and_at_quit(launch: Launch, qtbot: QtBot, tmp_path):
    """Start makes daily and weekly copies; quitting minutes later after a change
    makes no second full copy but marks the change, and the next start backs it
    up at its first due check."""
    home = tmp_path / "clinic"
    window = launch(home)
    window.backups.due_check()
    assert window.backups.wait()
    kinds = sorted(b.kind for b in list_backups(home / "backups"))
    assert kinds == ["daily", "weekly"]
    add_patient(window, qtbot, "M-1")
    window.close()
    assert sorted(b.kind for b in list_backups(home / "backups")) == kinds
    assert unbacked_marker(home / "companion.db").exists()
    again = launch(home)
    assert again.ops.store.changed_since_backup  # counted as not backed up
    again.backups.request("auto")
    assert again.backups.wait()
    kinds = sorted(b.kind for b in list_backups(home / "backups"))
    assert kinds == ["auto", "daily", "weekly"]
    with open_store(
        sorted(list_backups(home / "backups", "auto"))[-1].path,
        key=again.ops.store.key,
    ) as copy:
        assert [p.chart_number for p in copy.find_patients("M-1")] == ["M-1"]


def test_full_disk_keeps_text_and_saves_once_space_returns(
    launch: Launch, qtbot: QtBot
):
    """A full database shows a clear message, keeps the text, then saves later."""
    window = launch()
    add_patient(window, qtbot, "N-1")
    window.clinic.new_visit()
    editor = window.clinic.editor
    conn = window.ops.store.conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")  # no room for one more page
    big = "Radiating pain into the left leg. " * 4000
    editor.notes["S"].setPlainText(big)
    assert not editor.autosave.flush()
    assert "disk is full" in editor.error_banner.text()
    assert editor.save_status.text() == "Not saved"
    assert editor.notes["S"].toPlainText() == big
    assert window.ops.current_notes() == {}  # no partial row

    conn.execute("PRAGMA max_page_count = 1073741823")
    assert editor.autosave.flush()
    assert editor.error_banner.isHidden()
    assert window.ops.current_notes()["S"].text == big


def test_non_stop_typing_is_drafted_every_half_second(launch: Launch, qtbot: QtBot):
    """Typing without a pause still writes drafts, so a crash loses under a second."""
    window = launch()
    add_patient(window, qtbot, "P-1")
    window.clinic.new_visit()
    visit = window.ops.visit
    note = window.clinic.editor.notes["S"]
    note.setFocus()
    key = draft_key(visit.id, "S")
    for _ in range(12):  # 1.2 s of typing, a key every 100 ms
        qtbot.keyClicks(note, "a")
        qtbot.wait(100)
    draft = window.ops.store.get_draft(key)
    assert draft is not None
    assert len(draft.payload) >= 6  # written while the typing went on


def test_the_saved_time_follows_a_language_switch(launch: Launch, qtbot: QtBot):
    """'Saved 10:41' becomes 'Guardado 10:41' with the rest of the form (seen on
    screen under Xvfb: the only English words left after switching)."""
    window = launch()
    add_patient(window, qtbot, "LANG-1")
    window.clinic.new_visit()
    editor = window.clinic.editor
    editor.notes["S"].setPlainText("Dolor lumbar")
    assert editor.autosave.flush()
    status = editor.save_status
    qtbot.waitUntil(lambda: status.text().startswith("Saved "))
    when = status.text().removeprefix("Saved ")
    window.state.set_language("es")
    assert status.text() == f"Guardado {when}"
    window.state.set_language("en")
    assert status.text() == f"Saved {when}"
