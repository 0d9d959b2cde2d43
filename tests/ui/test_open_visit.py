"""The open patient and visit drive every view, whatever opened them (real widgets)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialogButtonBox, QRadioButton
from pytestqt.qtbot import QtBot

from companion.ui.handout_actions import HandoutChoice
from companion.ui.main_window import MainWindow
from companion.ui.notes_search import NotesSearchDialog
from tests.ui.test_handout import pdf_text

Launch = Callable[..., MainWindow]
PIN = "4821"


def two_patients(window: MainWindow) -> tuple[str, str]:
    """DEMO-A (with a searchable note) and DEMO-B, both with a visit; B left open."""
    ops = window.ops
    a = ops.create_patient(chart_number="DEMO-A", initials="AA").value
    visit = ops.start_visit(levels=["L4"], regions=["lumbar"]).value
    assert ops.commit_note(visit.id, "S", "zebrafinch stiffness")
    b = ops.create_patient(chart_number="DEMO-B", initials="BB").value
    assert ops.start_visit(levels=["C5"], regions=["cervical"])
    return a.id, b.id


def assert_everything_shows(window: MainWindow, chart: str) -> None:
    """List selection, banners, visit panel, progress and patient screen agree."""
    ops = window.ops
    assert ops.patient is not None and ops.patient.chart_number == chart
    picker = window.clinic.picker
    current = picker.results.currentItem()
    assert current is not None and chart in current.text()
    assert [i.text() for i in picker.results.selectedItems()] == [current.text()]
    assert chart in window.clinic.patient_label.text()
    assert chart in window.progress_panel.patient_banner.text()
    assert chart in window.exercise_panel.patient_banner.text()
    visits = window.progress_panel.episode_visits()
    assert visits and all(v.patient_id == ops.patient.id for v in visits)
    screen = window.patient_screen
    if ops.visit is not None:
        assert screen.codes() == list(ops.visit.levels or ops.visit.regions)
        assert chart in window.clinic.editor.title.text()


def test_one_click_in_the_list_opens_the_patient(launch: Launch, qtbot: QtBot):
    """A single click opens the patient; the list marks the open one only."""
    window = launch()
    two_patients(window)
    window.ops.open_patient(None)
    picker = window.clinic.picker
    picker.search.clear()
    assert picker.results.selectedItems() == []  # highlighted only when open
    row = next(
        r for r in range(picker.results.count())
        if "DEMO-A" in picker.results.item(r).text()
    )  # fmt: skip
    rect = picker.results.visualItemRect(picker.results.item(row))
    qtbot.mouseClick(
        picker.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
    )
    assert_everything_shows(window, "DEMO-A")


def test_a_search_hit_opens_its_patient_everywhere(launch: Launch, qtbot: QtBot):
    """Opening a note-search hit of DEMO-A while DEMO-B is listed moves every view."""
    window = launch()
    two_patients(window)
    assert_everything_shows(window, "DEMO-B")
    dialog = NotesSearchDialog(window.ops, window.state.strings, window)
    qtbot.keyClicks(dialog.query, "zebrafinch")
    dialog.open_current()  # Enter: the hit opens as soon as the search is back
    qtbot.waitUntil(lambda: window.ops.patient.chart_number == "DEMO-A", timeout=5000)
    assert_everything_shows(window, "DEMO-A")
    assert window.ops.visit is not None and window.ops.visit.levels == ("L4",)


def test_unlock_reopens_the_same_patient_everywhere(launch: Launch, qtbot: QtBot):
    """After Ctrl+L and the PIN, the list, banners and panels show the same patient."""
    window = launch()
    a_id, _b = two_patients(window)
    window.ops.open_patient(a_id)
    window.app_lock.set_pin(PIN)
    assert window.app_lock.lock()
    assert window.ops.patient is None
    assert window.clinic.picker.results.count() == 0  # no names behind the lock
    assert window.app_lock.try_unlock(PIN)
    assert_everything_shows(window, "DEMO-A")


def test_the_open_visit_comes_back_after_a_restart(
    launch: Launch, qtbot: QtBot, tmp_path: Path
):
    """Quit with DEMO-A's visit open; the next start opens it, everywhere."""
    home = tmp_path / "clinic"
    window = launch(home)
    a_id, _b = two_patients(window)
    window.ops.open_patient(a_id)
    visit_id = window.ops.visits()[0].id
    window.ops.open_visit(visit_id)
    window.close()
    again = launch(home)
    assert again.ops.visit is not None and again.ops.visit.id == visit_id
    assert_everything_shows(again, "DEMO-A")


