"""Prescribing a home-exercise programme on the open visit (real window, real store)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter

from companion.app import build
from companion.core.exercises import (
    Prescription,
    format_dose,
    load_library,
    progressed,
)
from companion.ui.exercise_panel import ExercisePanel
from companion.ui.main_window import MainWindow
from companion.ui.patient_screen_pages import exercise_on
from tests.ui.test_handout import fold

Launch = Callable[..., MainWindow]
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def lumbar_visit(window: MainWindow, **fields: object) -> None:
    """A patient with a lumbar visit open."""
    ops = window.ops
    assert ops.create_patient(chart_number="EX-1", initials="EX")
    assert ops.start_visit(levels=["L4"], regions=["lumbar"], **fields)


def prescribe_three(panel: ExercisePanel) -> None:
    """Tick bridge, bird dog and pelvic tilts; bridge gets 3 sets; save."""
    rows = {row.exercise.id: row for row in panel.rows}
    for exercise_id in ("bridge", "bird_dog", "pelvic_tilt"):
        rows[exercise_id].tick.setChecked(True)
    rows["bridge"].spins["sets"].setValue(3)
    assert panel.save()


def test_prescribe_three_with_one_dose_changed(launch: Launch) -> None:
    """Three ticked exercises and a changed dose are saved as the visit's programme."""
    window = launch()
    lumbar_visit(window)
    panel = window.exercise_panel
    prescribe_three(panel)
    saved = window.ops.current_programme()
    assert saved is not None
    by_id = {p.exercise_id: p.dose for p in saved.items}
    assert set(by_id) == {"bridge", "bird_dog", "pelvic_tilt"}
    assert by_id["bridge"].sets == 3


def test_keyboard_space_ticks_and_tab_reaches_the_dose(launch: Launch, qtbot) -> None:
    """Space ticks the focused exercise and Tab moves to its first dose box."""
    window = launch()
    lumbar_visit(window)
    window.exercise_dock.show()
    window.exercise_dock.raise_()
    panel = window.exercise_panel
    first = panel.rows[0]
    first.tick.setFocus()
    qtbot.waitUntil(first.tick.hasFocus)
    qtbot.keyClick(first.tick, Qt.Key.Key_Space)
    assert first.tick.isChecked()
    qtbot.keyClick(first.tick, Qt.Key.Key_Tab)
    assert window.focusWidget() is first.spins["sets"]


def test_ctrl_shift_e_brings_the_panel_forward(launch: Launch, qtbot) -> None:
    """Ctrl+Shift+E shows the Exercises tab in front, keyboard on the first tick."""
    window = launch()
    lumbar_visit(window)
    window.clinic_dock.show()
    window.clinic_dock.raise_()
    panel = window.exercise_panel
    qtbot.waitUntil(lambda: panel.visibleRegion().isEmpty())
    for _ in range(2):  # pressed again, it stays (a toggle would hide it)
        qtbot.keyClick(window, Qt.Key.Key_E, CTRL_SHIFT)
        qtbot.waitUntil(lambda: not panel.visibleRegion().isEmpty())
    qtbot.waitUntil(panel.rows[0].tick.hasFocus)


def test_osteoporosis_flag_greys_out_loaded_flexion(launch: Launch) -> None:
    """A raised osteoporosis flag puts loaded flexion last, greyed, with the reason."""
    window = launch()
    lumbar_visit(window)
    panel = window.exercise_panel
    assert panel.rows[0].tick.isEnabled()
    window.ops.update_visit(red_flags={"osteoporosis": "present"})
    rows = {row.exercise.id: row for row in panel.rows}
    for flexion in ("curl_up", "knee_to_chest"):
        row = rows[flexion]
        assert not row.tick.isEnabled()
        assert row.reason.text() and not row.reason.isHidden()
    suggested = [r.exercise.id for r in panel.rows if r.tick.isEnabled()]
    assert "curl_up" not in suggested and "bridge" in suggested
    assert panel.rows.index(rows["curl_up"]) > len(suggested) - 1


def next_visit(window: MainWindow) -> None:
    """The same patient comes back: a new visit in the same episode."""
    assert window.ops.start_visit(levels=["L4"], regions=["lumbar"])


