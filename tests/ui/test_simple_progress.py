"""Tests of the patients' simple progress chart: plain QPainter, never pyqtgraph."""

from __future__ import annotations

import textwrap

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from pytestqt.qtbot import QtBot

from companion.core.handout import PatientProgress
from companion.ui.simple_progress import (
    LINE,
    ChartLabels,
    SimpleProgressChart,
    paint_simple_progress,
    week_ticks,
)
from tests.probe import run_python

LABELS = ChartLabels("Pain (0 = none, 10 = worst)", "Weeks since your pain began")

# A fresh interpreter: the patient screen and the handout, with a patient whose
# visits are scored, must never load pyqtgraph (the Progress dock stays closed).
_PROBE = textwrap.dedent(
    """
    import sys
    import tempfile
    from datetime import date
    from pathlib import Path

    from PySide6.QtWidgets import QApplication

    from companion.app import build_ready

    with tempfile.TemporaryDirectory() as home:
        window = build_ready(["--data-dir", home])
        window.progress_dock.hide()
        session = window.ops
        session.create_patient(chart_number="CH-PROBE-1")
        for day, pain in ((date(2031, 1, 2), 7), (date(2031, 2, 9), 4)):
            assert session.start_visit(visit_date=day, pain=pain, levels=["L4"])
        window.state.select("L4")
        screen = window.patient_screen
        screen.present()
        QApplication.processEvents()
        assert screen.progress() is not None
        screen.go_to_page(len(screen.pages()) - 1)
        screen.grab()
        controls = window.patient_screen_controls
        assert controls.handout.save_to(Path(home) / "h.pdf") is not None
        assert controls.handout.compose().progress is not None
        loaded = sorted(m for m in sys.modules if m.split(".")[0] == "pyqtgraph")
        assert not loaded, loaded
        screen.hide()
        window.close()
    print("ok")
    """
)


def test_patient_screen_and_handout_never_load_pyqtgraph() -> None:
    """Showing progress to the patient and printing it leave pyqtgraph unloaded."""
    result = run_python(_PROBE, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout


def test_simple_progress_module_does_not_import_pyqtgraph() -> None:
    """The module, the patient screen and the handout import with pyqtgraph blocked."""
    probe = textwrap.dedent(
        """
        import sys
        from importlib.abc import MetaPathFinder

        class Block(MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "pyqtgraph":
                    raise ImportError("pyqtgraph imported")
                return None

        sys.meta_path.insert(0, Block())
        import companion.ui.simple_progress
        import companion.ui.patient_screen
        import companion.ui.handout
        """
    )
    result = run_python(probe)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("last", "end", "ticks"),
    [
        (0.0, 1, [0, 1]),
        (6.4, 7, [0, 1, 2, 3, 4, 5, 6, 7]),
        (11.2, 12, [0, 2, 4, 6, 8, 10, 12]),
        (30.0, 30, [0, 5, 10, 15, 20, 25, 30]),
    ],
)
def test_week_ticks_are_few_and_round(last: float, end: int, ticks: list[int]):
    """At most 9 whole-week ticks, from 0 past the last visit."""
    assert week_ticks(last) == (end, ticks)


def _line_pixels(points: tuple[tuple[float, int], ...]) -> int:
    image = QImage(400, 300, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    paint_simple_progress(painter, QRectF(0, 0, 400, 300), points, LABELS)
    painter.end()
    line = QColor(LINE).rgb()
    return sum(
        image.pixel(x, y) == line for x in range(0, 400, 2) for y in range(0, 300, 2)
    )


def test_dots_and_line_are_drawn_only_for_points(qapp: object) -> None:
    """The accent-coloured line and dots appear with points and not without."""
    assert _line_pixels(()) == 0
    assert _line_pixels(((0.5, 7), (2.5, 6), (6.5, 3))) > 50


def test_widget_holds_the_progress_it_is_given(qtbot: QtBot) -> None:
    """The widget keeps exactly the points and labels it was given, and clears."""
    chart = SimpleProgressChart()
    qtbot.addWidget(chart)
    progress = PatientProgress(
        "Your progress", "s", "h", LABELS.pain, LABELS.weeks, ((0.0, 5), (3.0, 2))
    )
    chart.set_progress(progress)
    assert chart.points() == ((0.0, 5), (3.0, 2))
    assert chart.labels() == LABELS
    chart.resize(500, 360)
    chart.show()
    qtbot.waitExposed(chart)
    assert not chart.grab().isNull()
    chart.set_progress(None)
    assert chart.points() == ()