def test_with_a_pin_the_app_starts_locked_and_keeps_the_wait(
    launch: Launch, qtbot: QtBot, tmp_path: Path
):
    """Closing while locked, then starting again, asks for the PIN; the wrong-PIN
    wait is kept across the restart; the PIN then opens the last patient."""
    home = tmp_path / "clinic"
    window = launch(home)
    a_id, _b = two_patients(window)
    window.ops.open_patient(a_id)
    window.app_lock.set_pin(PIN)
    window.app_lock.lock()
    for _ in range(4):  # the third and fourth wrong PIN make the next try wait
        window.app_lock.next_try_at = 0.0
        assert not window.app_lock.try_unlock("0000")
    failures = window.app_lock.failures
    window.close()
    again = launch(home)
    lock = again.app_lock
    assert lock.locked and again.ops.patient is None
    assert lock.failures == failures
    assert lock.next_try_at > lock.clock()  # still waiting: no reset by restarting
    assert not lock.try_unlock(PIN)  # refused while the wait runs
    lock.next_try_at = 0.0
    assert lock.try_unlock(PIN)
    assert_everything_shows(again, "DEMO-A")
    assert lock.failures == 0


def test_first_ctrl_l_sets_the_pin_and_locks(launch: Launch, qtbot: QtBot):
    """With no PIN yet, Ctrl+L asks for one and then locks at once."""
    window = launch()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    dialog = window.app_lock.pin_dialog
    qtbot.keyClicks(dialog.new_pin, PIN)
    qtbot.keyClicks(dialog.confirm, PIN)
    dialog.save()
    assert window.app_lock.has_pin and window.app_lock.locked