def test_keep_carries_the_last_programme_forward(launch: Launch) -> None:
    """At the next visit Keep saves the same exercises and doses again."""
    window = launch()
    lumbar_visit(window)
    panel = window.exercise_panel
    prescribe_three(panel)
    before = window.ops.current_programme()
    next_visit(window)
    assert window.ops.current_programme() is None
    assert panel.earlier.isVisibleTo(panel)
    assert panel.keep()
    kept = window.ops.current_programme()
    assert kept is not None and before is not None
    assert kept.items == before.items and kept.copied_from == before.id
    assert not panel.earlier.isVisibleTo(panel)


def test_progress_steps_every_dose_up(launch: Launch) -> None:
    """At the next visit Progress saves the last programme one dose step harder."""
    window = launch()
    lumbar_visit(window)
    panel = window.exercise_panel
    rows = {row.exercise.id: row for row in panel.rows}
    rows["bridge"].tick.setChecked(True)
    assert panel.save()
    before = window.ops.current_programme()
    assert before is not None
    expected = progressed(before.items[0].dose)
    assert expected != before.items[0].dose
    next_visit(window)
    assert panel.progress()
    saved = window.ops.current_programme()
    assert saved is not None
    assert saved.items[0].dose == expected
    shown = {row.exercise.id: row for row in panel.rows}["bridge"]
    assert shown.tick.isChecked()
    assert shown.prescription() == Prescription("bridge", expected)


def test_change_starts_from_the_last_programme_unsaved(launch: Launch) -> None:
    """Change loads the last programme for editing; switching visit saves it."""
    window = launch()
    lumbar_visit(window)
    panel = window.exercise_panel
    prescribe_three(panel)
    next_visit(window)
    panel.change()
    assert window.ops.current_programme() is None
    assert len(panel.programme()) == 3
    assert window.ops.flush_pending()
    saved = window.ops.current_programme()
    assert saved is not None and len(saved.items) == 3


@pytest.mark.parametrize("language", ["en", "es"])
def test_panel_fits_at_1280_by_720(launch: Launch, qtbot, language: str) -> None:
    """At 1280×720, in English and Spanish, every row's control shows whole."""
    window = launch()
    window.resize(1280, 720)
    window.state.set_language(language)
    lumbar_visit(window)
    window.exercise_dock.show()
    window.exercise_dock.raise_()
    panel = window.exercise_panel
    qtbot.waitUntil(panel.isVisible)
    prescribe_three(panel)
    qtbot.wait(50)
    viewport = panel.scroll.viewport()
    for row in panel.rows:
        for widget in (row.tick, *row.spins.values()):
            hint = widget.minimumSizeHint()
            assert widget.width() >= hint.width(), widget.objectName()
            left = widget.mapTo(viewport, widget.rect().topLeft()).x()
            assert left >= 0 and left + widget.width() <= viewport.width(), (
                widget.objectName()
            )
    for button in (panel.save_button, panel.keep_button):
        assert button.width() >= button.minimumSizeHint().width()


def test_patient_screen_pages_through_each_exercise(launch: Launch, qtbot) -> None:
    """Each prescribed exercise is its own screen page: frames, dose, steps, stop."""
    window = launch()
    lumbar_visit(window)
    prescribe_three(window.exercise_panel)
    screen = window.patient_screen
    screen.present()
    qtbot.waitUntil(screen.isVisible)
    pages = screen.pages()
    firsts = {}
    for i, page in enumerate(pages):
        exercise = exercise_on(page)
        if exercise is not None:
            firsts.setdefault(exercise, i)
    assert list(firsts) == ["pelvic_tilt", "bird_dog", "bridge"]
    screen.go_to_page(firsts["bridge"] - 1)
    qtbot.keyClick(screen, Qt.Key.Key_Right)  # the screen's own paging keys
    assert screen.current_page() == firsts["bridge"]
    assert screen.exercise_frames.isVisible() and not screen.diagram.isVisible()
    assert screen.exercise_frames.frame_count() >= 2
    text = screen.plain_text()
    assert "Bridge" in text and "3 sets" in text and "When to stop" in text
    screen.go_to_page(0)
    assert screen.diagram.isVisible() and not screen.exercise_frames.isVisible()


