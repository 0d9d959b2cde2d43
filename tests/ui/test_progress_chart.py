"""pytest-qt tests of the Progress dock on the real app: chart, rule banner, PSFS."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from companion.core.records import Visit
from companion.ui.main_window import MainWindow
from companion.ui.progress_panel import ProgressPanel
from tests.probe import run_python

Launch = Callable[..., MainWindow]
ROOT = Path(__file__).resolve().parents[2]
ONSET = date(2024, 1, 8)

# (days after onset, pain, treatments given)
NOT_IMPROVING = [(3, 7, ("heat",)), (17, None, ("heat",)), (24, 7, ("heat", "massage"))]
NOT_IMPROVING += [(45, 6, ("heat", "massage"))]
IMPROVING = [(3, 8, ("heat",)), (17, 6, ("heat",)), (45, 3, ("exercise_therapy",))]


def add_patient_visits(
    window: MainWindow,
    plan: list[tuple[int, int | None, tuple[str, ...]]],
    region: str = "lumbar",
) -> list[Visit]:
    """A new patient with these visits, saved through the session; oldest first."""
    session = window.ops
    session.create_patient(chart_number=f"P-{len(plan)}-{plan[-1][1]}")
    for day, pain, given in plan:
        visit = session.start_visit(
            visit_date=ONSET + timedelta(days=day),
            onset_date=ONSET,
            pain=pain,
            regions=(region,),
            treatments_given=given,
        ).value
        assert visit is not None
    return list(reversed(session.visits()))


def show_progress(window: MainWindow, qtbot: QtBot) -> ProgressPanel:
    """Bring the Progress dock to the front, as a click on its tab would."""
    window.progress_dock.show()
    window.progress_dock.raise_()
    panel = window.progress_panel
    qtbot.waitUntil(panel.on_screen)
    return panel


def weeks(visit: Visit) -> float:
    return (visit.visit_date - ONSET).days / 7


def test_chart_data_are_the_stored_values(launch: Launch, qtbot: QtBot) -> None:
    """The pain line and its points hold exactly the saved pain scores and weeks."""
    window = launch()
    add_patient_visits(window, NOT_IMPROVING)
    panel = show_progress(window, qtbot)
    assert panel.chart is not None
    stored = sorted(
        window.ops.store.visits_for(window.ops.patient.id),
        key=lambda v: v.visit_date,
    )
    scored = [v for v in stored if v.pain is not None]
    assert len(scored) == 3  # the visit without a score is not plotted as pain
    x, y = panel.chart.pain_line.getData()
    assert list(x) == pytest.approx([weeks(v) for v in scored])
    assert list(y) == [float(v.pain) for v in scored if v.pain is not None]
    spots = panel.chart.pain_points.points()
    assert [s.data() for s in spots] == [v.id for v in scored]
    assert [s.pos().y() for s in spots] == [v.pain for v in scored]
    assert [p.visit_id for p in panel.chart.points()] == [v.id for v in stored]
    # Baseline is the first score; the MCID band runs from 2 below to 2 above it.
    assert panel.chart.baseline_line.value() == 7
    assert panel.chart.mcid_band.getRegion() == pytest.approx((5.0, 9.0))


def test_week_markers_stand_at_4_and_6(launch: Launch, qtbot: QtBot) -> None:
    """Vertical lines mark the 4- and 6-week review points on the pain panel."""
    window = launch()
    add_patient_visits(window, IMPROVING)
    chart = show_progress(window, qtbot).chart
    assert chart is not None
    assert chart.marker_weeks() == [4.0, 6.0]
    assert all(m.angle == 90 for m in chart.week_markers)
    low, high = chart.pain_plot.viewRange()[0]
    assert low <= 4 and high >= 6  # both are in view even for short histories


def test_treatment_changes_are_marked(launch: Launch, qtbot: QtBot) -> None:
    """A mark sits at each visit whose treatments differ from the visit before."""
    window = launch()
    visits = add_patient_visits(window, NOT_IMPROVING)
    chart = show_progress(window, qtbot).chart
    assert chart is not None
    marks = chart.treatment_marks.points()
    assert [m.data() for m in marks] == [visits[2].id]
    assert marks[0].pos().x() == pytest.approx(weeks(visits[2]))
    tip = chart.treatment_marks.opts["tip"](x=0, y=0, data=visits[2].id)
    assert "+ Massage" in tip or "massage" in tip.lower()


def test_hover_tip_names_the_visit(launch: Launch, qtbot: QtBot) -> None:
    """Hovering a point shows its date, pain and PSFS."""
    window = launch()
    visits = add_patient_visits(window, IMPROVING)
    chart = show_progress(window, qtbot).chart
    assert chart is not None
    tip = chart.pain_points.opts["tip"](x=0, y=0, data=visits[1].id)
    assert visits[1].visit_date.isoformat() in tip
    assert "6/10" in tip
    assert "PSFS: —" in tip


def test_clicking_a_point_opens_its_visit(launch: Launch, qtbot: QtBot) -> None:
    """A mouse click on a pain point opens that visit in the session and editor."""
    window = launch()
    visits = add_patient_visits(window, IMPROVING)
    panel = show_progress(window, qtbot)
    chart = panel.chart
    assert chart is not None
    assert window.ops.visit is not None
    assert window.ops.visit.id == visits[-1].id  # the newest is open
    qtbot.waitUntil(lambda: chart.view.viewport().width() > 100)
    spot = chart.pain_points.points()[0]
    scene_pos = chart.pain_points.mapToScene(spot.pos())
    view_pos: QPoint = chart.view.mapFromScene(scene_pos)
    with qtbot.waitSignal(chart.visit_clicked, timeout=2000) as blocker:
        qtbot.mouseClick(chart.view.viewport(), Qt.MouseButton.LeftButton, pos=view_pos)
    assert blocker.args == [visits[0].id]
    assert window.ops.visit is not None
    assert window.ops.visit.id == visits[0].id


def test_banner_shows_when_not_improving_after_6_weeks(
    launch: Launch, qtbot: QtBot
) -> None:
    """No meaningful improvement at 6 weeks: a prominent re-evaluate banner."""
    window = launch()
    add_patient_visits(window, NOT_IMPROVING)
    panel = show_progress(window, qtbot)
    assert panel.summary is not None
    assert panel.summary.status == "not_improving"
    assert panel.banner.isVisible()
    text = panel.banner.text()
    assert "6 weeks" in text and "re-evaluate" in text and "imaging" in text


def test_no_banner_for_an_improving_patient(launch: Launch, qtbot: QtBot) -> None:
    """An MCID-sized improvement by 6 weeks shows no banner, just the status."""
    window = launch()
    add_patient_visits(window, IMPROVING)
    panel = show_progress(window, qtbot)
    assert panel.summary is not None and panel.summary.status == "improving"
    assert not panel.banner.isVisible()
    assert "Improving" in panel.status.text()


def test_banner_follows_new_visits(launch: Launch, qtbot: QtBot) -> None:
    """Saving a new, better score redraws the panel and the banner goes away."""
    window = launch()
    add_patient_visits(window, NOT_IMPROVING)
    panel = show_progress(window, qtbot)
    assert panel.banner.isVisible()
    window.ops.start_visit(
        visit_date=ONSET + timedelta(days=50), onset_date=ONSET, pain=3
    )
    assert not panel.banner.isVisible()
    assert panel.chart is not None
    assert list(panel.chart.pain_line.getData()[1])[-1] == 3.0


def test_psfs_entry_saves_and_reloads(launch: Launch, qtbot: QtBot) -> None:
    """Typing activities and ratings, then Enter, saves the PSFS; it reloads."""
    window = launch()
    visits = add_patient_visits(window, IMPROVING)
    panel = show_progress(window, qtbot)
    form = panel.psfs
    answers = [
        ("Sitting 30 minutes", "4"),
        ("Lifting my child", "2"),
        ("Sleeping", "6"),
    ]
    for row, (activity, rating) in enumerate(answers):
        qtbot.keyClicks(form.activities[row], activity)
        form.ratings[row].setFocus()
        form.ratings[row].selectAll()
        qtbot.keyClicks(form.ratings[row], rating)
    qtbot.keyClick(form.ratings[2], Qt.Key.Key_Return)
    expected = (("Sitting 30 minutes", 4), ("Lifting my child", 2), ("Sleeping", 6))
    stored = window.ops.store.get_visit(visits[-1].id)
    assert stored is not None and stored.psfs == expected
    assert "4" in form.score.text()
    # Away and back: the form shows what was saved, and the chart plots the score.
    window.ops.open_visit(visits[0].id)
    assert form.activities[0].text() == ""
    window.ops.open_visit(visits[-1].id)
    assert [a.text() for a in form.activities[:3]] == [a for a, _ in answers]
    assert [r.value() for r in form.ratings[:3]] == [4, 2, 6]
    assert panel.chart is not None
    x, y = panel.chart.psfs_line.getData()
    assert list(y) == [4.0] and list(x) == pytest.approx([weeks(visits[-1])])


def test_psfs_entry_explains_a_missing_rating(launch: Launch, qtbot: QtBot) -> None:
    """An activity without a rating is refused with a message; nothing is saved."""
    window = launch()
    visits = add_patient_visits(window, IMPROVING)
    form = show_progress(window, qtbot).psfs
    for row, name in enumerate(["Sitting", "Walking", "Stairs"]):
        qtbot.keyClicks(form.activities[row], name)
    for row in range(2):
        form.ratings[row].setValue(5)
    assert form.save() is False
    assert form.error.isVisible()
    assert "row 3" in form.error.text()
    stored = window.ops.store.get_visit(visits[-1].id)
    assert stored is not None and stored.psfs == ()


def test_export_png_writes_an_image(
    launch: Launch, qtbot: QtBot, tmp_path: Path
) -> None:
    """Export writes a PNG of the chart that reads back as an image."""
    window = launch()
    add_patient_visits(window, NOT_IMPROVING)
    panel = show_progress(window, qtbot)
    target = tmp_path / "chart.png"
    assert panel.export_to(str(target))
    image = QImage(str(target))
    assert not image.isNull() and image.width() > 100


def test_pyqtgraph_waits_until_the_chart_is_shown(tmp_path: Path) -> None:
    """Start-up, a patient and a visit load no pyqtgraph; showing the dock does."""
    probe = textwrap.dedent(
        f"""
        import sys
        from PySide6.QtWidgets import QApplication
        from companion.app import build_ready

        window = build_ready(["--data-dir", {str(tmp_path / "home")!r}])
        QApplication.processEvents()
        assert "pyqtgraph" not in sys.modules, "imported at start-up"
        window.ops.create_patient(chart_number="LAZY-1")
        window.ops.start_visit(pain=5)
        QApplication.processEvents()
        assert "pyqtgraph" not in sys.modules, "imported while the dock is hidden"
        assert window.progress_panel.chart is None
        window.progress_dock.show()
        window.progress_dock.raise_()
        QApplication.processEvents()
        assert window.progress_panel.chart is not None
        assert "pyqtgraph" in sys.modules
        window.close()
        print("LAZY-OK")
        """
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    result = run_python(probe, timeout=120, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "LAZY-OK" in result.stdout
