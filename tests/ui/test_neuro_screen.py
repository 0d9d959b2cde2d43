"""The nerve-root screen on the visit: saved findings that raise the right flags."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QCheckBox, QComboBox, QRadioButton

from companion.core.clinical_neuro import RootFinding
from companion.ui.main_window import MainWindow
from companion.ui.neuro_screen import NeuroScreen

Launch = Callable[..., MainWindow]


def open_screen(window: MainWindow, levels: list[str], regions: list[str]):
    """A visit for the levels, and its nerve-root screen opened."""
    assert window.ops.create_patient(chart_number="NEURO-1")
    assert window.ops.start_visit(levels=levels, regions=regions)
    screen = window.clinic.editor.findChild(NeuroScreen)
    assert screen is not None and screen.isVisibleTo(window.clinic.editor)
    screen.toggle.click()
    assert screen.body.isVisibleTo(screen)
    return screen


def choose(screen: NeuroScreen, name: str, value: object) -> None:
    combo = screen.findChild(QComboBox, name)
    assert combo is not None, name
    combo.setCurrentIndex(combo.findData(value))


def test_neck_visit_screens_c5_to_t1(launch: Launch):
    """A neck visit offers C5–T1 only; C8 and T1 have no reflex to record."""
    window = launch()
    screen = open_screen(window, ["C6"], ["cervical"])
    assert screen.roots() == ("C5", "C6", "C7", "C8", "T1")
    assert screen.findChild(QComboBox, "neuro_L5_left_strength") is None
    assert not screen.findChild(QComboBox, "neuro_C8_left_reflex").isEnabled()
    assert screen.findChild(QComboBox, "neuro_C7_left_reflex").isEnabled()


def test_weakness_raises_the_deficit_flag_and_banner(launch: Launch, tmp_path: Path):
    """L5 strength 3/5 is saved, marks neuro_deficit present and shows its action."""
    window = launch(tmp_path / "clinic")
    screen = open_screen(window, ["L5"], ["lumbar"])
    assert screen.roots() == ("L2", "L3", "L4", "L5", "S1")
    choose(screen, "neuro_L5_left_strength", 3)
    visit = window.ops.visit
    assert visit.neuro_screen == (RootFinding("L5", "left", strength=3),)
    assert visit.red_flags["neuro_deficit"] == "present"
    editor = window.clinic.editor
    assert editor.flag_banner.isVisibleTo(editor)
    flag = next(f for f in window.state.content.red_flags if f.id == "neuro_deficit")
    assert flag.name in editor.flag_banner.text()
    radio = editor.findChild(QRadioButton, "flag_neuro_deficit_present")
    assert radio is not None and radio.isChecked()
    stored = window.ops.store.get_visit(visit.id)
    assert stored.neuro_screen == visit.neuro_screen
    assert flag.name in window.statusBar().currentMessage()


def test_brisk_reflex_raises_myelopathy_and_a_normal_screen_raises_nothing(
    launch: Launch,
):
    """A brisk biceps reflex raises myelopathy; normal findings and a positive
    neurodynamic test alone raise no flag."""
    window = launch()
    screen = open_screen(window, ["C5"], ["cervical"])
    choose(screen, "neuro_C6_right_sensation", "normal")
    choose(screen, "neuro_C6_right_strength", 5)
    screen.findChild(QCheckBox, "neuro_C6_right_neurodynamic").setChecked(True)
    visit = window.ops.visit
    assert visit.neuro_screen[0].neurodynamic_positive is True
    assert "neuro_deficit" not in visit.red_flags
    assert "myelopathy" not in visit.red_flags
    choose(screen, "neuro_C5_left_reflex", "brisk")
    answers = window.ops.visit.red_flags
    assert answers["myelopathy"] == "present"
    assert answers["neuro_deficit"] == "present"


def test_scrolling_over_a_finding_records_nothing(launch: Launch):
    """The mouse wheel over an unfocused finding leaves it and the visit alone."""
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    window = launch()
    screen = open_screen(window, ["L4"], ["lumbar"])
    combo = screen.findChild(QComboBox, "neuro_L4_left_strength")
    assert not combo.hasFocus()
    wheel = QWheelEvent(
        QPointF(5, 5),
        QPointF(combo.mapToGlobal(QPoint(5, 5))),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(combo, wheel)
    assert combo.currentData() is None
    assert window.ops.visit.neuro_screen == ()
    assert "neuro_deficit" not in window.ops.visit.red_flags