def test_patient_screen_shows_the_programme_in_spanish(launch: Launch, qtbot) -> None:
    """In Spanish the exercise page's name, dose and stop heading are Spanish."""
    window = launch()
    lumbar_visit(window)
    prescribe_three(window.exercise_panel)
    screen = window.patient_screen
    screen.set_language("es")
    screen.present()
    qtbot.waitUntil(screen.isVisible)
    pages = screen.pages()
    bridge = next(i for i, p in enumerate(pages) if p.topics[0] == "exercise.bridge")
    screen.go_to_page(bridge)
    text = screen.plain_text()
    assert "Cuándo parar" in text and "3 series" in text, text


def page_texts(path: Path) -> list[str]:
    """Each PDF page's text, whitespace folded (read back with pypdf)."""
    return [fold(page.extract_text() or "") for page in PdfReader(str(path)).pages]


def test_handout_page_two_has_the_programme(launch: Launch, tmp_path: Path) -> None:
    """Page 2 names each exercise with its dose and stop rule; page 1 points to it."""
    window = launch()
    lumbar_visit(window)
    prescribe_three(window.exercise_panel)
    path = tmp_path / "handout.pdf"
    assert window.patient_screen_controls.handout.save_to(path) is not None
    pages = page_texts(path)
    assert len(pages) == 2
    assert "Your exercises are on page 2." in pages[0]
    library = load_library("en")
    assert "Your home exercises" in pages[1]
    for item in window.ops.current_programme().items:
        exercise = library.exercise(item.exercise_id)
        assert exercise.name in pages[1]
        assert fold(format_dose(library, item.dose)) in pages[1], item
        assert fold(exercise.stop) in pages[1], exercise.id
    assert "3 sets" in pages[1]
    assert "Mon Tue Wed Thu Fri Sat Sun" in pages[1]  # the weekly tick boxes


def test_handout_programme_is_in_the_patients_language(
    launch: Launch, tmp_path: Path
) -> None:
    """A Spanish-speaking patient's page 2 is in Spanish: names, doses, stop rules."""
    window = launch()
    lumbar_visit(window)
    assert window.ops.set_patient_language("es")
    prescribe_three(window.exercise_panel)
    path = tmp_path / "es.pdf"
    assert window.patient_screen_controls.handout.save_to(path) is not None
    pages = page_texts(path)
    assert len(pages) == 2
    assert "Tus ejercicios están en la página 2." in pages[0]
    library = load_library("es")
    for item in window.ops.current_programme().items:
        exercise = library.exercise(item.exercise_id)
        assert fold(exercise.name) in pages[1]
        assert fold(format_dose(library, item.dose)) in pages[1]
        assert fold(exercise.stop) in pages[1]
    assert "Lun Mar Mié Jue Vie Sáb Dom" in pages[1]


def test_handout_without_a_programme_stays_one_page(
    launch: Launch, tmp_path: Path
) -> None:
    """No exercises prescribed: one page, and no pointer to a page 2."""
    window = launch()
    lumbar_visit(window)
    path = tmp_path / "plain.pdf"
    assert window.patient_screen_controls.handout.save_to(path) is not None
    pages = page_texts(path)
    assert len(pages) == 1 and "page 2" not in pages[0]


def test_six_exercises_still_fit_page_two(launch: Launch, tmp_path: Path) -> None:
    """Six exercises still print on exactly two pages; every stop rule is there."""
    window = launch()
    lumbar_visit(window)
    panel = window.exercise_panel
    for row in panel.rows[:6]:
        row.tick.setChecked(True)
    assert panel.save()
    path = tmp_path / "long.pdf"
    assert window.patient_screen_controls.handout.save_to(path) is not None
    pages = page_texts(path)
    assert len(pages) == 2
    library = load_library("en")
    for row in panel.rows[:6]:
        assert fold(row.exercise.stop) in pages[1], row.exercise.id
    assert fold(library.general["tracker_hint"]) in pages[1]