def test_new_visit_without_a_patient_says_why(launch: Launch, qtbot: QtBot):
    """Ctrl+Shift+N with no patient open tells the clinician what to do first."""
    window = launch()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(
        window,
        Qt.Key.Key_N,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.ops.visit is None
    assert "patient first" in window.statusBar().currentMessage()


def test_a_look_up_click_leaves_the_handout_on_the_visit(
    launch: Launch, qtbot: QtBot, tmp_path: Path
):
    """Car accident at C5, T6, L4, then a look-up click on S1: the PDF is about the
    three levels' regions, never the sacrum."""
    window = launch()
    window.ops.create_patient(chart_number="CAR-1", preferred_language="en")
    for code in ("C5", "T6", "L4"):
        window.state.select(code)
        if window.ops.visit is None:
            window.clinic.new_visit()
        else:
            window.clinic.editor.add_current_selection()
    window.spine_view.level_clicked.emit("S1")
    assert window.ops.visit.levels == ("C5", "T6", "L4")
    content = window.state.content_for("en")
    path = tmp_path / "car.pdf"
    layout = window.patient_screen_controls.handout.save_to(path)
    assert layout is not None and layout.fits
    pages, text = pdf_text(path)
    assert pages == 1
    for region in ("cervical", "thoracic", "lumbar"):
        assert content.regions[region].name.split(" (")[0] in text
    # The whole spine is drawn (its labels name every region); the words are not
    # about the sacrum.
    assert content.regions["sacral"].patient.split(".")[0] not in text
    assert content.regions["lumbar"].patient.split(".")[0] in text


def test_the_assessment_follows_the_levels_until_edited(launch: Launch, qtbot: QtBot):
    """The prefilled assessment names every level added; once typed in, it stays."""
    window = launch()
    window.ops.create_patient(chart_number="AS-1")
    window.state.select("C5")
    window.clinic.new_visit()
    editor = window.clinic.editor
    assert "C5" in editor.notes["A"].toPlainText()
    for code in ("T6", "L4"):
        window.state.select(code)
        editor.add_current_selection()
    text = editor.notes["A"].toPlainText()
    assert all(code in text for code in ("C5", "T6", "L4"))
    editor.notes["A"].setPlainText("My own impression")
    editor.remove_level("T6")
    assert editor.notes["A"].toPlainText() == "My own impression"
    assert window.ops.visit.levels == ("C5", "L4")


def test_a_crash_sets_trauma_present_and_all_absent_undoes(
    launch: Launch, qtbot: QtBot
):
    """Car accident ticks Significant trauma Present; All absent fills the rest in one
    step and pressing it again puts the answers back."""
    window = launch()
    window.ops.create_patient(chart_number="TR-1")
    window.state.select("C5")
    window.clinic.new_visit()
    editor = window.clinic.editor
    editor.mechanism.setCurrentIndex(editor.mechanism.findData("car_accident"))
    assert window.ops.visit.red_flags.get("trauma") == "present"
    present = editor.findChild(QRadioButton, "flag_trauma_present")
    assert present is not None and present.isChecked()
    assert editor.flag_banner.isVisibleTo(window)
    before = dict(window.ops.visit.red_flags)
    editor.all_absent_button.click()
    after = dict(window.ops.visit.red_flags)
    assert after["trauma"] == "present"
    assert len(after) > 1 and all(
        a == "absent" for f, a in after.items() if f != "trauma"
    )
    editor.all_absent_button.click()  # undo
    assert dict(window.ops.visit.red_flags) == before


def test_a_new_injury_is_its_own_course(launch: Launch, qtbot: QtBot):
    """A car-accident visit after a mid-back course that went 7 → 1 starts a new
    episode: progress shows that episode only, and the old course can be chosen."""
    window = launch()
    ops = window.ops
    ops.create_patient(chart_number="EP-1")
    onset = date.today() - timedelta(weeks=12)
    for week, pain in ((0, 7), (4, 3), (8, 1)):
        assert ops.start_visit(
            visit_date=onset + timedelta(weeks=week),
            onset_date=onset,
            mechanism="sport",
            pain=pain,
            levels=["T6"],
            regions=["thoracic"],
        )
    crash = ops.start_visit(
        visit_date=onset + timedelta(weeks=9),
        onset_date=onset + timedelta(weeks=9),
        mechanism="car_accident",
        pain=6,
        levels=["C5"],
        regions=["cervical"],
    ).value
    panel = window.progress_panel
    panel.refresh()
    assert [v.id for v in panel.episode_visits()] == [crash.id]
    assert panel.summary is not None and panel.summary.baseline_pain == 6
    assert not panel.banner.isVisibleTo(window)  # no "not improving after 8 weeks"
    assert panel.episode_choice.count() == 2
    old = panel.episode_choice.findData(ops.visits()[-1].episode_id)
    panel.episode_choice.activated.emit(old)
    assert [v.pain for v in panel.episode_visits()] == [1, 3, 7]
    screen = window.patient_screen
    assert screen.progress() is None  # one scored visit in this episode
    follow = ops.start_visit(pain=4).value
    assert follow.episode_id == crash.episode_id
    assert follow.onset_date == crash.onset_date  # "Pain began" carried forward


@pytest.mark.parametrize("language", ["en", "es"])
def test_visit_form_fits_1280x720_without_scrolling_sideways(
    launch: Launch, qtbot: QtBot, language: str
):
    """At 1280×720 the visit form has no horizontal scrollbar and every red-flag
    answer is inside the visible width (geometry, not a screenshot)."""
    window = launch()
    window.state.set_language(language)
    window.resize(1280, 720)
    window.ops.create_patient(chart_number="FIT-1")
    window.state.select("C5")
    window.clinic.new_visit()
    for code in ("T6", "L4"):
        window.state.select(code)
        window.clinic.editor.add_current_selection()
    qtbot.wait(50)
    scroll = window.clinic.scroll
    assert not scroll.horizontalScrollBar().isVisible()
    viewport = scroll.viewport()
    radios = window.clinic.editor.findChildren(QRadioButton)
    assert radios
    for radio in radios:
        left = radio.mapTo(viewport, QPoint(0, 0)).x()
        assert left >= 0 and left + radio.sizeHint().width() <= viewport.width(), (
            radio.objectName()
        )
    box = window.clinic.editor.levels_box
    assert box.mapTo(viewport, QPoint(box.width(), 0)).x() <= viewport.width()


def test_a_dock_saved_too_narrow_comes_back_usable(
    launch: Launch, qtbot: QtBot, tmp_path: Path
):
    """A layout saved with a 200 px visit dock opens at least as wide as its content."""
    home = tmp_path / "clinic"
    window = launch(home)
    window.clinic_dock.setMinimumWidth(0)
    window.clinic.setMinimumWidth(0)
    window.resizeDocks([window.clinic_dock], [200], Qt.Orientation.Horizontal)
    window.close()
    again = launch(home)
    assert again.clinic_dock.width() >= again.clinic.minimumWidth()
    assert not again.clinic.scroll.horizontalScrollBar().isVisible()


def test_handout_choice_and_file_name(launch: Launch, qtbot: QtBot, tmp_path: Path):
    """The suggested file carries chart number and date; two patients differ; the
    chosen paper size is kept for next time."""
    window = launch()
    ops = window.ops
    handout = window.patient_screen_controls.handout
    names = []
    for chart in ("FN-1", "FN-2"):
        ops.create_patient(chart_number=chart)
        ops.start_visit(levels=["L4"], regions=["lumbar"])
        names.append(handout.suggested_path().name)
    assert names[0] != names[1] and all(n.endswith(".pdf") for n in names)
    assert "FN-1" in names[0] and date.today().isoformat() in names[0]
    handout.ask = lambda default, missing: HandoutChoice(default.language, "a4")
    assert handout._choose() == HandoutChoice("en", "a4")
    assert handout.default_choice().page_size == "a4"
    assert handout.missing() == ["plan", "follow_up"]


def test_ctrl_shift_p_is_one_dialog_in_the_patients_language(
    launch: Launch, qtbot: QtBot, tmp_path: Path
):
    """Ctrl+Shift+P opens one dialog: the patient's language, the paper, the file
    (last folder, chart number and date) and what is missing; Save writes it."""
    from PySide6.QtCore import QTimer

    window = launch()
    window.settings.set("handout/folder", str(tmp_path))
    window.ops.create_patient(chart_number="PDF-9", preferred_language="es")
    window.state.select("L4")
    window.clinic.new_visit()
    handout = window.patient_screen_controls.handout
    seen = {}

    def answer() -> None:
        dialog = handout.dialog
        seen["language"] = dialog.language.currentData()
        seen["path"] = dialog.path.text()
        seen["warning"] = dialog.warning.text()
        buttons = dialog.findChild(QDialogButtonBox)
        buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    QTimer.singleShot(0, answer)
    window.patient_screen_controls.pdf_action.trigger()
    assert seen["language"] == "es"
    # Named in the clinician's language (the clinic files it), for this patient.
    expected = tmp_path / f"handout-PDF-9-{date.today():%Y-%m-%d}.pdf"
    assert seen["path"] == str(expected)
    assert "plan is empty" in seen["warning"]
    assert expected.is_file()
    assert window.settings.get_str("handout/folder") == str(tmp_path)


def test_scrolling_the_form_never_changes_a_finding(launch: Launch, qtbot: QtBot):
    """The wheel over an unfocused pain slider, date or mechanism scrolls the form
    and leaves the value (and the record) as they were."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    window = launch()
    window.ops.create_patient(chart_number="WH-1")
    window.state.select("L4")
    window.clinic.new_visit()
    editor = window.clinic.editor
    before = window.ops.visit
    for field in (editor.pain, editor.follow_up, editor.mechanism):
        field.clearFocus()
        event = QWheelEvent(
            QPointF(5, 5), QPointF(field.mapToGlobal(QPoint(5, 5))), QPoint(0, 0),
            QPoint(0, -120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase, False,
        )  # fmt: skip
        QApplication.sendEvent(field, event)
    assert window.ops.visit.pain == before.pain
    assert window.ops.visit.follow_up == before.follow_up
    assert window.ops.visit.mechanism == before.mechanism


def test_ticking_a_treatment_keeps_those_of_other_regions(launch: Launch, qtbot: QtBot):
    """A treatment recorded for a region no longer on the visit is not dropped by
    ticking another one."""
    window = launch()
    window.ops.create_patient(chart_number="TK-1")
    window.state.select("L4")
    window.clinic.new_visit()
    content = window.state.content_for("en")
    neck_only = next(
        o.id for o in content.options if o.regions == ("cervical",) or (
            "cervical" in o.regions and "lumbar" not in o.regions
        )
    )
    assert window.ops.update_visit(treatments_given=[neck_only])
    editor = window.clinic.editor
    box = next(
        b for (option, kind), b in editor._treatment_boxes.items()
        if kind == "recommended"
    )  # fmt: skip
    box.setChecked(True)
    assert neck_only in window.ops.visit.treatments_given


def test_the_patient_plan_goes_on_the_handout_and_is_never_overwritten(
    launch: Launch, qtbot: QtBot, tmp_path: Path
):
    """Typed in the form it is printed (even unsaved, the handout flushes it); set
    elsewhere, the form shows it and saving the handout keeps it."""
    window = launch()
    window.ops.create_patient(chart_number="PL-1")
    window.state.select("L4")
    window.clinic.new_visit()
    editor = window.clinic.editor
    editor.patient_plan.setPlainText("Walk twenty minutes twice a day")
    editor.patient_plan.textChanged.emit()
    path = tmp_path / "plan.pdf"
    assert window.patient_screen_controls.handout.save_to(path) is not None
    assert "Walk twenty minutes twice a day" in pdf_text(path)[1]
    assert window.ops.update_visit(patient_plan="Heat in the evening")
    assert editor.patient_plan.toPlainText() == "Heat in the evening"
    assert window.patient_screen_controls.handout.save_to(path) is not None
    assert window.ops.visit.patient_plan == "Heat in the evening"
    assert "Heat in the evening" in pdf_text(path)[1]
