"""The progress chart: pain and PSFS over weeks since onset, drawn with pyqtgraph.

pyqtgraph is heavy, so it is imported on first use (`pyqtgraph_module()`), and
this module itself is only imported when the progress panel first needs a chart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from itertools import pairwise
from pathlib import Path
from types import ModuleType
from typing import Any

# PySide6 first, so pyqtgraph picks this binding.
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from companion.core.i18n import Strings
from companion.core.i18n import strings as load_strings
from companion.core.progress import (
    IMAGING_WEEKS,
    REVIEW_WEEKS,
    ProgressPoint,
    ProgressSummary,
    summarize,
)
from companion.core.psfs import PSFS_MCID
from companion.core.records import PAIN_MAX, PAIN_MIN, Visit

PAIN_COLOUR = "#b03a2e"
PSFS_COLOUR = "#1f5f99"
BASELINE_COLOUR = "#555555"
BAND_COLOUR = (120, 120, 120, 40)
REVIEW_COLOUR = "#c77c02"
IMAGING_COLOUR = "#b03a2e"
TREATMENT_COLOUR = "#6a3d9a"
MIN_WEEKS_SHOWN = IMAGING_WEEKS + 1  # the 4- and 6-week markers are always in view


@cache
def pyqtgraph_module() -> ModuleType:
    """Import pyqtgraph and set its global options, once."""
    import pyqtgraph

    pyqtgraph.setConfigOptions(antialias=True, background="w", foreground="k")
    return pyqtgraph


class ProgressChart(QWidget):
    """Pain (top) and PSFS (bottom) per visit; click a point to open its visit."""

    visit_clicked = Signal(str)  # visit id

    def __init__(self, strings: Strings | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("progressChart")
        pg = pyqtgraph_module()
        self._strings = strings or load_strings("en")
        self._summary: ProgressSummary | None = None
        self._by_id: dict[str, ProgressPoint] = {}
        self._treatment_notes: dict[str, str] = {}
        self._treatment_names: Mapping[str, str] = {}

        self.view = pg.GraphicsLayoutWidget()
        self.view.setObjectName("progressChartView")
        self.pain_plot = self.view.addPlot(row=0, col=0)
        self.psfs_plot = self.view.addPlot(row=1, col=0)
        self.psfs_plot.setXLink(self.pain_plot)
        self.view.ci.layout.setRowStretchFactor(0, 3)
        self.view.ci.layout.setRowStretchFactor(1, 2)
        for plot in (self.pain_plot, self.psfs_plot):
            plot.showGrid(x=True, y=True, alpha=0.15)
            plot.setMouseEnabled(x=True, y=False)
            plot.setYRange(PAIN_MIN - 0.5, PAIN_MAX + 0.9, padding=0)
            plot.getAxis("left").setTicks([[(v, str(v)) for v in range(0, 11, 2)]])
            plot.hideButtons()
            plot.getAxis("left").setWidth(52)

        dashed = Qt.PenStyle.DashLine
        self.mcid_band = pg.LinearRegionItem(
            orientation="horizontal", movable=False, brush=pg.mkBrush(BAND_COLOUR)
        )
        for line in self.mcid_band.lines:
            line.setPen(pg.mkPen(None))
        self.baseline_line = pg.InfiniteLine(
            angle=0,
            pen=pg.mkPen(BASELINE_COLOUR, width=1, style=dashed),
            label="",
            labelOpts={"position": 0.1, "color": BASELINE_COLOUR},
        )
        self.pain_line = pg.PlotDataItem(pen=pg.mkPen(PAIN_COLOUR, width=2))
        self.pain_points = pg.ScatterPlotItem(
            size=12,
            pen=pg.mkPen("w", width=1.5),
            brush=pg.mkBrush(PAIN_COLOUR),
            hoverable=True,
            hoverSize=16,
            tip=self._tip,
        )
        self.treatment_marks = pg.ScatterPlotItem(
            symbol="t",
            size=12,
            pen=pg.mkPen(None),
            brush=pg.mkBrush(TREATMENT_COLOUR),
            hoverable=True,
            tip=self._treatment_tip,
        )
        self.current_mark = pg.ScatterPlotItem(
            size=22, pen=pg.mkPen("k", width=2), brush=pg.mkBrush(None)
        )
        self.psfs_line = pg.PlotDataItem(pen=pg.mkPen(PSFS_COLOUR, width=2))
        self.psfs_points = pg.ScatterPlotItem(
            size=11,
            symbol="s",
            pen=pg.mkPen("w", width=1.5),
            brush=pg.mkBrush(PSFS_COLOUR),
            hoverable=True,
            hoverSize=15,
            tip=self._tip,
        )
        self.psfs_baseline = pg.InfiniteLine(
            angle=0, pen=pg.mkPen(BASELINE_COLOUR, width=1, style=dashed)
        )
        self.psfs_target = pg.InfiniteLine(
            angle=0, pen=pg.mkPen(PSFS_COLOUR, width=1, style=Qt.PenStyle.DotLine)
        )
        self.week_markers: list[Any] = []
        for plot, labelled in ((self.pain_plot, True), (self.psfs_plot, False)):
            for weeks, colour in (
                (REVIEW_WEEKS, REVIEW_COLOUR),
                (IMAGING_WEEKS, IMAGING_COLOUR),
            ):
                marker = pg.InfiniteLine(
                    pos=weeks,
                    angle=90,
                    movable=False,
                    pen=pg.mkPen(colour, width=1.5, style=dashed),
                    label="" if labelled else None,
                    labelOpts={"position": 0.06, "color": colour},
                )
                plot.addItem(marker)
                self.week_markers.append(marker)
        for item in (
            self.mcid_band,
            self.baseline_line,
            self.pain_line,
            self.pain_points,
            self.treatment_marks,
            self.current_mark,
        ):
            self.pain_plot.addItem(item)
        for item in (
            self.psfs_baseline,
            self.psfs_target,
            self.psfs_line,
            self.psfs_points,
        ):
            self.psfs_plot.addItem(item)

        for scatter in (self.pain_points, self.psfs_points, self.treatment_marks):
            scatter.sigClicked.connect(self._on_points_clicked)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.set_strings(self._strings)

    def sizeHint(self) -> QSize:
        return QSize(520, 420)

    # -- domain methods -------------------------------------------------------

    def set_strings(self, strings: Strings) -> None:
        """Label axes and markers in the interface language."""
        self._strings = strings
        t = strings.t
        self.pain_plot.setLabel("left", t("progress.axis_pain"))
        self.psfs_plot.setLabel("left", t("progress.axis_psfs"))
        self.psfs_plot.setLabel("bottom", t("progress.axis_weeks"))
        for marker in self.week_markers:
            label = getattr(marker, "label", None)  # unlabelled lines have none
            if label is not None:
                label.setFormat(t("progress.week_marker", weeks=f"{marker.value():g}"))
        self.baseline_line.label.setFormat(t("progress.baseline"))

    def set_treatment_names(self, names: Mapping[str, str]) -> None:
        """Display names for treatment codes in the treatment-change tips."""
        self._treatment_names = dict(names)

    def set_visits(self, visits: Iterable[Visit]) -> ProgressSummary:
        """Redraw for these visits (any order); returns the summary drawn."""
        ordered = sorted(visits, key=lambda v: (v.visit_date, v.created))
        summary = summarize(ordered)
        self._summary = summary
        self._by_id = {p.visit_id: p for p in summary.points}
        self._treatment_notes = _treatment_notes(ordered, self._treatment_names)

        pain = [p for p in summary.points if p.pain is not None]
        xs = [p.weeks for p in pain]
        ys = [float(p.pain) for p in pain if p.pain is not None]
        self.pain_line.setData(x=xs, y=ys)
        self.pain_points.setData(x=xs, y=ys, data=[p.visit_id for p in pain])
        baseline = summary.baseline_pain
        if baseline is None:
            self.baseline_line.hide()
            self.mcid_band.hide()
        else:
            self.baseline_line.setPos(baseline)
            self.baseline_line.show()
            low, high = self.mcid_band_range() or (baseline, baseline)
            self.mcid_band.setRegion((low, high))
            self.mcid_band.show()

        changed = [p for p in summary.points if p.treatment_changed]
        self.treatment_marks.setData(
            x=[p.weeks for p in changed],
            y=[PAIN_MAX + 0.5] * len(changed),
            data=[p.visit_id for p in changed],
        )

        psfs = [p for p in summary.points if p.psfs is not None]
        px = [p.weeks for p in psfs]
        py = [p.psfs for p in psfs if p.psfs is not None]
        self.psfs_line.setData(x=px, y=py)
        self.psfs_points.setData(x=px, y=py, data=[p.visit_id for p in psfs])
        if summary.psfs_baseline is None:
            self.psfs_baseline.hide()
            self.psfs_target.hide()
        else:
            self.psfs_baseline.setPos(summary.psfs_baseline)
            self.psfs_target.setPos(min(PAIN_MAX, summary.psfs_baseline + PSFS_MCID))
            self.psfs_baseline.show()
            self.psfs_target.show()

        first = min((p.weeks for p in summary.points), default=0.0)
        last = max((p.weeks for p in summary.points), default=0.0)
        self.pain_plot.setXRange(
            min(0.0, first) - 0.3, max(MIN_WEEKS_SHOWN, last + 0.7), padding=0
        )
        self.set_current_visit(None)
        return summary

    def summary(self) -> ProgressSummary | None:
        """The summary behind the current drawing (None before set_visits)."""
        return self._summary

    def points(self) -> tuple[ProgressPoint, ...]:
        """Every visit on the time line, oldest first, as drawn."""
        return () if self._summary is None else self._summary.points

    def marker_weeks(self) -> list[float]:
        """Where the week markers stand on the pain panel (4 and 6)."""
        return [m.value() for m in self.week_markers if m in self.pain_plot.items]

    def mcid_band_range(self) -> tuple[float, float] | None:
        """The 'no meaningful change' band around the baseline, clipped to 0–10."""
        s = self._summary
        if s is None or s.improvement_threshold is None:
            return None
        low = max(float(PAIN_MIN), s.improvement_threshold)
        high = min(float(PAIN_MAX), s.worsening_threshold or float(PAIN_MAX))
        return low, high

    def set_current_visit(self, visit_id: str | None) -> None:
        """Ring the open visit's pain point, if it has one."""
        point = self._by_id.get(visit_id or "")
        if point is None or point.pain is None:
            self.current_mark.setData(x=[], y=[])
        else:
            self.current_mark.setData(x=[point.weeks], y=[float(point.pain)])

    def export_png(self, path: Path | str) -> bool:
        """Save the chart as a PNG image; False if the file could not be written."""
        return self.grab().save(str(path), "PNG")

    # -- events ---------------------------------------------------------------

    def _on_points_clicked(self, _item: Any, points: Any, _event: Any) -> None:
        if len(points):
            visit_id = points[0].data()
            if isinstance(visit_id, str):
                self.visit_clicked.emit(visit_id)

    def _tip(self, x: float, y: float, data: object) -> str:
        point = self._by_id.get(data) if isinstance(data, str) else None
        if point is None:
            return ""
        t = self._strings.t
        blank = t("progress.not_recorded")
        return t(
            "progress.tip",
            date=point.visit_date.isoformat(),
            pain=blank if point.pain is None else f"{point.pain}/10",
            psfs=blank if point.psfs is None else f"{point.psfs:g}",
        )

    def _treatment_tip(self, x: float, y: float, data: object) -> str:
        point = self._by_id.get(data) if isinstance(data, str) else None
        if point is None:
            return ""
        return self._strings.t(
            "progress.tip_treatment",
            date=point.visit_date.isoformat(),
            treatments=self._treatment_notes.get(point.visit_id, ""),
        )


def _treatment_notes(ordered: list[Visit], names: Mapping[str, str]) -> dict[str, str]:
    """For each visit, what was added (+) and stopped (−) since the visit before."""
    notes: dict[str, str] = {}
    for before, after in pairwise(ordered):
        old, new = set(before.treatments_given), set(after.treatments_given)
        lines = [f"+ {names.get(c, c)}" for c in sorted(new - old)]
        lines += [f"− {names.get(c, c)}" for c in sorted(old - new)]
        notes[after.id] = "\n".join(lines)
    return notes


def render_simple_png(
    visits: Iterable[Visit],
    path: Path | str,
    language: str = "en",
    size: tuple[int, int] = (800, 500),
) -> bool:
    """Draw the chart for these visits off screen into a PNG (for screens/handouts)."""
    if QApplication.instance() is None:
        raise RuntimeError("render_simple_png needs a running QApplication")
    chart = ProgressChart(load_strings(language))
    try:
        chart.resize(*size)
        chart.set_visits(visits)
        return chart.export_png(path)
    finally:
        chart.deleteLater()