def test_a_very_long_programme_runs_on_and_loses_nothing(
    launch: Launch, tmp_path: Path
) -> None:
    """Every lumbar exercise at once: more pages, but every stop rule is printed."""
    window = launch()
    lumbar_visit(window)
    panel = window.exercise_panel
    for row in panel.rows:
        row.tick.setChecked(True)
    assert panel.save()
    path = tmp_path / "all.pdf"
    assert window.patient_screen_controls.handout.save_to(path) is not None
    rest = " ".join(page_texts(path)[1:])
    for row in panel.rows:
        assert fold(row.exercise.stop) in rest, row.exercise.id
    assert fold(load_library("en").general["tracker_hint"]) in rest


def test_the_panel_follows_the_clinicians_language(launch: Launch) -> None:
    """Switching to Spanish renames the exercises, the doses and the saved line."""
    window = launch()
    lumbar_visit(window)
    panel = window.exercise_panel
    prescribe_three(panel)
    window.state.set_language("es")
    names = [row.tick.text() for row in panel.rows]
    assert "Puente" in names
    assert panel.status_label.text() == "Guardado: 3 ejercicio(s)."
    bridge = {row.exercise.id: row for row in panel.rows}["bridge"]
    assert bridge.tick.isChecked() and bridge.spins["sets"].value() == 3
    assert bridge.spins["times_per_day"].text().endswith("al día")


def test_kept_programme_shows_before_the_visit_has_a_region(launch: Launch) -> None:
    """Keep on a new visit with no region yet still lists the kept exercises ticked."""
    window = launch()
    lumbar_visit(window)
    panel = window.exercise_panel
    prescribe_three(panel)
    assert window.ops.start_visit()  # Ctrl+Shift+N: where it hurts not set yet
    assert panel.earlier.isVisibleTo(panel)
    assert panel.keep()
    ticked = {p.exercise_id for p in panel.programme()}
    assert ticked == {"bridge", "bird_dog", "pelvic_tilt"}


def test_printing_carries_the_exercise_page_too(launch: Launch, tmp_path: Path) -> None:
    """The print path paints page 2 as well (through a PDF-backed printer)."""
    window = launch()
    lumbar_visit(window)
    prescribe_three(window.exercise_panel)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert window.patient_screen_controls.handout.print_to(printer) is not None
    pages = page_texts(tmp_path / "printed.pdf")
    assert len(pages) == 2 and "Bridge" in pages[1]


def test_a_flag_needing_assessment_first_greys_every_exercise(launch: Launch) -> None:
    """Cauda equina signs: no exercise can be ticked, each says why; none is saved."""
    window = launch()
    lumbar_visit(window, red_flags={"cauda_equina": "present"})
    panel = window.exercise_panel
    assert panel.rows and not any(row.tick.isEnabled() for row in panel.rows)
    assert all(row.reason.text() for row in panel.rows)
    assert panel.save()
    saved = window.ops.current_programme()
    assert saved is not None and saved.items == ()


def test_the_panel_behind_its_tab_is_built_after_the_records_open(
    qtbot, tmp_path: Path
) -> None:
    """Records open without building the Exercises tab that starts behind
    Progress (15–27 ms); it is built a turn later and follows the open visit."""
    window = build(["--data-dir", str(tmp_path / "home")])
    qtbot.addWidget(window)
    at_open: list[int] = []
    window.records_opened.connect(
        lambda: at_open.append(len(window.findChildren(ExercisePanel)))
    )
    qtbot.waitUntil(lambda: window.records_ready, timeout=30000)
    qtbot.waitUntil(lambda: not window.background_check.running, timeout=30000)
    assert at_open == [0]
    qtbot.waitUntil(lambda: len(window.findChildren(ExercisePanel)) == 1)
    assert window.exercise_panel is window.findChildren(ExercisePanel)[0]
    lumbar_visit(window)
    window.exercise_dock.show()
    window.exercise_dock.raise_()
    assert "EX-1" in window.exercise_panel.patient_banner.text()
    assert window.exercise_panel.rows  # the lumbar visit's exercises
